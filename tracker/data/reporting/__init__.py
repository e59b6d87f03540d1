"""Reporting queries for the dashboards and the minister's summary. They read only the running
totals (`tracker/models/totals.py`, kept by `tracker/totals/`) and small dimension tables
(streams, their budgets and indicators, departments, the names of the few organisations and
projects shown), so a page's time does not grow with the returns ever submitted. Every figure
is in the vocabulary of `tracker/totals/vocabulary.py`.

Filters: a financial year narrows allocations to their profile for that year, reported spend
to returns whose period starts in it, and payments to those paid in it; stream, funder
(department) and region narrow by the allocation's stream and organisation.

In five rooms: `narrowing` (the filters and shared sums), `money`, `outturn` (the year end),
`progress` (returns, ratings, outputs) and `choices` (the filters' options)."""

from tracker.data.reporting.choices import (
    departments,
)
from tracker.data.reporting.money import (
    GranteeRow,
    Grantees,
    GroupRow,
    PeriodRow,
    StreamRow,
    by_evidence_rating,
    by_region,
    default_stream,
    portfolio,
    profile_to_date_by_stream,
    spend_over_time,
    stream_grantees,
)
from tracker.data.reporting.narrowing import (
    COMMITTED,
    IN_DRAFT,
    NOT_KNOWN,
    OFFERED,
    OPEN,
    Filters,
)
from tracker.data.reporting.outturn import OutturnRow, latest_year_with_budget, outturn
from tracker.data.reporting.progress import (
    OutputRow,
    StatusRow,
    outputs_against_targets,
    overdue_by_stream,
    projects_rag,
    red_rated_projects,
    returns_rag,
    returns_timeliness,
    streams_with_outputs,
)

__all__ = [
    "COMMITTED",
    "Filters",
    "GranteeRow",
    "Grantees",
    "GroupRow",
    "IN_DRAFT",
    "NOT_KNOWN",
    "OFFERED",
    "OPEN",
    "OutputRow",
    "OutturnRow",
    "PeriodRow",
    "StatusRow",
    "StreamRow",
    "by_evidence_rating",
    "by_region",
    "default_stream",
    "departments",
    "latest_year_with_budget",
    "outturn",
    "outputs_against_targets",
    "streams_with_outputs",
    "overdue_by_stream",
    "portfolio",
    "profile_to_date_by_stream",
    "projects_rag",
    "red_rated_projects",
    "returns_rag",
    "returns_timeliness",
    "spend_over_time",
    "stream_grantees",
]
