"""Reporting queries for the dashboards and the minister's summary. Every figure is summed in
the database (GROUP BY); a page runs the same few queries whatever the size of the data, and
reads back at most a few hundred rows.

Filters: a financial year narrows allocations to their profile for that year, reported spend to
returns whose period starts in it, and payments to those paid in it; stream, funder (department)
and region narrow by the allocation's stream and organisation."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, distinct, func, select, true

from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationStatus,
    AllocationYear,
    FundingStream,
    Indicator,
    MilestoneReturn,
    Organisation,
    Payment,
    PaymentStatus,
    Project,
    ProjectTarget,
    ReturnForecast,
    ReturnIndicatorValue,
    ReturnSpend,
    ReturnStatus,
    StreamBudget,
)
from tracker.periods import FinancialYear

LIVE = Allocation.status != AllocationStatus.WITHDRAWN
# Spend a grantee has reported and the department has in hand (not drafts).
REPORTED = MilestoneReturn.status.in_(
    [ReturnStatus.SUBMITTED, ReturnStatus.APPROVED, ReturnStatus.CHANGES_REQUESTED]
)
OPEN = MilestoneReturn.status.in_(
    [
        ReturnStatus.NOT_STARTED,
        ReturnStatus.DRAFT,
        ReturnStatus.AWAITING_SIGN_OFF,
        ReturnStatus.CHANGES_REQUESTED,
    ]
)


@dataclass(frozen=True)
class Filters:
    financial_year: int | None = None
    stream_id: int | None = None
    department_id: int | None = None
    region: str | None = None

    @property
    def year(self) -> FinancialYear | None:
        return FinancialYear(self.financial_year) if self.financial_year is not None else None


def _scope(query: Select, filters: Filters, *, organisation_joined: bool = False) -> Select:
    """Narrow a query that already joins Allocation (and FundingStream when filtering by funder)."""
    if filters.stream_id is not None:
        query = query.where(Allocation.stream_id == filters.stream_id)
    if filters.department_id is not None:
        query = query.where(
            Allocation.stream_id.in_(
                select(FundingStream.id).where(FundingStream.department_id == filters.department_id)
            )
        )
    if filters.region:
        query = query.where(
            Allocation.organisation_id.in_(
                select(Organisation.id).where(Organisation.region == filters.region)
            )
        )
    return query


def _in_year(column, filters: Filters):
    year = filters.year
    return column.between(year.start, year.end) if year else true()


def _allocated(group_by, filters: Filters, *joins) -> dict:
    """Live allocations (their profile for the year, when a year is chosen) by `group_by`."""
    if filters.financial_year is not None:
        query = (
            select(group_by, func.sum(AllocationYear.amount_pence))
            .select_from(AllocationYear)
            .join(Allocation)
            .where(AllocationYear.financial_year == filters.financial_year)
        )
    else:
        query = select(group_by, func.sum(Allocation.amount_pence)).select_from(Allocation)
    for join in joins:
        query = query.join(join)
    query = _scope(query.where(LIVE), filters).group_by(group_by)
    return {key: int(total or 0) for key, total in db.session.execute(query)}


def _reported(group_by, filters: Filters, *joins) -> dict:
    query = (
        select(group_by, func.sum(ReturnSpend.amount_pence))
        .select_from(ReturnSpend)
        .join(MilestoneReturn)
        .join(Project)
        .join(Allocation)
    )
    for join in joins:
        query = query.join(join)
    query = _scope(
        query.where(REPORTED, _in_year(MilestoneReturn.period_start, filters)), filters
    ).group_by(group_by)
    return {key: int(total or 0) for key, total in db.session.execute(query)}


def _paid(group_by, filters: Filters, *joins) -> dict:
    query = select(group_by, func.sum(Payment.amount_pence)).select_from(Payment).join(Allocation)
    for join in joins:
        query = query.join(join)
    query = _scope(
        query.where(Payment.status == PaymentStatus.PAID, _in_year(Payment.paid_on, filters)),
        filters,
    ).group_by(group_by)
    return {key: int(total or 0) for key, total in db.session.execute(query)}


@dataclass
class StreamRow:
    stream_id: int
    code: str
    name: str
    announced_pence: int
    budget_pence: int
    allocated_pence: int
    paid_pence: int
    reported_pence: int


def portfolio(filters: Filters) -> list[StreamRow]:
    """Every stream: announced, budget, allocated, paid and reported spend (5 queries)."""
    streams = select(
        FundingStream.id, FundingStream.code, FundingStream.name, FundingStream.announced_pence
    ).order_by(FundingStream.announced_pence.desc())
    if filters.stream_id is not None:
        streams = streams.where(FundingStream.id == filters.stream_id)
    if filters.department_id is not None:
        streams = streams.where(FundingStream.department_id == filters.department_id)
    budget = select(
        StreamBudget.stream_id, func.sum(StreamBudget.resource_pence + StreamBudget.capital_pence)
    )
    if filters.financial_year is not None:
        budget = budget.where(StreamBudget.financial_year == filters.financial_year)
    budgets = dict(db.session.execute(budget.group_by(StreamBudget.stream_id)).all())
    allocated = _allocated(Allocation.stream_id, filters)
    paid = _paid(Allocation.stream_id, filters)
    reported = _reported(Allocation.stream_id, filters)
    return [
        StreamRow(
            sid,
            code,
            name,
            announced,
            int(budgets.get(sid) or 0),
            allocated.get(sid, 0),
            paid.get(sid, 0),
            reported.get(sid, 0),
        )
        for sid, code, name, announced in db.session.execute(streams)
    ]


@dataclass
class PeriodRow:
    period_start: date
    actual_pence: int
    profile_pence: int
    forecast_pence: int


def spend_over_time(filters: Filters) -> list[PeriodRow]:
    """Reported spend by quarter against the profile (each year's profile spread over its four
    quarters) and the latest forecast of each project (3 queries)."""
    actual_query = (
        select(MilestoneReturn.period_start, func.sum(ReturnSpend.amount_pence))
        .select_from(ReturnSpend)
        .join(MilestoneReturn)
        .join(Project)
        .join(Allocation)
        .where(REPORTED, _in_year(MilestoneReturn.period_start, filters))
        .group_by(MilestoneReturn.period_start)
    )
    actual: dict[date, int] = {}
    for start, total in db.session.execute(_scope(actual_query, filters)):
        quarter_start = _quarter_start(start)
        actual[quarter_start] = actual.get(quarter_start, 0) + int(total or 0)

    profile_query = (
        select(AllocationYear.financial_year, func.sum(AllocationYear.amount_pence))
        .join(Allocation)
        .where(LIVE)
        .group_by(AllocationYear.financial_year)
    )
    if filters.financial_year is not None:
        profile_query = profile_query.where(AllocationYear.financial_year == filters.financial_year)
    profile: dict[date, int] = {}
    for year, total in db.session.execute(_scope(profile_query, filters)):
        quarters = FinancialYear(year).quarters()
        share, remainder = divmod(int(total or 0), 4)
        for n, quarter in enumerate(quarters):
            profile[quarter.start] = profile.get(quarter.start, 0) + share + (n < remainder)

    latest = (
        select(MilestoneReturn.project_id, func.max(MilestoneReturn.period_start).label("latest"))
        .where(REPORTED)
        .group_by(MilestoneReturn.project_id)
        .subquery()
    )
    forecast_query = (
        select(ReturnForecast.period_start, func.sum(ReturnForecast.amount_pence))
        .join(MilestoneReturn)
        .join(
            latest,
            (latest.c.project_id == MilestoneReturn.project_id)
            & (latest.c.latest == MilestoneReturn.period_start),
        )
        .join(Project, Project.id == MilestoneReturn.project_id)
        .join(Allocation)
        .where(REPORTED, _in_year(ReturnForecast.period_start, filters))
        .group_by(ReturnForecast.period_start)
    )
    forecast: dict[date, int] = {}
    for start, total in db.session.execute(_scope(forecast_query, filters)):
        quarter_start = _quarter_start(start)
        forecast[quarter_start] = forecast.get(quarter_start, 0) + int(total or 0)

    starts = sorted(set(actual) | set(profile) | set(forecast))
    return [PeriodRow(s, actual.get(s, 0), profile.get(s, 0), forecast.get(s, 0)) for s in starts]


def _quarter_start(day: date) -> date:
    from tracker.periods import Quarter

    return Quarter.containing(day).start


@dataclass
class GranteeRow:
    organisation: str
    allocated_pence: int
    reported_pence: int
    paid_pence: int
    profile_to_date_pence: int

    @property
    def variance_percent(self):
        from decimal import Decimal

        if not self.profile_to_date_pence:
            return None
        change = Decimal(self.reported_pence - self.profile_to_date_pence) * 100
        return (change / self.profile_to_date_pence).quantize(Decimal("0.1"))


def stream_grantees(filters: Filters, today: date) -> list[GranteeRow]:
    """Per grantee of the chosen stream(s): allocated, reported spend, paid, and the profile of
    the financial years that have ended or begun by today (4 queries)."""
    names = dict(
        db.session.execute(
            _scope(
                select(Organisation.id, Organisation.name)
                .join(Allocation, Allocation.organisation_id == Organisation.id)
                .where(LIVE),
                filters,
            ).group_by(Organisation.id, Organisation.name)
        ).all()
    )
    allocated = _allocated(Allocation.organisation_id, filters)
    reported = _reported(Allocation.organisation_id, filters)
    paid = _paid(Allocation.organisation_id, filters)
    to_date = _profile_to_date(Allocation.organisation_id, filters, today)
    rows = [
        GranteeRow(
            name, allocated.get(oid, 0), reported.get(oid, 0), paid.get(oid, 0), to_date.get(oid, 0)
        )
        for oid, name in names.items()
    ]
    return sorted(rows, key=lambda row: (-row.allocated_pence, row.organisation))


@dataclass
class StatusRow:
    label: str
    count: int


def returns_timeliness(filters: Filters, today: date) -> list[StatusRow]:
    """Returns on time, late, overdue and not yet due (1 query)."""
    submitted_on_time = (MilestoneReturn.submitted_at.is_not(None)) & (
        func.date(MilestoneReturn.submitted_at) <= MilestoneReturn.due_on
    )
    bucket = case(
        (OPEN & (MilestoneReturn.due_on < today), "Overdue"),
        (OPEN, "Not yet due"),
        (submitted_on_time, "On time"),
        else_="Late",
    )
    query = (
        select(bucket, func.count(MilestoneReturn.id))
        .join(Project)
        .join(Allocation)
        .where(_in_year(MilestoneReturn.period_start, filters))
        .group_by(bucket)
    )
    counts = dict(db.session.execute(_scope(query, filters)).all())
    return [
        StatusRow(label, int(counts.get(label, 0)))
        for label in ("On time", "Late", "Overdue", "Not yet due")
    ]


def returns_rag(filters: Filters) -> list[tuple[str, int, int]]:
    """(RAG, grantee's count, reviewer's count) over the returns (2 queries)."""
    out = {}
    for column in (MilestoneReturn.self_rag, MilestoneReturn.reviewer_rag):
        query = (
            select(column, func.count(MilestoneReturn.id))
            .join(Project)
            .join(Allocation)
            .where(column.is_not(None), _in_year(MilestoneReturn.period_start, filters))
            .group_by(column)
        )
        out[column.key] = {
            rag.value: int(n) for rag, n in db.session.execute(_scope(query, filters))
        }
    return [
        (rag, out["self_rag"].get(rag, 0), out["reviewer_rag"].get(rag, 0))
        for rag in ("red", "amber", "green")
    ]


@dataclass
class OutputRow:
    stream: str
    indicator: str
    unit: str
    target: int
    achieved: int


def outputs_against_targets(filters: Filters) -> list[OutputRow]:
    """Each indicator's targets (over live allocations' projects) and what returns report
    (2 queries)."""
    targets_query = (
        select(ProjectTarget.indicator_id, func.sum(ProjectTarget.target))
        .join(Project)
        .join(Allocation)
        .where(LIVE)
        .group_by(ProjectTarget.indicator_id)
    )
    targets = {k: int(v or 0) for k, v in db.session.execute(_scope(targets_query, filters))}
    achieved_query = (
        select(ReturnIndicatorValue.indicator_id, func.sum(ReturnIndicatorValue.value))
        .join(MilestoneReturn)
        .join(Project)
        .join(Allocation)
        .where(REPORTED, _in_year(MilestoneReturn.period_start, filters))
        .group_by(ReturnIndicatorValue.indicator_id)
    )
    achieved = {k: int(v or 0) for k, v in db.session.execute(_scope(achieved_query, filters))}
    ids = set(targets) | set(achieved)
    if not ids:
        return []
    indicators = db.session.execute(
        select(Indicator.id, FundingStream.name, Indicator.name, Indicator.unit)
        .join(FundingStream)
        .where(Indicator.id.in_(ids))
        .order_by(FundingStream.name, Indicator.code)
    )
    return [
        OutputRow(stream, name, unit, targets.get(iid, 0), achieved.get(iid, 0))
        for iid, stream, name, unit in indicators
    ]


@dataclass
class GroupRow:
    label: str
    allocated_pence: int
    reported_pence: int
    projects: int = 0


def by_region(filters: Filters) -> list[GroupRow]:
    """Allocated and reported spend by the grantee's region (2 queries)."""
    region = func.coalesce(func.nullif(Organisation.region, ""), "Not known")
    allocated = _allocated(region, filters, Organisation)
    reported = _reported(region, filters, Organisation)
    labels = sorted(set(allocated) | set(reported))
    return [GroupRow(label, allocated.get(label, 0), reported.get(label, 0)) for label in labels]


def by_evidence_rating(filters: Filters) -> list[GroupRow]:
    """Money by the strength of evidence for the intervention: each allocation's amount shared
    equally between its projects (3 queries)."""
    per_allocation = (
        select(Project.allocation_id, func.count(Project.id).label("n"))
        .group_by(Project.allocation_id)
        .subquery()
    )
    amount = (
        AllocationYear.amount_pence
        if filters.financial_year is not None
        else Allocation.amount_pence
    )
    query = select(
        Project.evidence_rating,
        func.sum(amount // per_allocation.c.n),  # whole pence: floor division
        func.count(distinct(Project.id)),
    )
    if filters.financial_year is not None:
        query = (
            query.select_from(AllocationYear)
            .join(Allocation)
            .where(AllocationYear.financial_year == filters.financial_year)
        )
    else:
        query = query.select_from(Allocation)
    query = (
        query.join(Project, Project.allocation_id == Allocation.id)
        .join(per_allocation, per_allocation.c.allocation_id == Allocation.id)
        .where(LIVE)
        .group_by(Project.evidence_rating)
    )
    allocated, projects = {}, {}
    for rating, total, count in db.session.execute(_scope(query, filters)):
        allocated[rating.value], projects[rating.value] = int(total or 0), int(count)
    reported = {k.value: v for k, v in _reported(Project.evidence_rating, filters).items()}
    labels = sorted(set(allocated) | set(reported))
    return [
        GroupRow(label, allocated.get(label, 0), reported.get(label, 0), projects.get(label, 0))
        for label in labels
    ]


def red_rated_projects(filters: Filters, limit: int = 20) -> list[tuple[str, str, str]]:
    """(stream, organisation, project) for projects whose latest rated return is red."""
    latest = (
        select(MilestoneReturn.project_id, func.max(MilestoneReturn.period_start).label("latest"))
        .where(MilestoneReturn.self_rag.is_not(None))
        .group_by(MilestoneReturn.project_id)
        .subquery()
    )
    rag = func.coalesce(MilestoneReturn.reviewer_rag, MilestoneReturn.self_rag)
    query = (
        select(FundingStream.name, Organisation.name, Project.title)
        .select_from(MilestoneReturn)
        .join(
            latest,
            (latest.c.project_id == MilestoneReturn.project_id)
            & (latest.c.latest == MilestoneReturn.period_start),
        )
        .join(Project, Project.id == MilestoneReturn.project_id)
        .join(Allocation)
        .join(FundingStream, FundingStream.id == Allocation.stream_id)
        .join(Organisation, Organisation.id == Allocation.organisation_id)
        .where(rag == "red")
        .order_by(FundingStream.name, Organisation.name)
        .limit(limit)
    )
    return [tuple(row) for row in db.session.execute(_scope(query, filters))]


def overdue_by_stream(filters: Filters, today: date) -> list[tuple[str, int]]:
    query = (
        select(FundingStream.name, func.count(MilestoneReturn.id))
        .select_from(MilestoneReturn)
        .join(Project)
        .join(Allocation)
        .join(FundingStream, FundingStream.id == Allocation.stream_id)
        .where(OPEN, MilestoneReturn.due_on < today)
        .group_by(FundingStream.name)
        .order_by(func.count(MilestoneReturn.id).desc())
    )
    return [(name, int(n)) for name, n in db.session.execute(_scope(query, filters))]


def departments() -> list[tuple[int, str]]:
    from tracker.models import Department

    return [
        tuple(r)
        for r in db.session.execute(
            select(Department.id, Department.name).order_by(Department.name)
        )
    ]


def regions() -> list[str]:
    return [
        r
        for (r,) in db.session.execute(
            select(distinct(Organisation.region))
            .where(Organisation.region != "")
            .order_by(Organisation.region)
        )
    ]


def profile_to_date_by_stream(filters: Filters, today: date) -> dict[int, int]:
    """Each stream's live profile for the financial years begun by today (1 query)."""
    return _profile_to_date(Allocation.stream_id, filters, today)


def _profile_to_date(group_by, filters: Filters, today: date) -> dict:
    """Live allocations' profile for the financial years begun by today, by `group_by`."""
    current = FinancialYear.containing(today).start_year
    query = (
        select(group_by, func.sum(AllocationYear.amount_pence))
        .select_from(AllocationYear)
        .join(Allocation)
        .where(LIVE, AllocationYear.financial_year <= current)
        .group_by(group_by)
    )
    if filters.financial_year is not None:
        query = query.where(AllocationYear.financial_year == filters.financial_year)
    return {k: int(v or 0) for k, v in db.session.execute(_scope(query, filters))}
