"""The dashboards and the minister's summary: figures that match the data, filters kept in the
URL, a CSV of every chart, and the same number of queries whatever the size of the data."""

import csv
import io
import json
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from tests.conftest import FINANCE, LAMBETH_GRANTEE, OFFICER, VIEWER, text_of
from tests.reading import soup_of
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationStatus,
    AllocationYear,
    FundingStream,
    MilestoneReturn,
    Organisation,
    OrganisationType,
    Project,
    Rag,
    ReturnSpend,
    ReturnStatus,
    SpendCategory,
)

DASHBOARDS = [
    "/dashboards",
    "/dashboards/spend-over-time",
    "/dashboards/grantees",
    "/dashboards/returns",
    "/dashboards/outputs",
    "/dashboards/regions",
    "/dashboards/evidence",
    "/dashboards/year-end",
    "/summary",
]


def table(response, slug: str) -> list[list[str]]:
    found = soup_of(response).find(id=f"table-{slug}")
    assert found is not None, f"no table for {slug}"
    return [
        [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["th", "td"])]
        for row in found.find("tbody").find_all("tr")
    ]


def figure(response, slug: str) -> dict:
    return json.loads(soup_of(response).find(id=f"chart-{slug}-data").string)


def row_for(rows, first: str) -> list[str]:
    return next(row for row in rows if row[0] == first)


def report_spend(
    session,
    allocation: Allocation,
    pounds: int,
    *,
    period_start: date,
    status=ReturnStatus.APPROVED,
    rag=Rag.GREEN,
) -> MilestoneReturn:
    project = session.scalar(select(Project).where(Project.allocation_id == allocation.id))
    milestone_return = session.scalar(
        select(MilestoneReturn).where(
            MilestoneReturn.project_id == project.id, MilestoneReturn.period_start == period_start
        )
    )
    milestone_return.status, milestone_return.self_rag = status, rag
    milestone_return.submitted_at = datetime.combine(milestone_return.due_on, datetime.min.time())
    milestone_return.spend.append(
        ReturnSpend(category=SpendCategory.STAFF, amount_pence=pounds * 100)
    )
    session.flush()
    return milestone_return


def trf_allocation(session, org_id: str) -> Allocation:
    return session.scalar(
        select(Allocation)
        .join(Organisation)
        .join(FundingStream)
        .where(FundingStream.code == "TRF", Organisation.org_id == org_id)
    )


@pytest.mark.parametrize("url", DASHBOARDS)
def test_every_dashboard_draws_its_charts_from_json_and_shows_a_table_of_the_same_figures(
    signed_in, url
):
    page = signed_in(VIEWER).get(url)
    assert page.status_code == 200
    soup = soup_of(page)
    charts = soup.select("[data-chart]")
    assert charts, "no chart on the page"
    for chart in charts:
        data = json.loads(soup.find(id=chart["data-chart"]).string)
        assert data["data"], "a chart with no traces"
        slug = chart["id"].removeprefix("chart-")
        assert soup.find(id=f"table-{slug}") is not None, f"chart {slug} has no table beside it"
    assert "Figures as at" in text_of(page)


def test_the_portfolio_shows_each_streams_money_in_the_one_vocabulary(signed_in, transaction):
    lambeth = trf_allocation(transaction, "GB-LAE-BIR")
    report_spend(transaction, lambeth, 12_345, period_start=date(2020, 7, 1))
    page = signed_in(OFFICER).get("/dashboards")
    trf = row_for(table(page, "portfolio"), "Trusted Relationship Fund")
    # Announced, budget, in draft, offered, committed, paid, reported spend.
    assert trf == [
        "Trusted Relationship Fund",
        "£3,700,000.00",
        "£3,700,000.00",
        "£0.00",
        "£0.00",
        "£3,300,000.00",
        "£0.00",
        "£12,345.00",
    ]
    trace = {t["name"]: t for t in figure(page, "portfolio")["data"]}
    index = trace["Committed"]["y"].index("Trusted Relationship Fund")
    assert trace["Committed"]["x"][index] == 3_300_000
    assert trace["Reported spend"]["x"][index] == 12_345


def test_filters_are_kept_in_the_url_and_narrow_the_figures(signed_in, transaction):
    report_spend(
        transaction, trf_allocation(transaction, "GB-LAE-BIR"), 1_000, period_start=date(2020, 7, 1)
    )
    report_spend(
        transaction, trf_allocation(transaction, "GB-LAE-LDS"), 2_000, period_start=date(2020, 7, 1)
    )
    viewer = signed_in(VIEWER)
    regions = table(viewer.get("/dashboards/regions"), "regions")
    assert row_for(regions, "West Midlands")[2] == "£1,000.00"
    assert row_for(regions, "Yorkshire and The Humber")[2] == "£2,000.00"
    narrowed = viewer.get("/dashboards/regions?region=West+Midlands")
    assert [row[0] for row in table(narrowed, "regions")] == ["West Midlands"]
    assert (
        soup_of(narrowed).find(id="region").find("option", selected=True)["value"]
        == "West Midlands"
    )
    # The links to the other dashboards and the CSV keep the filters.
    links = [a["href"] for a in soup_of(narrowed).find_all("a", href=True)]
    assert any(
        h.startswith("/dashboards/figures.csv") and "region=West+Midlands" in h for h in links
    )
    next_year = table(viewer.get("/dashboards/regions?year=2021"), "regions")
    assert all(row[2] == "£0.00" for row in next_year)


def test_the_csv_of_a_chart_holds_the_same_figures_as_its_table(signed_in, transaction):
    report_spend(
        transaction, trf_allocation(transaction, "GB-LAE-MAN"), 4_321, period_start=date(2020, 7, 1)
    )
    officer = signed_in(OFFICER)
    rows = table(
        officer.get(
            "/dashboards/grantees?stream="
            f"{transaction.scalar(select(FundingStream.id).where(FundingStream.code == 'TRF'))}"
        ),
        "grantees",
    )
    response = officer.get(
        "/dashboards/figures.csv?dashboard=grantees&panel=grantees&stream="
        f"{transaction.scalar(select(FundingStream.id).where(FundingStream.code == 'TRF'))}"
    )
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert lines[0] == [
        "Grantee",
        "Committed",
        "Reported spend",
        "Paid",
        "Profile to date",
        "Variance (%)",
    ]
    manchester = next(line for line in lines if line[0] == "Manchester City Council")
    assert manchester[1:3] == ["300000.00", "4321.00"]
    assert len(lines) - 1 == len(rows)
    # A variance is a number in the CSV, never text with the formula guard's quote before it.
    variances = [line[5] for line in lines[1:]]
    assert any(v.startswith("-") for v in variances)
    assert not any(v.startswith("'") for v in variances)
    assert {row[0]: row[5] for row in rows} == {line[0]: line[5] for line in lines[1:]}


def test_returns_are_counted_as_on_time_late_overdue_or_not_yet_due(signed_in, transaction):
    made = report_spend(
        transaction,
        trf_allocation(transaction, "GB-LAE-NET"),
        10,
        period_start=date(2020, 7, 1),
        status=ReturnStatus.SUBMITTED,
    )
    rows = dict(
        (r[0], int(r[1]))
        for r in table(signed_in(OFFICER).get("/dashboards/returns"), "timeliness")
    )
    open_overdue = transaction.scalar(
        select(db.func.count(MilestoneReturn.id)).where(
            MilestoneReturn.status == ReturnStatus.NOT_STARTED,
            MilestoneReturn.due_on < date.today(),
        )
    )
    assert rows["Overdue"] == open_overdue
    assert rows["On time"] >= 1
    assert made.submitted_at.date() <= made.due_on


def test_the_ministers_summary_shows_headlines_risks_and_no_personal_data(signed_in, transaction):
    report_spend(
        transaction,
        trf_allocation(transaction, "GB-LAE-SHF"),
        50_000,
        period_start=date(2020, 7, 1),
        rag=Rag.RED,
    )
    page = signed_in(VIEWER).get("/summary")
    words = text_of(page)
    # Announced at the summit: not the £12m related measure, and "about" because the source
    # gives the police and law enforcement money as "close to £20m".
    assert "Announced at the summit about £37,200,000" in words
    assert "Announced £49,200,000" not in words
    # Drafts (£150,000) and offers not yet accepted (£320,000) are never committed.
    assert "Committed £4,130,000" in words
    assert "£150,000 in draft and £320,000 offered" in words
    assert "Allocated" not in words
    assert "Reported spend £50,000" in words
    red = text_of_element(page, "red-projects")
    assert "Sheffield City Council" in red
    assert "Trusted Relationship Fund" in text_of_element(page, "overdue")
    assert "@" not in words, "an email address on the minister's summary"
    assert "Illustrative progress report" not in words


def rag_table(response) -> dict[str, list[int]]:
    table = soup_of(response).find(id="table-rag")
    return {
        tr.th.get_text(strip=True): [int(td.get_text(strip=True)) for td in tr.find_all("td")]
        for tr in table.tbody.find_all("tr")
    }


def test_a_reviewers_red_wins_over_a_later_unreviewed_self_rating_everywhere(
    signed_in, transaction
):
    before = rag_table(signed_in(VIEWER).get("/summary"))
    allocation = trf_allocation(transaction, "GB-LAE-SHF")
    reviewed = report_spend(
        transaction, allocation, 10_000, period_start=date(2020, 7, 1), rag=Rag.GREEN
    )
    reviewed.reviewer_rag = Rag.RED  # the department saw it differently
    report_spend(
        transaction,
        allocation,
        10_000,
        period_start=date(2020, 10, 1),
        status=ReturnStatus.SUBMITTED,
        rag=Rag.GREEN,  # the grantee's later word, not yet reviewed
    )
    transaction.commit()
    viewer = signed_in(VIEWER)
    summary = viewer.get("/summary")
    assert "Sheffield City Council" in text_of_element(summary, "red-projects")
    assert "the department's reviewer's" in text_of_element(summary, "rating-rule")
    after = rag_table(summary)
    # The project moves into red, as rated by the reviewer, on the panel beside the list.
    assert after["Red"][0] == before["Red"][0] + 1
    assert sum(map(sum, after.values())) == sum(map(sum, before.values())) + 1
    dashboard = viewer.get("/dashboards/returns")
    assert rag_table(dashboard) == after
    assert "Each project counts once, with the rating it carries now" in text_of(dashboard)


def test_the_summary_keeps_related_measures_apart_and_says_a_total_may_double_count(
    signed_in, transaction
):
    page = signed_in(VIEWER).get("/summary")
    related = text_of_element(page, "related-measures")
    assert "Related measures, not announced at the summit: £12,000,000" in related
    assert "Programmes supporting vulnerable children" in related
    approximate = text_of_element(page, "approximate-note")
    assert "close to £20m" in approximate
    assert "may count some money twice" in approximate
    # With only the related measure chosen, nothing is announced at the summit.
    vulnerable = transaction.scalars(
        select(FundingStream).where(FundingStream.code == "DFE-VULNERABLE")
    ).one()
    words = text_of(signed_in(VIEWER).get(f"/summary?stream={vulnerable.id}"))
    assert "Announced at the summit £0" in words
    # The portfolio table marks both.
    words = text_of(signed_in(OFFICER).get("/dashboards"))
    assert "Programmes supporting vulnerable children (related measure)" in words
    assert "about £20,000,000" in words
    # So do the streams list and a stream's own page.
    listed = soup_of(signed_in(OFFICER).get("/streams"))
    police = listed.select_one('tr[data-stream="CSE-POLICING"]').get_text(" ", strip=True)
    assert "about £20,000,000" in police
    related = listed.select_one('tr[data-stream="DFE-VULNERABLE"]').get_text(" ", strip=True)
    assert "related measure, not announced at the summit" in related
    police_stream = transaction.scalars(
        select(FundingStream).where(FundingStream.code == "CSE-POLICING")
    ).one()
    page = text_of(signed_in(OFFICER).get(f"/streams/{police_stream.id}"))
    assert "about £20,000,000.00 (the source says close to £20m" in page


def test_the_seed_holds_the_announcement_as_the_source_says_it(transaction):
    streams = {s.code: s for s in transaction.scalars(select(FundingStream))}
    assert not streams["DFE-VULNERABLE"].announced_at_summit
    assert all(s.announced_at_summit for code, s in streams.items() if code != "DFE-VULNERABLE")
    assert streams["CSE-POLICING"].announced_is_approximate
    assert not streams["SWIS"].announced_is_approximate
    assert streams["FLOWS"].name == "FLOWS Project"
    assert "Finding Legal Options" not in streams["FLOWS"].name
    swis = streams["SWIS"].description
    assert "What Works Centre for Social Care" in swis
    assert "What Works Centre for Children's Social Care" not in swis
    assert "from elsewhere (What Works for Children's Social Care" in swis


def text_of_element(response, element_id: str) -> str:
    return " ".join(soup_of(response).find(id=element_id).get_text(" ").split())


@pytest.mark.parametrize("who", [LAMBETH_GRANTEE])
@pytest.mark.parametrize("url", [*DASHBOARDS, "/dashboards/figures.csv?panel=portfolio"])
def test_grantees_cannot_see_dashboards(signed_in, who, url):
    assert signed_in(who).get(url).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/dashboards?year=%C2%B2&stream=99999999999&region=Atlantis",
        "/dashboards/returns?funder=<script>",
        "/dashboards/figures.csv?dashboard=portfolio&panel=nothing-here",
    ],
)
def test_nonsense_filters_are_ignored_not_errors(signed_in, url):
    response = signed_in(FINANCE).get(url)
    assert response.status_code in (200, 404)


@contextmanager
def counting_queries():
    statements = []

    def count(conn, cursor, statement, *args):
        # Loading the signed-in user is one query per request whatever the data; whether the
        # test harness's session has it cached already is not the dashboard's doing. Checking
        # the session is one read per request too, plus a write at most once a minute, which
        # real time may or may not bring inside one of the two counts.
        if "FROM app_user" in statement or "user_session" in statement:
            return
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def add_allocations(session, how_many: int) -> None:
    """More data of every kind the dashboards read: organisations, allocations with a profile,
    projects, and returns with spend."""
    stream = session.scalar(select(FundingStream).where(FundingStream.code == "CSE-POLICING"))
    for n in range(how_many):
        organisation = Organisation(
            name=f"Extra force {n}",
            slug=f"extra-force-{n}",
            type=OrganisationType.POLICE_FORCE,
            org_id=f"GB-COH-{90000000 + n}",
            region="North East",
        )
        allocation = Allocation(
            stream_id=stream.id,
            organisation=organisation,
            identifier=f"360G-EXTRA-{n}",
            title="Extra",
            amount_pence=1_000_00,
            awarded_on=date(2020, 6, 1),
            planned_start=date(2020, 7, 1),
            planned_end=date(2021, 3, 31),
            status=AllocationStatus.ACTIVE,
            profile=[AllocationYear(financial_year=2020, amount_pence=1_000_00)],
        )
        project = Project(allocation=allocation, title="Extra")
        milestone_return = MilestoneReturn(
            project=project,
            period_start=date(2020, 7, 1),
            period_end=date(2020, 9, 30),
            due_on=date(2020, 10, 28),
            status=ReturnStatus.APPROVED,
            self_rag=Rag.AMBER,
            completed_sections=[],
            spend=[ReturnSpend(category=SpendCategory.DELIVERY, amount_pence=500_00)],
        )
        session.add_all([organisation, allocation, project, milestone_return])
    session.flush()


@pytest.mark.parametrize("url", DASHBOARDS)
def test_a_dashboard_runs_the_same_number_of_queries_however_much_data_there_is(
    signed_in, transaction, url
):
    viewer = signed_in(VIEWER)
    viewer.get(url)  # warm up anything loaded once
    with counting_queries() as small:
        viewer.get(url)
    add_allocations(transaction, 40)
    viewer.get(url)  # the same warm-up at the larger size
    with counting_queries() as large:
        page = viewer.get(url)
    assert page.status_code == 200
    assert len(large) == len(small), (len(small), len(large))


def test_figures_are_right_aligned_in_every_row_and_names_are_not(signed_in):
    """The numeric check is worked out once a column (it was once a cell, which made the
    grantee table quadratic): every row's money cells still align right, the names left."""
    page = soup_of(signed_in(VIEWER).get("/dashboards/grantees"))
    rows = page.select("#table-grantees tbody tr")
    assert len(rows) > 1
    for row in rows:
        name, *figures = row.find_all(["th", "td"])
        assert "govuk-table__cell--numeric" not in (name.get("class") or [])
        allocated = figures[0]
        assert "govuk-table__cell--numeric" in allocated["class"], row
    headers = page.select("#table-grantees thead th")
    assert "govuk-table__header--numeric" not in headers[0]["class"]
    assert "govuk-table__header--numeric" in headers[1]["class"]


def test_past_a_dozen_streams_the_summary_shows_the_ten_with_most_committed_and_the_rest_together(
    signed_in, transaction
):
    from tests.factories import add_allocation, make_stream

    for n in range(6):
        made = make_stream(f"MANY-{n}", 10_000_000_00, name=f"Many streams {n}")
        add_allocation(
            transaction,
            stream_code=made.code,
            org_id="GB-LAE-LBH",
            identifier=f"MANY-{n}-1",
            amount_pence=(n + 1) * 1_000_000_00,
        )
    transaction.commit()
    viewer = signed_in(VIEWER)
    every = table(viewer.get("/dashboards"), "portfolio")
    assert len(every) == 14

    page = viewer.get("/summary")
    shown = table(page, "portfolio")
    assert len(shown) == 10
    assert "The 10 streams with most committed" in text_of(page)

    def pounds(text: str) -> Decimal:
        return Decimal(text.removeprefix("about ").replace("£", "").replace(",", ""))

    committed = 5  # the column, after the stream, announced, budget, in draft and offered
    by_committed = sorted(every, key=lambda row: -pounds(row[committed]))
    assert {row[0] for row in shown} == {row[0] for row in by_committed[:10]}
    # The chart draws exactly the table's streams; the other four are told in a sentence,
    # with their sums, so that nothing committed is lost from the page.
    assert len(figure(page, "portfolio")["data"][0]["y"]) == 10
    rest = sum(pounds(row[committed]) for row in by_committed[10:])
    assert "The other 4 streams together: " in text_of(page)
    assert f"£{rest:,.0f} committed" in text_of(page)
    headline = soup_of(page).find(id="headlines").get_text(" ", strip=True)
    assert f"Committed £{sum(pounds(row[committed]) for row in every):,.0f}" in headline


def test_the_grantees_page_names_the_twenty_with_most_committed_and_its_csv_every_one(
    signed_in, transaction
):
    add_allocations(transaction, 25)
    transaction.commit()
    policing = transaction.scalar(
        select(FundingStream.id).where(FundingStream.code == "CSE-POLICING")
    )
    viewer = signed_in(VIEWER)
    page = viewer.get(f"/dashboards/grantees?stream={policing}")
    shown = table(page, "grantees")
    assert len(shown) == 20
    response = viewer.get(
        f"/dashboards/figures.csv?dashboard=grantees&panel=grantees&stream={policing}"
    )
    every = list(csv.reader(io.StringIO(response.get_data(as_text=True))))[1:]
    assert len(every) >= 25
    assert f"The 20 grantees with the most committed, of {len(every)}" in text_of(page)
    # The twenty on the page are the first twenty of the download, figure for figure.
    assert [row[0] for row in shown] == [row[0] for row in every[:20]]
    assert {row[0] for row in every} >= {f"Extra force {n}" for n in range(25)}


def test_a_quarter_not_begun_has_no_reported_spend_line_rather_than_a_zero(transaction):
    from tracker.data.reporting import Filters
    from tracker.services import dashboards

    panel = dashboards.spend_over_time(Filters(), date(2021, 1, 15))
    reported = panel.figure["data"][0]
    assert reported["name"] == "Reported spend"
    by_quarter = dict(zip(panel.figure["data"][0]["x"], reported["y"], strict=True))
    assert by_quarter["Q3 2020-21"] is not None  # begun: whatever was reported, even £0
    assert by_quarter["Q4 2020-21"] is not None  # begun on 1 January
    assert by_quarter["Q1 2021-22"] is None  # not begun: a gap, never a zero
    rows = {row[0]: row[1] for row in panel.rows}
    assert rows["Q1 2021-22"] == "Not begun"
    assert str(rows["Q3 2020-21"]).startswith("£")


def test_the_outputs_page_shows_one_stream_at_a_time_and_its_csv_every_stream(
    signed_in, transaction
):
    """At department scale every stream's indicators in one chart were 300 bars: with no stream
    chosen the page shows the first by name with outputs, says so, and draws its indicators
    alone; the CSV still holds every stream's rows."""
    viewer = signed_in(VIEWER)
    page = viewer.get("/dashboards/outputs")
    shown = table(page, "outputs")
    streams_shown = {row[0] for row in shown}
    assert len(streams_shown) == 1
    (first,) = streams_shown
    every = list(
        csv.reader(
            io.StringIO(
                viewer.get("/dashboards/figures.csv?dashboard=outputs&panel=outputs").get_data(
                    as_text=True
                )
            )
        )
    )[1:]
    streams = sorted({row[0] for row in every})
    assert len(streams) > 1, "the demo data has outputs in more than one stream"
    assert first == streams[0]
    assert f"Showing {first}, the first by name of the {len(streams)} streams with outputs" in (
        text_of(page)
    )
    # The chart names the stream once, in its title, and draws only its indicators.
    drawn = figure(page, "outputs")
    assert drawn["layout"]["title"]["text"].endswith(first)
    assert [" ".join(str(y).split()) for y in drawn["data"][0]["y"]] == [row[1] for row in shown]
    # Another stream, chosen: only its rows, and no "Showing" note.
    other_id = transaction.scalar(select(FundingStream.id).where(FundingStream.name == streams[1]))
    chosen = viewer.get(f"/dashboards/outputs?stream={other_id}")
    assert {row[0] for row in table(chosen, "outputs")} == {streams[1]}
    assert "Showing" not in text_of(chosen)
