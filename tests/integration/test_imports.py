"""Importing allocations from a CSV or Excel file: a preview of what each row will do, with the
row number and the reason for each error; nothing written until the officer confirms; then all
of it or none (checked again under the streams' locks); and 10,000 rows in one go."""

import csv
import hashlib
import io
import json
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.conftest import (
    ADMIN,
    FINANCE,
    LAMBETH_GRANTEE,
    OFFICER,
    OFFICER_2,
    VIEWER,
    Browser,
    PageCheckingClient,
    build_app,
    csrf_token_from,
    migrate_and_seed,
    text_of,
)
from tests.factories import make_stream
from tests.reading import count, error_beside, soup_of
from tracker.models import (
    Allocation,
    AllocationStatus,
    AllocationYear,
    AuditEvent,
    FundingStream,
    User,
)

HEADER = [
    "identifier",
    "stream_code",
    "organisation_org_id",
    "title",
    "amount",
    "award_date",
    "planned_start",
    "planned_end",
]


def row(
    identifier="",
    stream="CSA-STF",
    org="GB-LAE-LBH",
    title="Support for children affected by sexual abuse",
    amount="£1,250.50",
    awarded="2020-08-03",
    start="2020-09-01",
    end="2021-03-31",
    *years,
) -> list:
    return [identifier, stream, org, title, amount, awarded, start, end, *years]


def csv_file(rows: list[list], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def xlsx_file(rows: list[list], header: list[str] = HEADER) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Allocations")
    sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(browser: Browser, content: bytes, filename: str = "allocations.csv"):
    return browser.post(
        "/allocations/import",
        {"file": (io.BytesIO(content), filename)},
        form_page="/allocations/import",
        content_type="multipart/form-data",
    )


def preview_of(browser: Browser, content: bytes, filename: str = "allocations.csv"):
    """Uploads the file; returns the preview's URL and the page showing every row."""
    response = upload(browser, content, filename)
    assert response.status_code == 302, text_of(response)[:600]
    url = response.headers["Location"]
    return url, browser.get(f"{url}?show=all")


def rows_of(page) -> dict[int, tuple[str, str]]:
    """Row number -> (what it will do, the reasons given)."""
    return {
        int(tr["data-row"]): (
            tr["data-outcome"],
            " ".join(tr.find_all("td")[-1].get_text(" ").split()),
        )
        for tr in soup_of(page).find_all("tr", attrs={"data-row": True})
    }


def confirm(browser: Browser, preview_url: str):
    return browser.post(f"{preview_url}/confirm", {}, form_page=preview_url)


def row_counts(session) -> tuple[int, int, int]:
    return (count(session, Allocation), count(session, AllocationYear), count(session, AuditEvent))


def allocation(session, identifier: str) -> Allocation | None:
    found = session.scalar(select(Allocation).where(Allocation.identifier == identifier))
    if found is not None:
        session.refresh(found)
    return found


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path, monkeypatch) -> Path:
    """Pending imports are kept in this test's own folder, not the instance folder."""
    folder = tmp_path / "imports"
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(folder))
    return folder


@pytest.fixture
def officer(signed_in):
    return signed_in(OFFICER)


# --- the preview -----------------------------------------------------------------------------


def test_the_preview_shows_what_each_row_will_do_and_nothing_is_saved(officer, transaction):
    before = row_counts(transaction)
    content = csv_file(
        [
            row("360G-TEST-NEW-1"),
            row(),  # no identifier: one will be made
            row("360G-HHT-DEMO-DA-NETWORK", "DA-CHARITIES", "GB-CHC-0000001", "More", "160000"),
        ]
    )
    url, page = preview_of(officer, content)
    assert rows_of(page) == {
        2: ("create", ""),
        3: ("create", ""),
        4: ("update", "Changes the draft allocation with this identifier"),
    }
    assert soup_of(page).find(id="count-create").get_text() == "2"
    assert soup_of(page).find(id="count-update").get_text() == "1"
    assert soup_of(page).find(id="confirm-import") is not None
    assert row_counts(transaction) == before
    assert allocation(transaction, "360G-TEST-NEW-1") is None
    assert allocation(transaction, "360G-HHT-DEMO-DA-NETWORK").amount_pence == 150_000_00


def test_the_preview_gives_each_kind_of_error_with_its_row_number(officer, transaction):
    before = row_counts(transaction)
    header = [*HEADER, "2020-21", "2021-22"]
    content = csv_file(
        [
            row("360G-TEST-OK"),  # 2
            row("360G-TEST-A", stream="NOPE"),  # 3
            row("360G-TEST-B", org="GB-LAE-XXX"),  # 4
            row("360G-TEST-C", amount="12,34.5"),  # 5
            row("360G-TEST-D", awarded="31/02/2020"),  # 6
            row("360G-TEST-TWICE"),  # 7
            row("360G-TEST-TWICE"),  # 8
            row("360G-HHT-DEMO-SWIS-SKP", "SWIS", "GB-LAE-SKP", "x", "1", "2020-08-10"),  # 9
            row("360G-TEST-E", "TRF", amount="£400,000.01"),  # 10: TRF has £400,000 free
            row("360G-TEST-F", "TRF", amount="£300,000"),  # 11: fits
            row("360G-TEST-G", "TRF", amount="£100,000.01"),  # 12: not after row 11
            # 13: within SWIS overall, but past what 2021-22 has left (£2,675,000)
            row(
                "360G-TEST-H",
                "SWIS",
                "GB-LAE-LBH",
                "Two years",
                "£3,000,000",
                "2020-08-03",
                "2020-09-01",
                "2022-03-31",
                "100000",
                "2900000",
            ),
            row("360G-TEST-I", amount=""),  # 14
            row("360G-TEST-J", end="2020-08-01"),  # 15: ends before it starts
            row("NOT-360", title=""),  # 16
        ],
        header,
    )
    url, page = preview_of(officer, content)
    rows = rows_of(page)
    assert rows[2] == ("create", "")
    assert rows[3] == ("error", "There is no stream with the code NOPE")
    assert rows[4] == ("error", "There is no organisation with the org-id GB-LAE-XXX")
    assert rows[5] == ("error", "Enter the amount in pounds, like 1250.50")
    assert rows[6] == ("error", "The award date must be a real date")
    assert rows[7][0] == rows[8][0] == "error"
    assert "The identifier 360G-TEST-TWICE is also in row 8" in rows[7][1]
    assert "The identifier 360G-TEST-TWICE is also in row 7" in rows[8][1]
    assert rows[9] == (
        "error",
        "Allocation 360G-HHT-DEMO-SWIS-SKP already exists and is offered: the file changes its "
        "title, amount and planned end date, but only a draft can be updated (agree a variation "
        "instead)",
    )
    assert rows[10] == (
        "error",
        "This row would take Trusted Relationship Fund past its budget: £400,000.00 is still "
        "free after what is already allocated and the rows above",
    )
    assert rows[11] == ("create", "")
    assert rows[12] == (
        "error",
        "This row would take Trusted Relationship Fund past its budget: £100,000.00 is still "
        "free after what is already allocated and the rows above",
    )
    assert rows[13] == (
        "error",
        "This row would take Social workers in schools past its 2021-22 budget: £2,675,000.00 "
        "of it is still free after what is already allocated and the rows above",
    )
    assert rows[14] == ("error", "Enter the amount")
    assert rows[15] == (
        "error",
        "The planned end date must be the same as or after the start date",
    )
    assert rows[16] == (
        "error",
        "The identifier must start with 360G- Enter a title for the allocation",
    )
    assert soup_of(page).find(id="count-error").get_text() == "13"
    assert soup_of(page).find(id="confirm-import") is None
    assert row_counts(transaction) == before

    # By default the preview of a file with errors lists only those rows.
    errors_only = rows_of(officer.get(url))
    assert sorted(errors_only) == [3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16]


@pytest.mark.parametrize(
    ("stream", "reason"),
    [
        (
            "CSA-STF",
            "Allocation 360G-HHT-DEMO-DA-NETWORK already exists in another stream: an import "
            "cannot move it to CSA-STF",
        ),
        ("NOPE", "There is no stream with the code NOPE"),
    ],
)
def test_a_row_cannot_move_a_draft_to_another_stream(officer, transaction, stream, reason):
    content = csv_file([row("360G-HHT-DEMO-DA-NETWORK", stream, "GB-CHC-0000001")])
    _, page = preview_of(officer, content)
    assert rows_of(page) == {2: ("error", reason)}


def test_an_excel_file_gives_the_same_preview_as_a_csv(officer, transaction):
    cells = [
        ["360G-TEST-XL", "CSA-STF", "GB-LAE-LBH", "Excel", 1250.5]
        + [datetime(2020, 8, 3), date(2020, 9, 1), "31/03/2021"],
        ["360G-TEST-XL-2", "NOPE", "GB-LAE-LBH", "Excel", 100, date(2020, 8, 3)]
        + [date(2020, 9, 1), date(2021, 3, 31)],
    ]
    _, page = preview_of(officer, xlsx_file(cells), "allocations.xlsx")
    rows = rows_of(page)
    assert rows[2] == ("create", "")
    assert rows[3] == ("error", "There is no stream with the code NOPE")
    amounts = [td.get_text(strip=True) for td in soup_of(page).select("tr[data-row] td")[5::7]]
    assert amounts == ["£1,250.50", "£100.00"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ([h for h in HEADER if h != "amount"], "The file must have a column called amount"),
        (
            [h for h in HEADER if h not in {"title", "planned_end"}],
            "The file must have columns called title and planned_end",
        ),
        ([*HEADER, "amount"], "The file has more than one column called amount"),
        ([*HEADER, "2020-22"], "The file has a column called 2020-22 that the import does not"),
    ],
)
def test_a_file_without_the_columns_it_needs_is_refused_naming_the_column(
    officer, transaction, header, message
):
    response = upload(officer, csv_file([["x"] * len(header)], header))
    assert response.status_code == 200
    assert message in error_beside(response, "file")
    assert "There is a problem" in text_of(response)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _docx() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


NOT_CSV = "allocations.csv is not a CSV file, although its name ends in .csv"
NOT_EXCEL = "allocations.xlsx is not an Excel file, although its name ends in .xlsx"


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("allocations.csv", PNG, NOT_CSV),
        ("allocations.xlsx", b"%PDF-1.7 ...", NOT_EXCEL),
        ("allocations.xlsx", _docx(), NOT_EXCEL),
        ("allocations.xlsx", csv_file([row()]), NOT_EXCEL),
        ("allocations.csv", xlsx_file([row()]), NOT_CSV),
        ("allocations.txt", csv_file([row()]), "must be a CSV or Excel (.xlsx) file"),
        ("allocations.csv", b"", "The selected file is empty"),
        ("allocations.csv", csv_file([]), "The file has no allocations in it"),
    ],
)
def test_a_file_that_is_not_really_a_csv_or_excel_file_is_refused(
    officer, transaction, import_folder, filename, content, message
):
    response = upload(officer, content, filename)
    assert response.status_code == 200
    assert message in error_beside(response, "file")
    assert not import_folder.exists() or not any(import_folder.iterdir())  # nothing kept


def test_no_file_chosen_asks_for_one(officer, transaction):
    response = officer.post("/allocations/import", {}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert error_beside(response, "file") == "Error: Select a CSV or Excel file"


def test_a_csv_saved_by_excel_in_windows_1252_is_read(officer, transaction):
    """Excel's "CSV (Comma delimited)" writes a pound sign as the single byte 0xA3."""
    content = csv_file([row("360G-TEST-1252", amount="£1,250.50", title="Café")]).decode()
    url, page = preview_of(officer, content.encode("cp1252"))
    assert rows_of(page)[2] == ("create", "")
    assert confirm(officer, url).status_code == 302
    made = allocation(transaction, "360G-TEST-1252")
    assert (made.title, made.amount_pence) == ("Café", 125_050)


def test_a_long_preview_is_shown_in_pages_of_rows(officer, transaction):
    _, page = preview_of(officer, csv_file([row(amount="1")] * 501))
    assert len(rows_of(page)) == 500
    assert "page 1 of 2" in text_of(page)
    url = soup_of(page).find("a", rel="next")["href"]
    assert rows_of(officer.get(url)) == {502: ("create", "")}


def test_a_file_bigger_than_the_upload_limit_is_refused(app, officer, transaction, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024 * 1024)
    content = csv_file([row(title="x" * 200)] * 6000)
    assert len(content) > 1024 * 1024
    response = upload(officer, content)
    assert "The selected file must be smaller than 1MB" in error_beside(response, "file")


# --- the confirm -----------------------------------------------------------------------------


def test_confirming_writes_every_row_with_its_profile_and_audit_trail(officer, transaction):
    header = [*HEADER, "conditions", "2020-21", "2021-22"]
    given = [
        row("360G-TEST-NEW-1") + ["Quarterly returns", "", ""],
        row(amount="2000") + ["", "", ""],
        row(
            "360G-TEST-SWIS",
            "SWIS",
            "GB-LAE-SKP",
            "Two years",
            "£100,000",
            "03/08/2020",
            "01/09/2020",
            "31/03/2022",
        )
        + ["", "40,000", "£60,000"],
        row(
            "360G-HHT-DEMO-DA-NETWORK",
            "DA-CHARITIES",
            "GB-CHC-0000001",
            "National helpline capacity, extended",
            "160000",
            "2020-07-01",
            "2020-07-01",
            "2021-03-31",
        )
        + ["", "", ""],
    ]
    content = csv_file(given, header)
    before = row_counts(transaction)
    network = allocation(transaction, "360G-HHT-DEMO-DA-NETWORK")
    network_version = network.version
    url, _ = preview_of(officer, content)

    response = confirm(officer, url)
    assert response.status_code == 302, text_of(response)[:600]
    assert response.headers["Location"] == "/allocations"
    assert "4 rows imported from allocations.csv: 3 allocations created and 1 updated" in text_of(
        officer.get("/allocations")
    )

    made = allocation(transaction, "360G-TEST-NEW-1")
    assert made.status == AllocationStatus.DRAFT
    assert made.amount_pence == 125_050
    assert made.conditions == "Quarterly returns"
    assert made.created_by_id == transaction.scalar(select(User.id).where(User.email == OFFICER))
    assert [(p.financial_year, p.amount_pence) for p in made.profile] == [(2020, 125_050)]
    swis = allocation(transaction, "360G-TEST-SWIS")
    assert [(p.financial_year, p.amount_pence) for p in swis.profile] == [
        (2020, 40_000_00),
        (2021, 60_000_00),
    ]
    assert swis.awarded_on == date(2020, 8, 3)
    generated = transaction.scalars(
        select(Allocation).where(
            Allocation.identifier.like("360G-HHT-CSA-STF-%"), Allocation.amount_pence == 2000_00
        )
    ).one()
    assert len(generated.identifier) == len("360G-HHT-CSA-STF-") + 8

    network = allocation(transaction, "360G-HHT-DEMO-DA-NETWORK")
    assert network.amount_pence == 160_000_00
    assert network.title == "National helpline capacity, extended"
    assert network.version == network_version + 1
    assert [(p.financial_year, p.amount_pence) for p in network.profile] == [(2020, 160_000_00)]

    after = row_counts(transaction)
    assert after[0] == before[0] + 3
    # 3 new allocations and 1 update: one event each, and one for the import.
    assert after[2] == before[2] + 5
    [event] = transaction.scalars(
        select(AuditEvent).where(AuditEvent.action == "allocations imported")
    ).all()
    assert event.after["file_sha256"] == hashlib.sha256(content).hexdigest()
    assert event.after["created"] == 3 and event.after["updated"] == 1
    assert set(event.after["created_identifiers"]) == {
        "360G-TEST-NEW-1",
        "360G-TEST-SWIS",
        generated.identifier,
    }
    assert event.after["updated_identifiers"] == ["360G-HHT-DEMO-DA-NETWORK"]
    assert event.actor.email == OFFICER

    # Each allocation's own history says where it came from.
    [created] = transaction.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "allocation", AuditEvent.object_id == swis.id
        )
    ).all()
    assert created.action == "allocation created"
    assert created.after["profile"] == {"2020": 40_000_00, "2021": 60_000_00}
    assert created.after["imported_from"].endswith(", row 4")
    changed = transaction.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "allocation", AuditEvent.object_id == network.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert changed.action == "allocation changed"
    assert changed.before["amount_pence"] == 150_000_00
    assert changed.after["amount_pence"] == 160_000_00
    assert "conditions" not in changed.after  # no conditions column: kept as it was
    history = text_of(officer.get(f"/allocations/{swis.id}"))
    assert "imported from" in history.lower()


def test_excel_file_imports_like_a_csv(officer, transaction):
    cells = [
        ["360G-TEST-XL", "CSA-STF", "GB-LAE-LBH", "Excel", 1250.5]
        + [datetime(2020, 8, 3), date(2020, 9, 1), "31/03/2021"],
    ]
    url, _ = preview_of(officer, xlsx_file(cells), "allocations.xlsx")
    assert confirm(officer, url).status_code == 302
    made = allocation(transaction, "360G-TEST-XL")
    assert made.amount_pence == 125_050
    assert (made.awarded_on, made.planned_end) == (date(2020, 8, 3), date(2021, 3, 31))


def test_a_file_with_any_error_cannot_be_confirmed(officer, transaction):
    before = row_counts(transaction)
    url, page = preview_of(officer, csv_file([row("360G-TEST-OK"), row(org="GB-LAE-XXX")]))
    assert soup_of(page).find(id="confirm-import") is None
    response = confirm(officer, url)  # posted anyway
    assert response.status_code == 200
    assert "Nothing was imported" in text_of(response)
    assert row_counts(transaction) == before
    assert allocation(transaction, "360G-TEST-OK") is None


def test_a_budget_used_up_after_the_preview_makes_the_confirm_refuse_and_write_nothing(
    officer, transaction
):
    """The confirm checks again under the stream's lock: the preview was right when shown, but
    another officer has since taken most of what was free."""
    url, page = preview_of(
        officer, csv_file([row("360G-TEST-OK"), row("360G-TEST-TRF", "TRF", amount="300000")])
    )
    assert rows_of(page)[3] == ("create", "")

    trf = transaction.scalar(select(FundingStream).where(FundingStream.code == "TRF"))
    lambeth = transaction.scalar(select(User.organisation_id).where(User.email == LAMBETH_GRANTEE))
    other = officer.post(
        f"/streams/{trf.id}/allocations/new",
        {
            "organisation": str(lambeth),
            "title": "Taken meanwhile",
            "amount": "£200,000",
            "awarded_on": ["3", "8", "2020"],
            "planned_start": ["1", "9", "2020"],
            "planned_end": ["31", "3", "2021"],
            "conditions": "",
            "identifier": "360G-TEST-MEANWHILE",
        },
    )
    assert other.status_code == 302
    before = row_counts(transaction)

    response = confirm(officer, url)
    assert response.status_code == 200
    assert "Nothing was imported" in text_of(response)
    assert rows_of(response)[3] == (
        "error",
        "This row would take Trusted Relationship Fund past its budget: £200,000.00 is still "
        "free after what is already allocated and the rows above",
    )
    assert row_counts(transaction) == before
    assert allocation(transaction, "360G-TEST-OK") is None
    assert allocation(transaction, "360G-TEST-TRF") is None


def test_an_allocation_offered_after_the_preview_is_not_updated(officer, transaction):
    content = csv_file(
        [row("360G-HHT-DEMO-DA-NETWORK", "DA-CHARITIES", "GB-CHC-0000001", "Changed", "1000")]
    )
    url, page = preview_of(officer, content)
    assert rows_of(page)[2][0] == "update"
    network = allocation(transaction, "360G-HHT-DEMO-DA-NETWORK")
    network.status = AllocationStatus.OFFERED
    transaction.flush()
    before = row_counts(transaction)
    response = confirm(officer, url)
    assert response.status_code == 200
    assert "already exists and is offered" in rows_of(response)[2][1]
    assert row_counts(transaction) == before
    assert allocation(transaction, "360G-HHT-DEMO-DA-NETWORK").title != "Changed"


def test_the_same_file_cannot_be_imported_twice_by_confirming_again(officer, transaction):
    url, _ = preview_of(officer, csv_file([row()]))
    assert confirm(officer, url).status_code == 302
    after_first = row_counts(transaction)
    again = officer.client.post(
        f"{url}/confirm", data={"csrf_token": _token(officer, "/allocations/import")}
    )
    assert again.status_code == 302
    assert again.headers["Location"] == "/allocations/import"
    assert row_counts(transaction) == after_first


def _token(browser: Browser, page: str) -> str:
    return csrf_token_from(browser.get(page))


# --- what the server keeps between preview and confirm -----------------------------------------


def test_another_officer_cannot_see_or_confirm_someone_elses_import(
    officer, signed_in, transaction
):
    url, _ = preview_of(officer, csv_file([row("360G-TEST-OK")]))
    other = signed_in(OFFICER_2)
    response = other.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/allocations/import"
    before = row_counts(transaction)
    response = other.client.post(
        f"{url}/confirm", data={"csrf_token": _token(other, "/allocations/import")}
    )
    assert response.status_code == 302
    assert row_counts(transaction) == before


def test_a_kept_file_changed_on_the_server_is_not_imported(officer, transaction, import_folder):
    url, _ = preview_of(officer, csv_file([row("360G-TEST-OK", amount="100")]))
    [kept] = import_folder.glob("*.json")
    values = json.loads(kept.read_text())
    values["rows"][0][1][4] = "100000"
    kept.write_text(json.dumps(values))
    before = row_counts(transaction)
    response = officer.get(url)
    assert response.status_code == 302
    assert confirm(officer, url).status_code == 302  # back to the upload page
    assert row_counts(transaction) == before


# --- who may import ----------------------------------------------------------------------------


@pytest.mark.parametrize("email", [FINANCE, VIEWER, ADMIN, LAMBETH_GRANTEE])
def test_only_an_officer_can_import(signed_in, transaction, email):
    visitor = signed_in(email)
    assert visitor.get("/allocations/import").status_code == 403
    assert upload(visitor, csv_file([row()])).status_code == 403


def test_officers_find_the_import_from_the_allocations_list(officer, signed_in, transaction):
    assert "Import allocations from a CSV or Excel file" in text_of(officer.get("/allocations"))
    finance = signed_in(FINANCE)
    assert "Import allocations" not in text_of(finance.get("/allocations"))


# --- 10,000 rows -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fresh_app(make_database, tmp_path_factory):
    """An app of its own on a new database, committing for real (as in production)."""
    folder = tmp_path_factory.mktemp("imports")
    application = build_app(make_database(), IMPORT_FOLDER=str(folder))
    application.test_client_class = PageCheckingClient
    migrate_and_seed(application)
    yield application
    from tracker.extensions import db

    with application.app_context():
        db.engine.dispose()


def test_ten_thousand_rows_import_in_one_go(fresh_app, db_kind):
    from tracker.extensions import db

    organisations = ["GB-LAE-LBH", "GB-LAE-STH", "GB-LAE-SKP", "GB-LAE-BIR", "GB-CHC-0000001"]
    rows = [
        row(
            f"360G-BULK-{n:05d}" if n % 2 else "",
            "CSE-POLICING",  # £20m: room for 10,000 x £1,000
            organisations[n % len(organisations)],
            f"Bulk allocation {n}",
            "£1,000.00",
        )
        for n in range(10_000)
    ]
    content = csv_file(rows)
    browser = Browser(fresh_app.test_client())
    assert browser.sign_in(OFFICER).status_code == 302
    with fresh_app.app_context():
        before = (
            db.session.scalar(select(func.count()).select_from(Allocation)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
        )
        db.session.remove()

    started = time.perf_counter()
    response = upload(browser, content)
    assert response.status_code == 302, text_of(response)[:600]
    url = response.headers["Location"]
    uploaded = time.perf_counter()
    page = browser.get(url)
    assert soup_of(page).find(id="count-create").get_text() == "10,000"
    previewed = time.perf_counter()
    response = browser.client.post(f"{url}/confirm", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302, text_of(response)[:600]
    confirmed = time.perf_counter()

    with fresh_app.app_context():
        after = (
            db.session.scalar(select(func.count()).select_from(Allocation)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
        )
        imported = db.session.execute(
            select(func.count(), func.sum(Allocation.amount_pence))
            .select_from(Allocation)
            .where(Allocation.title.like("Bulk allocation %"))
        ).one()
        years = db.session.scalar(
            select(func.count())
            .select_from(AllocationYear)
            .join(Allocation)
            .where(Allocation.title.like("Bulk allocation %"))
        )
    assert after[0] == before[0] + 10_000
    assert after[1] == before[1] + 10_001  # one per allocation, one for the import
    assert years == 10_000
    assert tuple(imported) == (10_000, 10_000 * 1_000_00)
    timings = (
        f"{db_kind}: upload {uploaded - started:.1f}s, preview {previewed - uploaded:.1f}s, "
        f"confirm {confirmed - previewed:.1f}s, total {confirmed - started:.1f}s"
    )
    print(f"\n10,000-row import on {timings}")
    assert confirmed - started < 30, timings


def test_two_officers_confirming_at_once_cannot_over_commit_a_stream(fresh_app):
    """Real threads, each with its own connection, confirm at the same moment: the stream's
    lock makes the second wait and then see the first's allocation, so it refuses."""
    from tracker.extensions import db

    with fresh_app.app_context():
        stream_id = make_stream("RACE-IMPORT", 100_00, name="Race test stream").id
        db.session.commit()
    officers = []
    for email in (OFFICER, OFFICER_2):
        browser = Browser(fresh_app.test_client())
        assert browser.sign_in(email).status_code == 302
        url, page = preview_of(browser, csv_file([row(stream="RACE-IMPORT", amount="60")]))
        assert rows_of(page)[2] == ("create", "")
        officers.append((browser, url, _token(browser, url)))

    barrier = threading.Barrier(len(officers))
    answers: dict[int, int] = {}

    def go(index: int, browser: Browser, url: str, token: str) -> None:
        barrier.wait(timeout=30)
        answers[index] = browser.client.post(
            f"{url}/confirm", data={"csrf_token": token}
        ).status_code

    threads = [
        threading.Thread(target=go, args=(i, *officer)) for i, officer in enumerate(officers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(answers.values()) == [200, 302]  # one imported, one refused
    with fresh_app.app_context():
        total = db.session.scalar(
            select(func.sum(Allocation.amount_pence)).where(Allocation.stream_id == stream_id)
        )
    assert total == 60_00


@pytest.mark.parametrize(
    ("url", "filename"),
    [
        ("/allocations/import/template.csv", "allocations-import-template.csv"),
        ("/allocations/import/template.xlsx", "allocations-import-template.xlsx"),
    ],
)
def test_the_downloadable_template_imports_as_it_is_with_its_example_row(
    officer, transaction, url, filename
):
    upload_page = officer.get("/allocations/import")
    assert soup_of(upload_page).find("a", href=url) is not None
    download = officer.get(url)
    assert download.status_code == 200
    assert filename in download.headers["Content-Disposition"]
    _, preview = preview_of(officer, download.data, filename)
    # One row, the example, which would make a new draft allocation as it stands.
    assert [outcome for outcome, _ in rows_of(preview).values()] == ["create"]
