"""Dashboard panels: each is one chart and the table of exactly the same figures (the
accessible alternative, and the CSV download), built from one reporting query."""

from dataclasses import replace
from datetime import date

from tracker.data import reporting
from tracker.data.reporting import Filters
from tracker.domain.periods import Quarter
from tracker.services import outturn
from tracker.services.panels import Money, Panel
from tracker.web import charts


def portfolio(filters: Filters, rows=None) -> Panel:
    """Announced, committed, paid and reported spend per stream, from the running totals, as a
    chart and its table (`rows` lets the summary reuse one query)."""
    rows = reporting.portfolio(filters) if rows is None else rows
    names = [r.name for r in rows]
    figure = charts.bars(
        "Announced, committed, paid and reported spend by stream",
        names,
        {
            "Announced": [charts.pounds(r.announced_pence) for r in rows],
            "Committed": [charts.pounds(r.committed_pence) for r in rows],
            "Paid": [charts.pounds(r.paid_pence) for r in rows],
            "Reported spend": [charts.pounds(r.reported_pence) for r in rows],
        },
    )
    return Panel(
        "portfolio",
        "Every stream",
        figure,
        [
            "Stream",
            "Announced",
            "Budget",
            "In draft",
            "Offered",
            "Committed",
            "Paid",
            "Reported spend",
        ],
        [
            [
                r.name if r.announced_at_summit else f"{r.name} (related measure)",
                Money(r.announced_pence, r.announced_is_approximate),
                Money(r.budget_pence),
                Money(r.in_draft_pence),
                Money(r.offered_pence),
                Money(r.committed_pence),
                Money(r.paid_pence),
                Money(r.reported_pence),
            ]
            for r in rows
        ],
        note="Committed counts accepted, active and closed grants only: never drafts or "
        "offers not yet accepted. A related measure was not announced at the summit: the "
        "announcement mentions it as one the summit's measures add to. \"About\" marks an amount "
        "the source gives as approximate.",
    )


def spend_over_time(filters: Filters, today: date, rows=None) -> Panel:
    """Reported spend, profile and (where grantees gave one) forecast per financial quarter; a
    quarter nobody forecast is a gap, never zero, and so is the spend of a quarter not begun
    (nothing can be reported for it yet: a line at zero would read as an underspend)."""
    rows = reporting.spend_over_time(filters) if rows is None else rows
    labels = [Quarter.containing(r.period_start).label for r in rows]
    forecasts = any(r.forecast_pence is not None for r in rows)
    begun = [r.period_start <= today for r in rows]
    series = {
        "Reported spend": [
            charts.pounds(r.actual_pence) if on else None
            for r, on in zip(rows, begun, strict=True)
        ],
        "Profile": [charts.pounds(r.profile_pence) for r in rows],
    }
    if forecasts:
        # A quarter nobody forecast is a gap in the line, never a zero.
        series["Forecast"] = [
            None if r.forecast_pence is None else charts.pounds(r.forecast_pence) for r in rows
        ]
    figure = charts.lines("Spend by financial quarter", labels, series)
    note = (
        "The profile spreads each year's committed allocations equally over its quarters; the "
        "forecast is each project's latest, from its latest return."
    )
    if not forecasts:
        note += " No grantee has reported a forecast for these filters, so none is drawn."
    return Panel(
        "spend-over-time",
        "Spend over time",
        figure,
        ["Quarter", "Reported spend", "Profile", "Forecast"],
        [
            [
                label,
                Money(r.actual_pence) if on else "Not begun",
                Money(r.profile_pence),
                "No forecast" if r.forecast_pence is None else Money(r.forecast_pence),
            ]
            for label, r, on in zip(labels, rows, begun, strict=True)
        ],
        note=note,
    )


GRANTEES_SHOWN = 20


def stream_grantees(filters: Filters, today: date) -> Panel:
    """One stream's grantees (the chosen stream, or the largest): the 20 with the most
    committed in the chart and its table; every one of them in the CSV."""
    grantees = reporting.stream_grantees(filters, today, limit=GRANTEES_SHOWN)
    shown = grantees.rows
    names = [r.organisation for r in shown]
    figure = charts.bars(
        f"Spend against committed by grantee: {grantees.stream_name}",
        names,
        {
            "Committed": [charts.pounds(r.allocated_pence) for r in shown],
            "Reported spend": [charts.pounds(r.reported_pence) for r in shown],
            "Paid": [charts.pounds(r.paid_pence) for r in shown],
        },
    )
    note = (
        "Variance compares reported spend with the committed profile of the financial years "
        "begun so far."
    )
    if grantees.total > len(shown):
        note = (
            f"The {len(shown)} grantees with the most committed, of {grantees.total:,}: the "
            f"CSV has every one. " + note
        )
    if filters.stream_id is None and grantees.stream_name:
        note = f"Showing {grantees.stream_name}: choose a stream above to see another. " + note
    panel = Panel(
        "grantees",
        f"Grantees of {grantees.stream_name}" if grantees.stream_name else "Grantees",
        figure,
        ["Grantee", "Committed", "Reported spend", "Paid", "Profile to date", "Variance (%)"],
        [_grantee_row(r) for r in shown],
        note=note,
    )
    # Every grantee only when the CSV is asked for: the page names the first twenty.
    panel.download_rows = lambda: [
        _grantee_row(r) for r in reporting.stream_grantees(filters, today).rows
    ]
    return panel


def _grantee_row(r) -> list:
    return [
        r.organisation,
        Money(r.allocated_pence),
        Money(r.reported_pence),
        Money(r.paid_pence),
        Money(r.profile_to_date_pence),
        # A number, so the CSV writes it as one: as text, "-50.0" would get the formula guard.
        r.variance_percent if r.variance_percent is not None else "–",
    ]


def returns_timeliness(filters: Filters, today: date) -> Panel:
    """Returns counted by timeliness (on time, late, overdue, not yet due) as of `today`."""
    rows = reporting.returns_timeliness(filters, today)
    figure = charts.bars(
        "Returns by timeliness",
        [r.label for r in rows],
        {"Returns": [r.count for r in rows]},
        money=False,
        y_title="Returns",
    )
    return Panel(
        "timeliness",
        "Are returns on time?",
        figure,
        ["Returns", "Number"],
        [[r.label, r.count] for r in rows],
    )


RATING_RULE = (
    "Each project counts once, with the rating it carries now: the department's reviewer's "
    "on its latest reviewed return, which wins over a later self-rating nobody has reviewed "
    "yet; otherwise the grantee's own on its latest submitted return."
)


def returns_rag(filters: Filters) -> Panel:
    """Projects by their current RAG rating, saying who gave it: the one truth the summary's
    red projects are counted from as well."""
    rows = reporting.projects_rag(filters)
    figure = charts.bars(
        "Projects by current RAG rating",
        [rag.capitalize() for rag, _, _ in rows],
        {
            "Rated by the department's reviewer": [r for _, r, _ in rows],
            "Self-rated by the grantee, not yet reviewed": [g for _, _, g in rows],
        },
        money=False,
        y_title="Projects",
    )
    return Panel(
        "rag",
        "RAG ratings of projects",
        figure,
        [
            "RAG",
            "Rated by the department's reviewer",
            "Self-rated by the grantee, not yet reviewed",
        ],
        [[rag.capitalize(), r, g] for rag, r, g in rows],
        note=RATING_RULE,
    )


def outputs(filters: Filters) -> Panel:
    """Each indicator's achieved outputs against the targets set for it, one stream at a time:
    with no stream chosen, the first by name that has any (a department's hundred streams
    would draw three hundred bars no one can read). The CSV holds every stream's."""
    shown, note = filters, ""
    if filters.stream_id is None:
        streams = reporting.streams_with_outputs(filters)
        if streams:
            shown = replace(filters, stream_id=streams[0][0])
        if len(streams) > 1:
            note = (
                f"Showing {streams[0][1]}, the first by name of the {len(streams)} streams "
                "with outputs: choose a stream above to see another. The CSV has every "
                "stream's. "
            )
    rows = reporting.outputs_against_targets(shown)
    labels = [r.indicator for r in rows] if shown.stream_id else []
    figure = charts.bars(
        f"Outputs against targets: {rows[0].stream}" if rows else "Outputs against targets",
        labels or [f"{r.indicator} ({r.stream})" for r in rows],
        {
            "Target": [r.target for r in rows],
            "Achieved": [r.achieved for r in rows],
        },
        money=False,
        y_title="Number",
    )

    def table(found) -> list[list]:
        return [[r.stream, r.indicator, r.unit, r.target, r.achieved, r.how] for r in found]

    return Panel(
        "outputs",
        "Outputs",
        figure,
        ["Stream", "Output", "Unit", "Target", "Achieved", "How it adds up"],
        table(rows),
        note=note
        + (
            "Each output adds up as what it counts: a flow (children supported in a quarter) is "
            "added up over every period reported; a count at a point in time (schools with a "
            "social worker placed) and a running total show each project's latest figure, "
            "added up across projects, never summed over quarters."
        ),
        download_rows=(
            (lambda: table(reporting.outputs_against_targets(filters))) if note else None
        ),
    )


def regions(filters: Filters) -> Panel:
    """Committed money and reported spend by ONS region of the grantee."""
    rows = reporting.by_region(filters)
    figure = charts.bars(
        "Money by region",
        [r.label for r in rows],
        {
            "Committed": [charts.pounds(r.allocated_pence) for r in rows],
            "Reported spend": [charts.pounds(r.reported_pence) for r in rows],
        },
    )
    return Panel(
        "regions",
        "Regions",
        figure,
        ["Region", "Committed", "Reported spend"],
        [[r.label, Money(r.allocated_pence), Money(r.reported_pence)] for r in rows],
    )


def evidence(filters: Filters) -> Panel:
    """Committed money and reported spend by the strength of evidence behind each project."""
    rows = reporting.by_evidence_rating(filters)
    figure = charts.bars(
        "Money by strength of evidence",
        [r.label.capitalize() for r in rows],
        {
            "Committed": [charts.pounds(r.allocated_pence) for r in rows],
            "Reported spend": [charts.pounds(r.reported_pence) for r in rows],
        },
    )
    return Panel(
        "evidence",
        "What works",
        figure,
        ["Evidence rating", "Projects", "Committed", "Reported spend"],
        [
            [r.label.capitalize(), r.projects, Money(r.allocated_pence), Money(r.reported_pence)]
            for r in rows
        ],
        note="Evidence ratings are as the What Works centres grade the intervention; "
        "a committed allocation's money is shared equally between its projects.",
    )


DASHBOARDS = {
    "portfolio": ("The portfolio", lambda f, today: [portfolio(f)]),
    "spend-over-time": ("Spend over time", lambda f, today: [spend_over_time(f, today)]),
    "grantees": ("Spend by grantee", lambda f, today: [stream_grantees(f, today)]),
    "returns": ("Returns", lambda f, today: [returns_timeliness(f, today), returns_rag(f)]),
    "outputs": ("Outputs against targets", lambda f, today: [outputs(f)]),
    "regions": ("Spend by region", lambda f, today: [regions(f)]),
    "evidence": ("Spend by strength of evidence", lambda f, today: [evidence(f)]),
    "year-end": ("Year-end outturn", outturn.panels),
}
