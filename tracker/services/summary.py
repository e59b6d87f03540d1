"""The minister's summary: headline figures, a few charts, and the key risks. No personal data
and no return narratives: only streams, organisations, projects and sums. Every figure is in
the one vocabulary of money (`tracker/totals/vocabulary.py`), whose definitions the page shows.
It reads each set of figures once and builds its charts from them."""

from dataclasses import dataclass, field, replace
from datetime import date

from tracker.data import reporting
from tracker.data.reporting import Filters, StreamRow
from tracker.domain.money import format_pounds
from tracker.domain.periods import FinancialYear
from tracker.services import dashboards, outturn
from tracker.services.panels import Panel
from tracker.totals.vocabulary import TERMS, Term

UNDER_OVER_THRESHOLD = 10  # per cent
LARGEST = 10  # streams shown one by one in the summary's chart; the portfolio has them all


@dataclass
class Summary:
    # Announced at the summit; related measures (that the source says the summit's "add to")
    # are apart, in related_pence, never in the announced total.
    announced_pence: int
    budget_pence: int
    in_draft_pence: int
    offered_pence: int
    committed_pence: int
    paid_pence: int
    reported_pence: int
    recovered_pence: int
    panels: list[Panel]
    red_projects: list[tuple[str, str, str]]
    red_count: int
    overdue: list[tuple[str, int]]
    off_profile: list[tuple[str, str, int, int]]  # stream, "under"/"over", reported, profile
    terms: list[Term]
    # How many streams each list would name in full: it names the LARGEST worst of them.
    overdue_streams: int = 0
    off_profile_streams: int = 0
    related_pence: int = 0
    related_streams: list[str] = field(default_factory=list)
    # Some of the announced total is an amount the source gives as approximate ("close to £20m")
    approximate_streams: list[str] = field(default_factory=list)
    # The current financial year's outturn: streams flagged from 1 October.
    year_end: outturn.YearEnd | None = None

    @property
    def headlines(self) -> list[tuple[str, int, bool]]:
        """(label, pence, approximate): an approximate figure is shown as "about"."""
        return [
            ("Announced at the summit", self.announced_pence, bool(self.approximate_streams)),
            ("Budget", self.budget_pence, False),
            ("Committed", self.committed_pence, False),
            ("Paid", self.paid_pence, False),
            ("Reported spend", self.reported_pence, False),
        ]


def build(filters: Filters, today: date) -> Summary:
    """The minister's summary: the headline figures and every panel, read from the running
    totals."""
    rows = reporting.portfolio(filters)
    periods = reporting.spend_over_time(filters)
    profile = reporting.profile_to_date_by_stream(filters, today)
    red, red_count = reporting.red_rated_projects(filters)
    at_summit = [r for r in rows if r.announced_at_summit]
    overdue = sorted(reporting.overdue_by_stream(filters, today), key=lambda o: (-o[1], o[0]))
    off = sorted(off_profile(rows, profile), key=lambda o: (-abs(o[2] - o[3]), o[0]))
    related = [r for r in rows if not r.announced_at_summit]
    current = replace(filters, financial_year=FinancialYear.containing(today).start_year)
    return Summary(
        announced_pence=sum(r.announced_pence for r in at_summit),
        related_pence=sum(r.announced_pence for r in related),
        related_streams=[r.name for r in related],
        approximate_streams=[r.name for r in at_summit if r.announced_is_approximate],
        budget_pence=sum(r.budget_pence for r in rows),
        in_draft_pence=sum(r.in_draft_pence for r in rows),
        offered_pence=sum(r.offered_pence for r in rows),
        committed_pence=sum(r.committed_pence for r in rows),
        paid_pence=sum(r.paid_pence for r in rows),
        reported_pence=sum(r.reported_pence for r in rows),
        recovered_pence=sum(r.recovered_pence for r in rows),
        panels=[
            _largest_streams_panel(filters, rows),
            dashboards.spend_over_time(filters, today, periods),
            dashboards.returns_timeliness(filters, today),
            dashboards.returns_rag(filters),
        ],
        red_projects=red,
        red_count=red_count,
        overdue=overdue[:LARGEST],
        overdue_streams=len(overdue),
        off_profile=off[:LARGEST],
        off_profile_streams=len(off),
        terms=TERMS,
        year_end=outturn.year_end(current, today),
    )


def _largest_streams_panel(filters: Filters, rows: list[StreamRow]) -> Panel:
    """A summary, not a list: past a dozen streams the chart and its table show the ten with
    most committed, and a sentence the rest together (a hundred bars cannot be read, and one
    bar for ninety streams would dwarf the ten); the portfolio dashboard, and this panel's
    download, have every stream."""
    if len(rows) <= LARGEST + 1:
        return dashboards.portfolio(filters, rows)
    ranked = sorted(rows, key=lambda r: (-r.committed_pence, -r.announced_pence, r.name))
    shown, rest = ranked[:LARGEST], ranked[LARGEST:]
    panel = dashboards.portfolio(filters, shown)
    panel.title = f"The {LARGEST} streams with most committed"

    def total(name: str) -> str:
        return format_pounds(sum(getattr(r, name) for r in rest), whole=True)

    panel.note += (
        f" The other {len(rest)} streams together: {total('announced_pence')} announced, "
        f"{total('committed_pence')} committed, {total('paid_pence')} paid and "
        f"{total('reported_pence')} reported spend. The portfolio dashboard and this download "
        f"have all {len(rows)} streams."
    )
    return panel


def off_profile(rows, profile: dict[int, int]) -> list[tuple[str, str, int, int]]:
    """Streams whose reported spend is more than 10% under or over the committed profile of the
    years begun so far."""
    out = []
    for row in rows:
        planned = profile.get(row.stream_id, 0)
        if not planned:
            continue
        change = (row.reported_pence - planned) * 100 / planned
        if abs(change) > UNDER_OVER_THRESHOLD:
            out.append((row.name, "under" if change < 0 else "over", row.reported_pence, planned))
    return out
