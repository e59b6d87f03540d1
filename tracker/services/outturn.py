"""Year-end outturn. Budgets are annual: money not spent by 31 March is lost to the stream. So
for each stream and financial year the service shows the budget against a forecast outturn,
and from 1 October (quarter 3, while there is still time to act) flags a stream whose forecast
outturn is further from its budget than its margin (5% unless set otherwise for the stream).

The forecast outturn is, for each committed grant and quarter of the year, the spend its returns
report where any has been reported, else its projects' latest forecast where one is given, else
its profile (`tracker.totals.contributions.outturn_parts`). The page says how much of it is
each, so a figure drawn from the profile is never mistaken for a grantee's word."""

from dataclasses import dataclass, field
from datetime import date

from tracker.data import outturn_grants, reporting
from tracker.data.outturn_grants import GrantOutturn
from tracker.data.reporting import Filters, OutturnRow
from tracker.domain.money import format_pounds, percentage
from tracker.domain.periods import FinancialYear, Quarter
from tracker.services import notify
from tracker.services.panels import Money, Panel
from tracker.web import charts

FLAG_FROM_QUARTER = 3  # 1 October: half the year is left to act in
SHOWN = 20  # streams in the chart and its table; the download has them all
DRIVERS_SHOWN = 5  # grants named on the stream's page
DRIVERS_EMAILED = 10  # grants named in the weekly email

UNDER, OVER = "under", "over"


def flagging(year: FinancialYear, today: date) -> bool:
    """Whether streams are flagged for `year` on `today`: only in the year itself, from its
    third quarter (after 31 March the money is spent or lost, and a flag helps no one)."""
    return year == FinancialYear.containing(today) and (
        Quarter.containing(today).number >= FLAG_FROM_QUARTER
    )


def flag(row: OutturnRow, year: FinancialYear, today: date) -> str | None:
    """"under" or "over" where the stream's forecast outturn differs from its budget by more
    than its margin (a stream with no budget for the year is never flagged), else None."""
    if not flagging(year, today) or row.budget_pence <= 0:
        return None
    if abs(row.difference_pence) * 100 <= row.margin_percent * row.budget_pence:
        return None
    return UNDER if row.difference_pence < 0 else OVER


@dataclass
class YearEnd:
    year: FinancialYear
    rows: list[OutturnRow]
    flags: dict[int, str] = field(default_factory=dict)  # stream id -> under or over
    flagging: bool = False
    note: str = ""  # why this year is shown, when none was chosen

    @property
    def flagged(self) -> list[OutturnRow]:
        """The flagged streams, furthest from budget first."""
        rows = [r for r in self.rows if r.stream_id in self.flags]
        return sorted(rows, key=lambda r: (-abs(r.difference_pence), r.name))


def year_to_show(filters: Filters, today: date) -> tuple[FinancialYear, str]:
    """The chosen year; or the current one; or, when no stream has a budget in the current
    year, the latest year before it that has one (saying so)."""
    if filters.financial_year is not None:
        return FinancialYear(filters.financial_year), ""
    current = FinancialYear.containing(today)
    latest = reporting.latest_year_with_budget(current, filters)
    if latest is None or latest == current:
        return current, ""
    return latest, (
        f"No stream has a budget for {current.label}, so this shows {latest.label}, the latest "
        "year with one: choose a year above to see another. "
    )


def year_end(filters: Filters, today: date) -> YearEnd:
    """Every stream's outturn for the year to show, and which are flagged."""
    year, note = year_to_show(filters, today)
    rows = reporting.outturn(filters, year)
    flags = {r.stream_id: f for r in rows if (f := flag(r, year, today))}
    return YearEnd(year, rows, flags, flagging(year, today), note)


@dataclass
class StreamOutturn:
    """One stream's outturn for the year its page shows, and, when it is flagged, the grants
    furthest from their profile the same way."""

    found: YearEnd
    row: OutturnRow | None
    flag: str | None = None
    drivers: list[GrantOutturn] = field(default_factory=list)


def of_stream(stream_id: int, today: date) -> StreamOutturn:
    """A stream's outturn for the current financial year (or, with no budget in it, its latest
    year with one), with the grants that drive a flag."""
    found = year_end(Filters(stream_id=stream_id), today)
    row = found.rows[0] if found.rows else None
    flagged = found.flags.get(stream_id)
    drivers = (
        outturn_grants.driving(stream_id, found.year, flagged == UNDER, DRIVERS_SHOWN)
        if flagged
        else []
    )
    return StreamOutturn(found, row, flagged, drivers)


def send_weekly_warnings(today: date, base_url: str = "") -> int:
    """From 1 October, each flagged stream's officers (those who drafted or approved its
    grants, or every programme officer) get an email naming the grants that drive the flag:
    one a week per stream and officer however often this runs (the ISO week is in its key).
    Gives how many were queued."""
    year = FinancialYear.containing(today)
    if not flagging(year, today):
        return 0
    found = year_end(Filters(financial_year=year.start_year), today)
    week = today.isocalendar()
    queued = 0
    for row in found.flagged:
        way = found.flags[row.stream_id]
        grants = outturn_grants.driving(row.stream_id, year, way == UNDER, DRIVERS_EMAILED)
        subject = f"{row.name}: forecast {way}spend for {year.label}"
        body = _warning(row, year, way, grants, base_url)
        for officer in outturn_grants.officers_of(row.stream_id):
            message = notify.queue_email(
                officer.email,
                subject,
                body,
                kind="year-end outturn",
                dedupe_key=f"outturn:{row.stream_id}:{officer.id}:{week.year}-W{week.week:02d}",
            )
            queued += message is not None
    return queued


def _warning(row, year, way, grants, base_url) -> str:
    pounds = lambda pence: format_pounds(pence, whole=True)  # noqa: E731
    lines = [
        f"The forecast outturn of {row.name} for {year.label} is {pounds(row.outturn_pence)} "
        f"against a budget of {pounds(row.budget_pence)}: {difference_words(row)}, more than "
        f"its margin of {row.margin_percent}%. Money not spent by 31 March is lost to the "
        "stream.",
        "",
        f"Of the forecast outturn, {pounds(row.reported_pence)} is reported spend, "
        f"{pounds(row.forecast_pence)} grantees' forecasts and {pounds(row.profile_pence)} the "
        "profile of grants that gave no forecast.",
        "",
    ]
    if grants:
        lines.append(f"The grants furthest {way} their profile for the year, and who to ask:")
        lines += [
            f"- {g.title} ({g.organisation}): forecast {pounds(g.outturn_pence)} against a "
            f"profile of {pounds(g.profile_pence)}. {base_url}/allocations/{g.allocation_id}"
            for g in grants
        ]
        lines.append("")
    lines.append(
        f"The year-end dashboard: {base_url}/dashboards/year-end?stream={row.stream_id}"
        f"&year={year.start_year}"
    )
    return "\n".join(lines)


def difference_words(row: OutturnRow) -> str:
    """'£120,000 under budget (4.0%)', in words a minister's office reads."""
    if not row.difference_pence:
        return "on budget"
    way = "under" if row.difference_pence < 0 else "over"
    words = f"{format_pounds(abs(row.difference_pence), whole=True)} {way} budget"
    if row.budget_pence:
        words += f" ({percentage(abs(row.difference_pence), row.budget_pence)}%)"
    return words


def _ranked(found: YearEnd) -> list[OutturnRow]:
    """Flagged streams first, then the furthest from budget, then by name."""
    return sorted(
        found.rows,
        key=lambda r: (r.stream_id not in found.flags, -abs(r.difference_pence), r.name),
    )


def _flag_cell(found: YearEnd, row: OutturnRow) -> str:
    flagged = found.flags.get(row.stream_id)
    if flagged:
        return f"Flagged: {flagged} by more than {row.margin_percent}%"
    return "Not flagged" if found.flagging else "–"


def panels(filters: Filters, today: date) -> list[Panel]:
    """The year-end dashboard: forecast outturn against budget by stream, and what each
    forecast outturn is made of. With more than 20 streams, the 20 flagged or furthest from
    budget; the downloads have every stream."""
    found = year_end(filters, today)
    ranked = _ranked(found)
    shown = ranked[:SHOWN]
    names = [r.name for r in shown]
    label = found.year.label
    note = found.note
    if len(ranked) > len(shown):
        note += (
            f"The {len(shown)} streams flagged or furthest from budget, of {len(ranked)}: the "
            "downloads have every one. "
        )
    if found.flagging:
        note += (
            "From 1 October a stream is flagged when its forecast outturn is under or over its "
            "budget by more than its margin (5% unless set for the stream)."
        )
    elif found.year == FinancialYear.containing(today):
        note += "Streams are flagged from 1 October, when half the year is left to act in."
    else:
        note += "Streams are flagged only in the year itself, from 1 October."

    def against(rows: list[OutturnRow]) -> list[list]:
        return [
            [
                r.name,
                Money(r.budget_pence),
                Money(r.outturn_pence),
                Money(r.difference_pence),
                _flag_cell(found, r),
            ]
            for r in rows
        ]

    def made_of(rows: list[OutturnRow]) -> list[list]:
        return [
            [
                r.name,
                Money(r.committed_pence),
                Money(r.paid_pence),
                Money(r.approved_unpaid_pence),
                Money(r.reported_pence),
                Money(r.forecast_pence),
                Money(r.profile_pence),
            ]
            for r in rows
        ]

    first = Panel(
        "outturn",
        f"Forecast outturn against budget, {label}",
        charts.bars(
            f"Forecast outturn against budget by stream, {label}",
            names,
            {
                "Budget": [charts.pounds(r.budget_pence) for r in shown],
                "Forecast outturn": [charts.pounds(r.outturn_pence) for r in shown],
            },
        ),
        ["Stream", "Budget", "Forecast outturn", "Difference", "Flag"],
        against(shown),
        note=note,
        download_rows=(lambda: against(ranked)) if len(ranked) > len(shown) else None,
    )
    second = Panel(
        "made-of",
        f"What each forecast outturn is made of, {label}",
        charts.bars(
            f"Forecast outturn by where it comes from, {label}",
            names,
            {
                "Reported spend": [charts.pounds(r.reported_pence) for r in shown],
                "Grantees' forecasts": [charts.pounds(r.forecast_pence) for r in shown],
                "Profile, no forecast given": [charts.pounds(r.profile_pence) for r in shown],
            },
        ),
        [
            "Stream",
            "Committed",
            "Paid",
            "Approved, not yet paid",
            "Reported spend",
            "Grantees' forecasts",
            "Profile, no forecast given",
        ],
        made_of(shown),
        note=(
            "For each committed grant and quarter: the spend its returns report where any has "
            "been reported, else its projects' latest forecast, else its profile (each year's "
            "spread equally over its quarters). Closed grants count only the spend they "
            "reported: their forecasts are ignored. Committed, paid and approved are for the "
            "year; a payment approved but not yet paid counts in the year it was approved."
        ),
        download_rows=(lambda: made_of(ranked)) if len(ranked) > len(shown) else None,
    )
    return [first, second]
