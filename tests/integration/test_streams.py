"""Funding streams: the list with its totals, a stream's page, setting one up, its yearly
budget, changing it, who may do what, and the history every change leaves."""

import pytest
from sqlalchemy import func, select

from tests.conftest import OFFICER, OFFICER_NAME, VIEWER, text_of
from tests.factories import stream
from tests.reading import count, error_beside, history_rows, soup_of, value_of
from tracker.models import AuditEvent, Department, FundingStream, StreamBudget

# --- helpers -----------------------------------------------------------------------------------


def row_cells(response, code: str) -> dict[str, str]:
    row = soup_of(response).find("tr", attrs={"data-stream": code})
    assert row is not None, f"no row for {code} in the streams table"
    return {
        cell["data-column"]: " ".join(cell.get_text(" ").split())
        for cell in row.find_all("td", attrs={"data-column": True})
    }


def year_rows(response) -> dict[str, list[str]]:
    table = soup_of(response).find("table", id="budget-by-year")
    assert table is not None, "no budget-by-year table"
    return {
        row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.find_all("td")]
        for row in table.tbody.find_all("tr")
    }


def events_for(session, object_type: str, object_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
            .order_by(AuditEvent.id)
        )
    )


def home_office_id(session) -> str:
    return str(session.scalars(select(Department).where(Department.name == "Home Office")).one().id)


def new_stream_answers(session, **changes) -> dict:
    answers = {
        "code": "ONLINE-HARMS",
        "name": "Online harms to children fund",
        "department": home_office_id(session),
        "funder_note": "Named in a test",
        "announced": "£1,500,000",
        "announced_on": ["21", "5", "2020"],
        "first_year": "2020",
        "last_year": "2021",
        "reporting_frequency": "monthly",
        "outturn_margin": "5",
        "ggis_scheme_id": "GGIS-TEST-1",
        "description": "Help for children harmed online",
        "source_citation": "A test's own words",
    }
    answers.update(changes)
    return answers


# --- the list and a stream's page ---------------------------------------------------------------


def test_the_streams_list_shows_budget_allocated_remaining_and_share_for_each_stream(signed_in):
    response = signed_in(OFFICER).get("/streams")
    assert response.status_code == 200
    assert row_cells(response, "TRF") == {
        "budget": "£3,700,000.00",
        "allocated": "£3,300,000.00",
        "remaining": "£400,000.00",
        "percent": "89.2%",
    }
    swis = row_cells(response, "SWIS")
    assert swis["budget"] == "£6,500,000.00"
    # Lambeth £450k + Southampton £380k + Stockport £320k.
    assert swis["allocated"] == "£1,150,000.00"
    assert swis["remaining"] == "£5,350,000.00"
    assert swis["percent"] == "17.7%"
    # A stream nobody has allocated from yet.
    assert row_cells(response, "CSA-STF") == {
        "budget": "£2,800,000.00",
        "allocated": "£0.00",
        "remaining": "£2,800,000.00",
        "percent": "0.0%",
    }
    # The draft counts: money promised in a draft is not free for anyone else.
    assert row_cells(response, "DA-CHARITIES")["allocated"] == "£150,000.00"
    rows = soup_of(response).find("table", id="stream-totals").tbody.find_all("tr")
    assert len(rows) == 8


def test_a_withdrawn_allocation_does_not_count_in_the_streams_totals(signed_in, transaction):
    from tracker.models import Allocation, AllocationStatus

    draft = transaction.scalars(
        select(Allocation).where(Allocation.identifier == "360G-HHT-DEMO-DA-NETWORK")
    ).one()
    draft.status = AllocationStatus.WITHDRAWN
    transaction.commit()  # a savepoint, rolled back with the rest at the end of the test
    cells = row_cells(signed_in(OFFICER).get("/streams"), "DA-CHARITIES")
    assert cells["allocated"] == "£0.00"
    assert cells["remaining"] == "£2,000,000.00"


def test_a_streams_page_shows_its_budget_by_financial_year_and_its_allocations(
    signed_in, transaction
):
    swis = stream(transaction, "SWIS")
    response = signed_in(OFFICER).get(f"/streams/{swis.id}")
    assert response.status_code == 200
    page = text_of(response)
    assert "Social workers in schools" in page
    soup = soup_of(response)
    assert soup.find(id="figure-budget").get_text(strip=True) == "£6,500,000.00"
    assert soup.find(id="figure-allocated").get_text(strip=True) == "£1,150,000.00"
    assert soup.find(id="figure-remaining").get_text(strip=True) == "£5,350,000.00"
    # Per year: RDEL, CDEL, budget, allocated, remaining. Each allocation is split equally.
    assert year_rows(response) == {
        "2020-21": [
            "£3,250,000.00",
            "£0.00",
            "£3,250,000.00",
            "£575,000.00",
            "£2,675,000.00",
        ],
        "2021-22": [
            "£3,250,000.00",
            "£0.00",
            "£3,250,000.00",
            "£575,000.00",
            "£2,675,000.00",
        ],
    }
    allocations = soup.find("table", id="allocations").tbody.find_all("tr")
    listed = [" ".join(row.get_text(" ").split()) for row in allocations]
    assert len(listed) == 3
    assert any("London Borough of Lambeth" in r and "£450,000.00" in r for r in listed)
    assert any("Southampton City Council" in r and "£380,000.00" in r for r in listed)
    assert any(
        "Stockport Metropolitan Borough Council" in r and "Offered" in r and "£320,000.00" in r
        for r in listed
    )


def test_a_stream_that_does_not_exist_is_not_found(signed_in):
    assert signed_in(OFFICER).get("/streams/999999").status_code == 404


# --- setting up a stream -----------------------------------------------------------------------


def test_an_officer_sets_up_a_stream_and_it_is_stored_and_audited(signed_in, transaction):
    officer = signed_in(OFFICER)
    response = officer.post("/streams/new", new_stream_answers(transaction, code="online-harms"))
    assert response.status_code == 302, text_of(response)[:600]
    made = stream(transaction, "ONLINE-HARMS")  # the code is kept in capitals
    assert response.headers["Location"].endswith(f"/streams/{made.id}")
    assert made.name == "Online harms to children fund"
    assert made.announced_pence == 1_500_000_00
    assert made.announced_on.isoformat() == "2020-05-21"
    assert (made.first_year, made.last_year) == (2020, 2021)
    assert made.reporting_frequency.value == "monthly"
    assert made.department.name == "Home Office"
    assert made.ggis_scheme_id == "GGIS-TEST-1"

    page = officer.get(response.headers["Location"])
    assert "Online harms to children fund has been set up" in text_of(page)
    # No budget yet: both years are there, with nothing in them.
    assert year_rows(page) == {
        "2020-21": ["£0.00"] * 5,
        "2021-22": ["£0.00"] * 5,
    }
    [created] = events_for(transaction, "funding_stream", made.id)
    assert created.action == "stream created"
    assert created.actor.email == OFFICER
    assert created.before is None
    assert created.after["code"] == "ONLINE-HARMS"
    assert created.after["announced_pence"] == 1_500_000_00
    assert created.after["announced_on"] == "2020-05-21"
    [shown] = history_rows(officer.get(f"/streams/{made.id}/history"))
    assert shown["sentence"].startswith(
        f"{OFFICER_NAME} created the stream “Online harms to children fund”: "
        "the code “ONLINE-HARMS”"
    )
    assert "the announced amount £1,500,000, the announcement date 21 May 2020" in (
        shown["sentence"]
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the name of the stream"),
        ({"name": "   "}, "name", "Enter the name of the stream"),
        ({"code": "swis"}, "code", "Another stream already has this code"),
        (
            {"first_year": "2021", "last_year": "2020"},
            "last_year",
            "The last financial year must be the same as or after the first",
        ),
        ({"announced": "abc"}, "announced", "Enter the amount announced in pounds"),
        ({"announced": "-5"}, "announced", "The amount announced must be £0 or more"),
        (
            {"announced": "1.234"},
            "announced",
            "The amount announced must not have more than 2 decimal places",
        ),
        ({"announced": ""}, "announced", "Enter the amount announced"),
        ({"announced_on": ["31", "2", "2020"]}, "announced_on", "must be a real date"),
    ],
    ids=[
        "empty name",
        "blank name",
        "duplicate code",
        "last year before first",
        "amount abc",
        "amount -5",
        "amount 1.234",
        "no amount",
        "31 February",
    ],
)
def test_a_stream_with_a_bad_answer_is_refused_beside_the_field_and_nothing_is_stored(
    signed_in, transaction, changes, field, message
):
    officer = signed_in(OFFICER)
    streams_before = count(transaction, FundingStream)
    events_before = count(transaction, AuditEvent)
    answers = new_stream_answers(transaction, **changes)

    response = officer.post("/streams/new", answers)

    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert soup_of(response).title.get_text().startswith("Error: ")
    assert message in soup_of(response).find(class_="govuk-error-summary").get_text(" ")
    # The other answers are kept, as typed.
    for other in ("code", "name", "announced", "ggis_scheme_id", "funder_note"):
        if other not in changes:
            assert value_of(response, other) == answers[other], other
    if "first_year" not in changes:
        assert value_of(response, "first_year") == "2020"
        assert value_of(response, "last_year") == "2021"
    assert value_of(response, "department") == answers["department"]
    assert value_of(response, "description").strip() == "Help for children harmed online"
    if "announced_on" not in changes:
        assert value_of(response, "announced_on-day") == "21"
        assert value_of(response, "announced_on-year") == "2020"
    # Nothing stored.
    assert count(transaction, FundingStream) == streams_before
    assert count(transaction, AuditEvent) == events_before


# --- a year's budget ---------------------------------------------------------------------------


def test_an_officer_sets_a_years_resource_and_capital_budget(signed_in, transaction):
    swis = stream(transaction, "SWIS")
    officer = signed_in(OFFICER)
    response = officer.post(
        f"/streams/{swis.id}/budget",
        {"financial_year": "2021", "resource": "£3,000,000", "capital": "250000.50"},
    )
    assert response.status_code == 302, text_of(response)[:600]
    budget = transaction.scalars(
        select(StreamBudget).where(
            StreamBudget.stream_id == swis.id, StreamBudget.financial_year == 2021
        )
    ).one()
    assert (budget.resource_pence, budget.capital_pence) == (3_000_000_00, 250_000_50)

    page = officer.get(f"/streams/{swis.id}")
    assert "The 2021-22 budget has been set" in text_of(page)
    assert year_rows(page)["2021-22"] == [
        "£3,000,000.00",
        "£250,000.50",
        "£3,250,000.50",
        "£575,000.00",
        "£2,675,000.50",
    ]
    assert soup_of(page).find(id="figure-budget").get_text(strip=True) == "£6,500,000.50"
    # The streams list agrees.
    assert row_cells(officer.get("/streams"), "SWIS")["budget"] == "£6,500,000.50"

    event = events_for(transaction, "funding_stream", swis.id)[-1]
    assert event.action == "budget set"
    assert event.actor.email == OFFICER
    assert event.before == {
        "financial_year": 2021,
        "resource_pence": 3_250_000_00,
        "capital_pence": 0,
    }
    assert event.after == {
        "financial_year": 2021,
        "resource_pence": 3_000_000_00,
        "capital_pence": 250_000_50,
    }
    on_budget_row = events_for(transaction, "stream_budget", budget.id)[-1]
    assert on_budget_row.after == event.after


def test_a_years_budget_cannot_fall_below_what_is_allocated_in_that_year(signed_in, transaction):
    swis = stream(transaction, "SWIS")
    officer = signed_in(OFFICER)
    events_before = count(transaction, AuditEvent)
    # £575,000 of 2020-21 is allocated (Lambeth, Southampton, Stockport).
    response = officer.post(
        f"/streams/{swis.id}/budget",
        {"financial_year": "2020", "resource": "500000", "capital": "74999.99"},
    )
    assert response.status_code == 200
    assert (
        "The budget for 2020-21 must be at least £575,000.00: that much is already allocated"
        in error_beside(response, "resource")
    )
    assert value_of(response, "resource") == "500000"
    assert value_of(response, "capital") == "74999.99"
    budget = transaction.scalars(
        select(StreamBudget).where(
            StreamBudget.stream_id == swis.id, StreamBudget.financial_year == 2020
        )
    ).one()
    transaction.refresh(budget)
    assert (budget.resource_pence, budget.capital_pence) == (3_250_000_00, 0)
    assert count(transaction, AuditEvent) == events_before


def test_a_years_budget_may_be_exactly_what_is_allocated(signed_in, transaction):
    swis = stream(transaction, "SWIS")
    response = signed_in(OFFICER).post(
        f"/streams/{swis.id}/budget",
        {"financial_year": "2020", "resource": "500000", "capital": "75000"},
    )
    assert response.status_code == 302, text_of(response)[:600]
    assert year_rows(signed_in(OFFICER).get(f"/streams/{swis.id}"))["2020-21"][-1] == "£0.00"


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"resource": "-1", "capital": "0"}, "resource", "must be £0 or more"),
        ({"resource": "1000", "capital": "1.001"}, "capital", "not have more than 2 decimal"),
        ({"resource": "lots", "capital": "0"}, "resource", "in pounds, like 1250.50"),
        ({"resource": "", "capital": "0"}, "resource", "Enter the resource budget"),
    ],
)
def test_a_budget_in_bad_money_is_refused_beside_the_field(
    signed_in, transaction, answers, field, message
):
    trf = stream(transaction, "TRF")
    officer = signed_in(OFFICER)
    events_before = count(transaction, AuditEvent)
    response = officer.post(f"/streams/{trf.id}/budget", {"financial_year": "2020", **answers})
    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert count(transaction, AuditEvent) == events_before


def test_a_budget_can_only_be_set_for_one_of_the_streams_years(signed_in, transaction):
    trf = stream(transaction, "TRF")  # 2020-21 only
    response = signed_in(OFFICER).post(
        f"/streams/{trf.id}/budget", {"financial_year": "2021", "resource": "1", "capital": "0"}
    )
    assert response.status_code == 200
    assert error_beside(response, "financial_year")
    assert (
        transaction.scalar(
            select(func.count())
            .select_from(StreamBudget)
            .where(StreamBudget.stream_id == trf.id, StreamBudget.financial_year == 2021)
        )
        == 0
    )


# --- changing a stream -------------------------------------------------------------------------


def test_the_change_form_starts_with_the_streams_current_answers(signed_in, transaction):
    swis = stream(transaction, "SWIS")
    response = signed_in(OFFICER).get(f"/streams/{swis.id}/edit")
    assert response.status_code == 200
    assert value_of(response, "code") == "SWIS"
    assert value_of(response, "name") == swis.name
    assert value_of(response, "announced") == "6500000.00"
    assert value_of(response, "first_year") == "2020"
    assert value_of(response, "last_year") == "2021"
    assert value_of(response, "department") == str(swis.department_id)
    day, month, year = (
        value_of(response, f"announced_on-{part}") for part in ("day", "month", "year")
    )
    assert (int(day), int(month), int(year)) == (
        swis.announced_on.day,
        swis.announced_on.month,
        swis.announced_on.year,
    )


def test_an_officer_changes_a_stream_and_the_history_shows_before_and_after(signed_in, transaction):
    flows = stream(transaction, "FLOWS")
    officer = signed_in(OFFICER)
    old_name = flows.name
    answers = {
        "code": "FLOWS",
        "name": "FLOWS: finding legal options for women survivors",
        "department": "",
        "funder_note": flows.funder_note,
        "announced": "800,000",
        "announced_on": [
            str(flows.announced_on.day),
            str(flows.announced_on.month),
            str(flows.announced_on.year),
        ],
        "first_year": "2020",
        "last_year": "2020",
        "reporting_frequency": "quarterly",
        "outturn_margin": "5",
        "ggis_scheme_id": "",
        "description": flows.description,
        "source_citation": flows.source_citation,
    }
    response = officer.post(f"/streams/{flows.id}/edit", answers)
    assert response.status_code == 302, text_of(response)[:800]
    transaction.refresh(flows)
    assert flows.name == "FLOWS: finding legal options for women survivors"
    assert flows.announced_pence == 800_000_00

    changed = events_for(transaction, "funding_stream", flows.id)[-1]
    assert changed.action == "stream changed"
    assert changed.actor.email == OFFICER
    # Only what changed is recorded.
    assert changed.before == {"name": old_name}
    assert changed.after == {"name": "FLOWS: finding legal options for women survivors"}

    history = officer.get(f"/streams/{flows.id}/history")
    assert history.status_code == 200
    assert f"History of {flows.name}" in text_of(history)
    rows = history_rows(history)
    assert rows[0]["sentence"] == (
        f"{OFFICER_NAME} changed the stream “FLOWS: finding legal options for women survivors”: "
        f"the name from “{old_name}” to “FLOWS: finding legal options for women survivors”."
    )
    # Its setting up and first budget, by the seed, are there too (oldest last).
    assert rows[1]["sentence"].startswith("The service set the budget of")
    assert rows[-1]["sentence"].startswith("The service created the stream")


def test_changing_a_stream_to_another_streams_code_is_refused(signed_in, transaction):
    flows = stream(transaction, "FLOWS")
    officer = signed_in(OFFICER)
    events_before = count(transaction, AuditEvent)
    response = officer.post(
        f"/streams/{flows.id}/edit",
        {
            "code": "TRF",
            "name": flows.name,
            "department": "",
            "announced": "800000",
            "announced_on": ["21", "5", "2020"],
            "first_year": "2020",
            "last_year": "2020",
            "reporting_frequency": "quarterly",
            "outturn_margin": "5",
        },
    )
    assert response.status_code == 200
    assert "Another stream already has this code" in error_beside(response, "code")
    transaction.refresh(flows)
    assert flows.code == "FLOWS"
    assert count(transaction, AuditEvent) == events_before


def test_the_budget_history_appears_on_the_streams_history_page(signed_in, transaction):
    csa = stream(transaction, "CSA-STF")
    officer = signed_in(OFFICER)
    assert (
        officer.post(
            f"/streams/{csa.id}/budget",
            {"financial_year": "2020", "resource": "2,000,000", "capital": "800,000"},
        ).status_code
        == 302
    )
    newest = history_rows(officer.get(f"/streams/{csa.id}/history"))[0]
    assert newest["sentence"] == (
        f"{OFFICER_NAME} set the budget of “{csa.name}” for 2020-21: "
        "resource (RDEL) from £2,800,000 to £2,000,000 and capital (CDEL) from £0 to £800,000."
    )


# --- who may do what ---------------------------------------------------------------------------


def test_the_ministers_office_can_read_streams_but_not_change_them(signed_in, transaction):
    swis = stream(transaction, "SWIS")
    viewer = signed_in(VIEWER)
    listing = viewer.get("/streams")
    assert listing.status_code == 200
    assert row_cells(listing, "TRF")["remaining"] == "£400,000.00"
    assert "Set up a funding stream" not in text_of(listing)
    page = viewer.get(f"/streams/{swis.id}")
    assert page.status_code == 200
    assert "Set a year's budget" not in text_of(page)
    assert "Change the stream's details" not in text_of(page)

    streams_before = count(transaction, FundingStream)
    events_before = count(transaction, AuditEvent)
    for url in ("/streams/new", f"/streams/{swis.id}/edit", f"/streams/{swis.id}/budget"):
        assert viewer.get(url).status_code == 403, url
        # A post (even with a good CSRF token, read from a page the viewer can see) is refused.
        refused = viewer.post(
            url,
            {"code": "VIEWER", "name": "Viewer's stream", "financial_year": "2020"},
            form_page="/streams",
        )
        assert refused.status_code == 403, url
        assert "You do not have permission to see this page" in text_of(refused)
    assert count(transaction, FundingStream) == streams_before
    assert count(transaction, AuditEvent) == events_before


def test_signed_out_visitors_are_sent_to_sign_in(browser):
    response = browser.get("/streams")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
