"""The minister's summary: headline figures, a few charts, and the key risks. No personal data
and no return narratives: only streams, organisations, projects and sums."""

from dataclasses import dataclass
from datetime import date

from tracker.data import reporting
from tracker.data.reporting import Filters
from tracker.services import dashboards
from tracker.services.dashboards import Panel

UNDER_OVER_THRESHOLD = 10  # per cent


@dataclass
class Summary:
    announced_pence: int
    allocated_pence: int
    paid_pence: int
    reported_pence: int
    panels: list[Panel]
    red_projects: list[tuple[str, str, str]]
    overdue: list[tuple[str, int]]
    off_profile: list[tuple[str, str, int, int]]  # stream, "under"/"over", reported, profile


def build(filters: Filters, today: date) -> Summary:
    rows = reporting.portfolio(filters)
    periods = reporting.spend_over_time(filters)
    profile = reporting.profile_to_date_by_stream(filters, today)
    return Summary(
        announced_pence=sum(r.announced_pence for r in rows),
        allocated_pence=sum(r.allocated_pence for r in rows),
        paid_pence=sum(r.paid_pence for r in rows),
        reported_pence=sum(p.actual_pence for p in periods),
        panels=[
            dashboards.portfolio(filters),
            dashboards.spend_over_time(filters),
            dashboards.returns_timeliness(filters, today),
            dashboards.returns_rag(filters),
        ],
        red_projects=reporting.red_rated_projects(filters),
        overdue=reporting.overdue_by_stream(filters, today),
        off_profile=off_profile(rows, profile),
    )


def off_profile(rows, profile: dict[int, int]) -> list[tuple[str, str, int, int]]:
    """Streams whose reported spend is more than 10% under or over the profile of the years
    begun so far."""
    out = []
    for row in rows:
        planned = profile.get(row.stream_id, 0)
        if not planned:
            continue
        change = (row.reported_pence - planned) * 100 / planned
        if abs(change) > UNDER_OVER_THRESHOLD:
            out.append((row.name, "under" if change < 0 else "over", row.reported_pence, planned))
    return out
