"""The allocations download imports back as it is: every row matched to its allocation by its
360Giving identifier and shown as changing nothing, nothing created, no errors, in CSV and in
Excel; the download's descriptive columns named and passed over; and a changed row still shown
as the change it is."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.conftest import OFFICER, text_of
from tests.factories import SYSTEM, make_allocation, make_stream
from tests.integration.test_imports import confirm, csv_file, preview_of, row_counts, rows_of
from tests.reading import soup_of
from tracker.domain.allocation_file import FOR_INFORMATION
from tracker.models import AllocationStatus, AllocationYear
from tracker.services import streams as stream_service

pytestmark = pytest.mark.both_databases


def counts_on(page) -> dict[str, int]:
    found = soup_of(page)
    return {
        outcome: int(found.find(id=f"count-{outcome}").get_text(strip=True).replace(",", ""))
        for outcome in ("create", "update", "unchanged", "error")
    }


def two_year_draft(transaction):
    """A draft over two financial years, split unevenly (so a lost profile would show)."""
    stream = make_stream("ROUND-TRIP", 1_000_000_00)
    stream.last_year = 2021

    stream_service.set_budget(SYSTEM, stream, 2021, resource_pence=1_000_000_00, capital_pence=0)
    made = make_allocation(
        stream,
        30_000_00,
        title="Two years",
        dates={
            "awarded_on": date(2020, 6, 1),
            "planned_start": date(2020, 7, 1),
            "planned_end": date(2022, 3, 31),
            "profile": {2020: 10_000_00, 2021: 20_000_00},
        },
    )
    transaction.commit()
    return made


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_allocations_download_imports_back_unchanged(signed_in, transaction, kind):
    draft = two_year_draft(transaction)
    officer = signed_in(OFFICER)
    download = officer.get(f"/exports/allocations.{kind}")
    assert download.status_code == 200
    content = download.get_data()
    listed = (
        csv_rows(download)
        if kind == "csv"
        else list(load_workbook(io.BytesIO(content), read_only=True).active.values)[1:]
    )
    before = row_counts(transaction)

    url, page = preview_of(officer, content, f"allocations.{kind}")

    counts = counts_on(page)
    assert counts == {"create": 0, "update": 0, "unchanged": len(listed), "error": 0}
    outcomes = rows_of(page)
    assert len(outcomes) == len(listed)
    assert {outcome for outcome, _ in outcomes.values()} == {"unchanged"}
    ignored = soup_of(page).find(id="ignored-columns").get_text(" ", strip=True)
    for name in ("Stream", "Funder", "Status", "Region"):
        assert name in ignored
    assert "2020-21" not in ignored, "a year's share is imported, not passed over"
    # The two-year draft's profile went out and came back: its row changes nothing.
    assert draft.identifier in text_of(page)

    confirmed = confirm(officer, url)
    assert confirmed.status_code == 302
    assert f"0 allocations created and 0 updated ({len(listed):,} had no changes)" in text_of(
        officer.get(confirmed.headers["Location"])
    )
    allocations, years, events = row_counts(transaction)
    assert (allocations, years) == before[:2], "nothing created, no profile rewritten"
    assert events == before[2] + 1, "only the import's own event"


def test_the_download_has_every_years_share_and_the_columns_the_import_reads(
    signed_in, transaction
):
    draft = two_year_draft(transaction)
    rows = csv_rows(signed_in(OFFICER).get("/exports/allocations.csv"))
    mine = next(row for row in rows if row["360Giving identifier"] == draft.identifier)
    assert (mine["2020-21 (£)"], mine["2021-22 (£)"]) == ("10000.00", "20000.00")
    assert mine["Amount awarded (£)"] == "30000.00"
    assert set(FOR_INFORMATION) <= set(mine)
    shares = {
        (a.allocation_id, a.financial_year)
        for a in transaction.query(AllocationYear).filter(AllocationYear.amount_pence > 0)
    }
    assert sum(
        1 for row in rows for key in row if key.endswith(" (£)") and key[:2] == "20" and row[key]
    ) == len(shares)


def test_a_changed_row_in_a_download_is_still_the_change_it_is(signed_in, transaction):
    draft = two_year_draft(transaction)
    officer = signed_in(OFFICER)
    rows = csv_rows(officer.get("/exports/allocations.csv"))
    header = list(rows[0])
    active = next(row for row in rows if row["Status"] == AllocationStatus.ACTIVE.value)
    for row in rows:
        if row["360Giving identifier"] == draft.identifier:
            row["2021-22 (£)"], row["2020-21 (£)"] = "15000.00", "15000.00"
        if row is active:
            row["Title"] = active["Title"] + " (renamed)"
    content = csv_file([[row[key] for key in header] for row in rows], header)

    _, page = preview_of(officer, content)

    outcomes = {
        rows[number - 2]["360Giving identifier"]: outcome
        for number, outcome in rows_of(page).items()
    }
    assert outcomes[draft.identifier][0] == "update"
    assert outcomes[active["360Giving identifier"]][0] == "error"
    assert "only a draft can be updated" in outcomes[active["360Giving identifier"]][1]
    assert counts_on(page)["unchanged"] == len(rows) - 2
