"""The allocations export imports back as it is, at its edges (test_allocations_round_trip.py
has the main path): allocations past a draft with a profile over two years, one saved with no
profile at all, a title a spreadsheet would take for a formula (the CSV quotes it), an export
filtered by year. A file that changes nothing says so and offers no import; a changed amount is
an update of a draft, and on anything else an error naming the change (and only that error).
Runs on SQLite and PostgreSQL (an integration test)."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from bench.data.cli import bench_data_command
from tests.conftest import OFFICER, Browser, PageCheckingClient, build_app
from tests.factories import LAMBETH, SYSTEM, actor, add_allocation, organisation
from tests.integration.test_imports import (
    allocation,
    confirm,
    preview_of,
    row_counts,
    rows_of,
)
from tests.reading import soup_of
from tracker.extensions import db
from tracker.models import Allocation, AllocationStatus, AllocationYear, AuditEvent


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))


@pytest.fixture
def officer(signed_in):
    return signed_in(OFFICER)


def exported(officer, kind: str, query: str = "") -> bytes:
    response = officer.get(f"/exports/allocations.{kind}{query}")
    assert response.status_code == 200
    return response.get_data()


def count_of(page, outcome: str) -> int:
    return int(soup_of(page).find(id=f"count-{outcome}").get_text().replace(",", ""))


def assert_imports_unchanged(officer, session, content: bytes, filename: str, expected: set):
    """The file's preview: every row matched and unchanged, none new, none in error, nothing
    to confirm and nothing written."""
    before = row_counts(session)
    url, page = preview_of(officer, content, filename)
    rows = rows_of(page)
    assert len(rows) == len(expected)
    assert {outcome for outcome, _ in rows.values()} == {"unchanged"}, rows
    assert count_of(page, "unchanged") == len(expected)
    assert (count_of(page, "create"), count_of(page, "update"), count_of(page, "error")) == (0,) * 3
    shown = {tr.find_all("td")[2].get_text() for tr in soup_of(page).select("tr[data-row]")}
    assert shown == expected  # every row named by its identifier, each once
    ignored = soup_of(page).find(id="ignored-columns").get_text()
    assert "Status" in ignored and "Organisation type" in ignored

    assert "importing this file would change nothing" in (
        soup_of(page).find(id="nothing-to-import").get_text()
    )
    assert soup_of(page).find(id="confirm-import") is None
    assert row_counts(session) == before


def identifiers(session) -> set[str]:
    return set(session.scalars(select(Allocation.identifier)))


def make_two_year_allocations(session) -> set[str]:
    """Allocations made through the services, over two financial years with a profile each, in
    a draft and further on, and rows added directly (one titled like a formula, one with no
    profile rows at all)."""
    from tracker.services import allocations as allocation_service
    from tracker.services import streams as stream_service

    stream = stream_service.create_stream(
        SYSTEM,
        code="ROUND",
        name="Round trip fund",
        department=None,
        announced_pence=900_000_00,
        announced_on=date(2020, 5, 21),
        first_year=2020,
        last_year=2021,
    )
    for year in (2020, 2021):
        stream_service.set_budget(SYSTEM, stream, year, resource_pence=450_000_00, capital_pence=0)
    officer = actor(session, OFFICER)
    made = []
    for number, (first, second) in enumerate([(60_000_00, 40_000_50), (12_345_67, 0)], 1):
        made.append(
            allocation_service.create_allocation(
                officer,
                stream=stream,
                organisation=organisation(session, LAMBETH),
                title=f"Two years, number {number}",
                amount_pence=first + second,
                awarded_on=date(2020, 8, 3),
                planned_start=date(2020, 9, 1),
                planned_end=date(2022, 3, 31),
                profile={2020: first, 2021: second},
            )
        )
    made[1].status = AllocationStatus.ACTIVE  # past a draft: an import cannot change it
    formula = add_allocation(
        session,
        stream_code="ROUND",
        org_id=LAMBETH,
        identifier="360G-HHT-ROUND-FORMULA",
        title="-10% waiting list pilot",
        amount_pence=5_000_00,
    )
    session.add(
        AllocationYear(allocation_id=formula.id, financial_year=2020, amount_pence=5_000_00)
    )
    add_allocation(  # an Excel cell written as text, never as a formula
        session,
        stream_code="ROUND",
        org_id=LAMBETH,
        identifier="360G-HHT-ROUND-EQUALS",
        title="=Hidden harms pilot",
        status=AllocationStatus.CLOSED,
    )
    add_allocation(
        session,
        stream_code="ROUND",
        org_id=LAMBETH,
        identifier="360G-HHT-ROUND-NOPROFILE",
        status=AllocationStatus.OFFERED,
    )
    session.commit()  # a savepoint released (see `transaction`): the requests see it
    return {a.identifier for a in made} | {
        formula.identifier,
        "360G-HHT-ROUND-NOPROFILE",
        "360G-HHT-ROUND-EQUALS",
    }


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_allocations_with_profiles_import_back_unchanged(officer, transaction, kind):
    made = make_two_year_allocations(transaction)
    content = exported(officer, kind)
    assert_imports_unchanged(
        officer, transaction, content, f"allocations.{kind}", identifiers(transaction)
    )
    assert made <= identifiers(transaction)


def test_an_export_for_one_year_carries_every_year_of_its_profiles(officer, transaction):
    make_two_year_allocations(transaction)
    content = exported(officer, "csv", "?year=2021")
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert "2020-21 (£)" in header and "2021-22 (£)" in header
    in_2021 = set(
        transaction.scalars(
            select(Allocation.identifier).where(Allocation.planned_end >= date(2021, 4, 1))
        )
    )
    assert_imports_unchanged(officer, transaction, content, "allocations.csv", in_2021)


def _with_amount(content: bytes, identifier: str, amount: str, year_amounts: dict) -> bytes:
    """The exported CSV with one row's amount (and profile cells) changed."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header = rows[0]
    for cells in rows[1:]:
        if cells[header.index("360Giving identifier")] == identifier:
            cells[header.index("Amount awarded (£)")] = amount
            for column, value in year_amounts.items():
                cells[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_a_changed_amount_updates_a_draft_and_is_an_error_on_anything_else(officer, transaction):
    make_two_year_allocations(transaction)
    content = exported(officer, "csv")
    content = _with_amount(
        content,
        "360G-HHT-DEMO-DA-NETWORK",  # a draft, all in 2020-21
        "140000.00",
        {"2020-21 (£)": "140000.00"},
    )
    active = transaction.scalars(
        select(Allocation).where(Allocation.title == "Two years, number 2")
    ).one()
    content = _with_amount(content, active.identifier, "20000.00", {})
    url, page = preview_of(officer, content, "allocations.csv")
    by_identifier = {
        tr.find_all("td")[2].get_text(): (tr["data-outcome"], tr.find_all("td")[-1].get_text())
        for tr in soup_of(page).select("tr[data-row]")
    }
    assert by_identifier["360G-HHT-DEMO-DA-NETWORK"][0] == "update"
    outcome, reason = by_identifier[active.identifier]
    assert outcome == "error"
    assert " ".join(reason.split()) == (
        f"Allocation {active.identifier} already exists and is active: the file changes its "
        "amount, but only a draft can be updated (agree a variation instead)"
    )
    assert count_of(page, "error") == 1 and count_of(page, "update") == 1
    assert count_of(page, "create") == 0
    assert count_of(page, "unchanged") == len(identifiers(transaction)) - 2


def test_a_changed_draft_is_updated_and_the_rest_left_alone(officer, transaction):
    content = _with_amount(
        exported(officer, "csv"),
        "360G-HHT-DEMO-DA-NETWORK",
        "140000.00",
        {"2020-21 (£)": "140000.00"},
    )
    url, page = preview_of(officer, content, "allocations.csv")
    assert count_of(page, "error") == 0
    events = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert soup_of(page).find(id="confirm-import").get_text() == "Import 1 allocation"
    response = confirm(officer, url)
    assert response.status_code == 302
    flashed = " ".join(soup_of(officer.get(response.headers["Location"])).get_text().split())
    unchanged = len(identifiers(transaction)) - 1
    assert f"0 allocations created and 1 updated ({unchanged:,} had no changes)" in flashed
    assert allocation(transaction, "360G-HHT-DEMO-DA-NETWORK").amount_pence == 140_000_00
    changed = transaction.scalars(
        select(AuditEvent).where(AuditEvent.id > events, AuditEvent.action == "allocation changed")
    ).all()
    assert len(changed) == 1  # only the draft whose amount changed
    assert changed[0].before["amount_pence"] == 150_000_00
    assert changed[0].after["amount_pence"] == 140_000_00


@pytest.fixture(scope="module")
def small_data_app(make_database):
    """The generated `small` data (500 allocations over many streams and years)."""
    app = build_app(make_database())
    app.test_client_class = PageCheckingClient
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    made = app.test_cli_runner().invoke(bench_data_command, ["--scale", "small"])
    assert made.exit_code == 0, made.output
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_generated_small_data_imports_back_unchanged(small_data_app, tmp_path, kind):
    from bench.data.sizes import EMAIL_DOMAIN

    small_data_app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")
    with small_data_app.app_context():
        visitor = Browser(small_data_app.test_client())
        assert visitor.sign_in(f"officer-01@department.{EMAIL_DOMAIN}").status_code == 302
        content = exported(visitor, kind)
        _, page = preview_of(visitor, content, f"allocations.{kind}")
        rows = rows_of(page)
        every = set(db.session.scalars(select(Allocation.identifier)))
        assert len(every) >= 500
        assert count_of(page, "unchanged") == len(every), [
            (number, found) for number, found in rows.items() if found[0] != "unchanged"
        ][:5]
        assert (count_of(page, "create"), count_of(page, "update"), count_of(page, "error")) == (
            0,
            0,
            0,
        )
        assert soup_of(page).find(id="nothing-to-import") is not None
