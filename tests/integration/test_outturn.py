"""The year-end outturn: for each stream and financial year, the budget against a forecast
outturn made, grant by grant and quarter by quarter, of reported spend, else the grantees'
latest forecast, else the profile; flagged from 1 October when further from the budget than
the stream's margin, on the stream page, the minister's summary and the year-end dashboard, and
emailed to the stream's officers once a week.

The seeded Trusted Relationship Fund has a £3,700,000 budget for 2020-21 and eleven active
grants of £300,000, each profiled in 2020-21 (£75,000 a quarter)."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import OFFICER, OFFICER_2, VIEWER, text_of
from tests.integration.test_dashboards import (
    figure,
    report_spend,
    row_for,
    table,
    trf_allocation,
)
from tests.integration.test_streams import events_for
from tests.reading import error_beside, soup_of, value_of
from tracker.data.reporting import Filters
from tracker.extensions import db
from tracker.models import (
    AllocationStatus,
    FundingStream,
    OutboxMessage,
    Payment,
    PaymentStatus,
    ReturnForecast,
)
from tracker.services import outturn
from tracker.totals import tracking

YEAR = "?year=2020"
OCTOBER = date(2020, 10, 5)  # a Monday, in quarter 3 of 2020-21


def birmingham_reports_and_forecasts(session):
    """Birmingham reports £12,345 for quarter 2 and forecasts £50,000 for quarter 3."""
    grant = trf_allocation(session, "GB-LAE-BIR")
    reported = report_spend(session, grant, 12_345, period_start=date(2020, 7, 1))
    reported.forecasts.append(
        ReturnForecast(period_start=date(2020, 10, 1), amount_pence=50_000_00)
    )
    session.flush()
    return grant


def trf_row(session, today=OCTOBER):
    found = outturn.year_end(Filters(financial_year=2020), today)
    row = next(r for r in found.rows if r.name == "Trusted Relationship Fund")
    return found, row


def test_each_quarter_counts_reported_spend_else_a_forecast_else_the_profile(transaction):
    birmingham_reports_and_forecasts(transaction)
    _, row = trf_row(transaction)
    assert row.budget_pence == 3_700_000_00
    assert row.committed_pence == 3_300_000_00
    assert row.reported_pence == 12_345_00  # quarter 2, where Birmingham reported
    assert row.forecast_pence == 50_000_00  # quarter 3, where it forecast
    # Birmingham's quarters 1 and 4, and every quarter of the other ten grants.
    assert row.profile_pence == 2 * 75_000_00 + 10 * 300_000_00
    assert row.outturn_pence == 3_212_345_00
    assert row.difference_pence == -487_655_00
    # The running totals agree with the live rows.
    assert tracking.check(db.session) == []


def test_a_closed_grant_counts_only_what_it_reported(transaction):
    grant = birmingham_reports_and_forecasts(transaction)
    grant.status = AllocationStatus.CLOSED
    transaction.flush()
    _, row = trf_row(transaction)
    assert row.reported_pence == 12_345_00
    assert row.forecast_pence == 0  # its forecast is ignored
    assert row.profile_pence == 10 * 300_000_00  # and its unreported quarters
    assert row.committed_pence == 3_300_000_00  # its money stays committed
    assert tracking.check(db.session) == []


def test_a_forecast_for_a_quarter_after_the_grant_ends_is_ignored(transaction):
    """A variation brings Birmingham's end forward to 30 September 2020, after it forecast
    £50,000 for quarter 3: nothing is spent on a grant after it ends."""
    grant = birmingham_reports_and_forecasts(transaction)
    grant.planned_end = date(2020, 9, 30)
    transaction.flush()
    _, row = trf_row(transaction)
    assert row.reported_pence == 12_345_00
    assert row.forecast_pence == 0
    assert row.profile_pence == 3 * 75_000_00 + 10 * 300_000_00  # its profile stands for Q3
    assert tracking.check(db.session) == []
    grant.planned_end = date(2020, 12, 31)  # and back: the forecast counts again
    transaction.flush()
    _, row = trf_row(transaction)
    assert row.forecast_pence == 50_000_00
    assert tracking.check(db.session) == []


def test_a_payment_approved_and_not_yet_paid_counts_in_the_year_it_was_approved(transaction):
    grant = trf_allocation(transaction, "GB-LAE-MAN")
    transaction.add(
        Payment(
            allocation_id=grant.id,
            amount_pence=20_000_00,
            status=PaymentStatus.APPROVED,
            approved_at=datetime(2021, 3, 30, 16),
        )
    )
    transaction.flush()
    _, row = trf_row(transaction)
    assert row.approved_unpaid_pence == 20_000_00
    assert tracking.check(db.session) == []


@pytest.mark.parametrize(
    ("today", "margin", "flagged"),
    [
        (OCTOBER, 5, "under"),  # 13.2% under a 5% margin
        (date(2020, 9, 30), 5, None),  # quarter 2: too early to flag
        (date(2021, 4, 1), 5, None),  # the year is over
        (OCTOBER, 14, None),  # within a wider margin
        (OCTOBER, 13, "under"),
    ],
)
def test_a_stream_is_flagged_from_1_october_beyond_its_margin(transaction, today, margin, flagged):
    birmingham_reports_and_forecasts(transaction)
    stream = transaction.scalar(select(FundingStream).where(FundingStream.code == "TRF"))
    stream.outturn_margin_percent = margin
    transaction.flush()
    found, row = trf_row(transaction, today)
    assert found.flags.get(row.stream_id) == flagged


def test_over_budget_is_flagged_as_over(transaction):
    grant = trf_allocation(transaction, "GB-LAE-BIR")
    reported = report_spend(transaction, grant, 100, period_start=date(2020, 7, 1))
    reported.forecasts.append(
        ReturnForecast(period_start=date(2020, 10, 1), amount_pence=700_000_00)
    )
    transaction.flush()
    found, row = trf_row(transaction)
    # 3,700,000 budget; outturn 75,000 + 100 + 700,000 + 75,000 + 3,000,000 = 3,850,100 (4.1%).
    assert row.outturn_pence == 3_850_100_00
    assert found.flags.get(row.stream_id) is None
    row.margin_percent = 4
    assert outturn.flag(row, found.year, OCTOBER) == "over"


def test_the_year_end_dashboard_shows_budget_against_forecast_outturn(
    signed_in, transaction, clock
):
    birmingham_reports_and_forecasts(transaction)
    clock.moment = datetime(2020, 10, 5, 12)
    page = signed_in(VIEWER).get("/dashboards/year-end" + YEAR)
    trf = row_for(table(page, "outturn"), "Trusted Relationship Fund")
    assert trf == [
        "Trusted Relationship Fund",
        "£3,700,000.00",
        "£3,212,345.00",
        "-\u2060£487,655.00",  # a word joiner: never broken after its minus
        "Flagged: under by more than 5%",
    ]
    made_of = row_for(table(page, "made-of"), "Trusted Relationship Fund")
    assert made_of[4:] == ["£12,345.00", "£50,000.00", "£3,150,000.00"]
    # The chart draws the same figures as the table.
    traces = {t["name"]: t for t in figure(page, "outturn")["data"]}
    at = traces["Forecast outturn"]["y"].index("Trusted Relationship Fund")
    assert traces["Forecast outturn"]["x"][at] == 3_212_345
    assert traces["Budget"]["x"][at] == 3_700_000
    csv = signed_in(VIEWER).get("/dashboards/figures.csv?dashboard=year-end&year=2020")
    assert "Trusted Relationship Fund,3700000.00,3212345.00,-487655.00" in csv.text


def test_without_a_chosen_year_it_shows_the_latest_year_with_a_budget_and_says_so(signed_in):
    page = signed_in(VIEWER).get("/dashboards/year-end")
    words = text_of(page)
    assert "Forecast outturn against budget, 2021-22" in words
    assert "No stream has a budget for" in words


def test_the_stream_page_warns_and_names_the_grants_that_drive_it(
    signed_in, transaction, clock
):
    birmingham_reports_and_forecasts(transaction)
    clock.moment = datetime(2020, 10, 5, 12)
    stream = transaction.scalar(select(FundingStream).where(FundingStream.code == "TRF"))
    page = signed_in(OFFICER).get(f"/streams/{stream.id}")
    soup = soup_of(page)
    warning = " ".join(soup.find(id="outturn-flag").get_text(" ").split())
    assert "£487,655 under budget (13.2%)" in warning
    drivers = soup.find(id="outturn-drivers")
    rows = [" ".join(r.get_text(" ").split()) for r in drivers.find("tbody").find_all("tr")]
    assert len(rows) == 1 and "Birmingham City Council" in rows[0]
    assert "£300,000.00 £212,345.00" in rows[0]


def test_the_summary_lists_flagged_streams_in_the_current_year(signed_in, transaction, clock):
    birmingham_reports_and_forecasts(transaction)
    clock.moment = datetime(2020, 10, 5, 12)
    page = signed_in(VIEWER).get("/summary")
    item = soup_of(page).find(id="year-end").get_text(" ")
    assert "Trusted Relationship Fund: £3,212,345 forecast against a budget of £3,700,000" in (
        " ".join(item.split())
    )


def test_the_stream_officers_hear_once_a_week(transaction):
    birmingham_reports_and_forecasts(transaction)

    def emails():
        return transaction.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "year-end outturn")
        ).all()

    assert outturn.send_weekly_warnings(date(2020, 9, 30)) == 0  # before quarter 3
    queued = outturn.send_weekly_warnings(OCTOBER)
    sent = emails()
    assert queued == len(sent) >= 2
    trf = [m for m in sent if m.subject.startswith("Trusted Relationship Fund")]
    assert {m.to_address for m in trf} == {OFFICER, OFFICER_2}  # who drafted and approved
    body = trf[0].body
    assert "13.2%" in body and "more than its margin of 5%" in body
    assert "Birmingham City Council" in body
    assert "Manchester City Council" not in body  # on profile: not a driver
    assert outturn.send_weekly_warnings(date(2020, 10, 9)) == 0  # the same week
    assert outturn.send_weekly_warnings(date(2020, 10, 12)) == queued  # the next
    count = transaction.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.kind == "year-end outturn")
    )
    assert count == 2 * queued


def margin_answers(stream, typed: str) -> dict:
    return {
        "code": stream.code,
        "name": stream.name,
        "department": str(stream.department_id or ""),
        "funder_note": stream.funder_note,
        "announced": "3700000",
        "announced_on": [str(stream.announced_on.day), str(stream.announced_on.month), "2020"],
        "first_year": "2020",
        "last_year": "2020",
        "reporting_frequency": "quarterly",
        "description": stream.description,
        "source_citation": stream.source_citation,
        "outturn_margin": typed,
        **({"requires_certifier_sign_off": "y"} if stream.requires_certifier_sign_off else {}),
    }


def test_the_margin_is_set_on_the_stream_and_audited(signed_in, transaction):
    stream = transaction.scalar(select(FundingStream).where(FundingStream.code == "TRF"))
    officer = signed_in(OFFICER)
    assert value_of(officer.get(f"/streams/{stream.id}/edit"), "outturn_margin") == "5"
    response = officer.post(f"/streams/{stream.id}/edit", margin_answers(stream, "10"))
    assert response.status_code == 302, text_of(response)[:600]
    transaction.refresh(stream)
    assert stream.outturn_margin_percent == 10
    changed = events_for(transaction, "funding_stream", stream.id)[-1]
    assert changed.before == {"outturn_margin_percent": 5}
    assert changed.after == {"outturn_margin_percent": 10}
    assert "10% of the year's budget" in text_of(officer.get(f"/streams/{stream.id}"))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the margin for the year-end flag"),
        ("-1", "The margin for the year-end flag must be 0 or more"),
        ("101", "The margin for the year-end flag must be 100% or less"),
        ("5.5", "Enter the margin for the year-end flag as a whole number, like 12"),
    ],
)
def test_a_margin_that_is_not_a_whole_percentage_is_refused(signed_in, transaction, typed, message):
    stream = transaction.scalar(select(FundingStream).where(FundingStream.code == "TRF"))
    answers = margin_answers(stream, typed)
    answers["name"] = "Kept while the margin is wrong"
    response = signed_in(OFFICER).post(f"/streams/{stream.id}/edit", answers)
    assert response.status_code == 200
    assert message in error_beside(response, "outturn_margin")
    assert value_of(response, "name") == "Kept while the margin is wrong"  # answers kept
    transaction.refresh(stream)
    assert stream.outturn_margin_percent == 5  # nothing saved
    assert stream.name == "Trusted Relationship Fund"
