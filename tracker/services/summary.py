"""The minister's summary: headline figures, a few charts, and the key risks. No personal data
and no return narratives: only streams, organisations, projects and sums. Every figure is in
the one vocabulary of money (`tracker/totals/vocabulary.py`), whose definitions the page shows.
It reads each set of figures once and builds its charts from them."""

from dataclasses import dataclass, field
from datetime import date

from tracker.data import reporting
from tracker.data.reporting import Filters
from tracker.services import dashboards
from tracker.services.dashboards import Panel
from tracker.totals.vocabulary import TERMS, Term

UNDER_OVER_THRESHOLD = 10  # per cent


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
    related_pence: int = 0
    related_streams: list[str] = field(default_factory=list)
    # Some of the announced total is an amount the source gives as approximate ("close to £20m")
    approximate_streams: list[str] = field(default_factory=list)

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
    related = [r for r in rows if not r.announced_at_summit]
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
            dashboards.portfolio(filters, rows),
            dashboards.spend_over_time(filters, periods),
            dashboards.returns_timeliness(filters, today),
            dashboards.returns_rag(filters),
        ],
        red_projects=red,
        red_count=red_count,
        overdue=reporting.overdue_by_stream(filters, today),
        off_profile=off_profile(rows, profile),
        terms=TERMS,
    )


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
