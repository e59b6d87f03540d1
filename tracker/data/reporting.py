"""Reporting queries for the dashboards and the minister's summary. They read only the running
totals (`tracker/models/totals.py`, kept by `tracker/totals/`) and small dimension tables
(streams, their budgets and indicators, departments, the names of the few organisations and
projects shown), so a page's time does not grow with the returns ever submitted. Every figure
is in the vocabulary of `tracker/totals/vocabulary.py`.

Filters: a financial year narrows allocations to their profile for that year, reported spend
to returns whose period starts in it, and payments to those paid in it; stream, funder
(department) and region narrow by the allocation's stream and organisation."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, distinct, func, select

from tracker.domain.periods import FinancialYear, Quarter
from tracker.extensions import db
from tracker.models import (
    Allocation,
    Department,
    FundingStream,
    Indicator,
    IndicatorKind,
    Organisation,
    Project,
    StreamBudget,
)
from tracker.models.totals import (
    ADDITIVE,
    LatestProjectRating,
    TotalAllocation,
    TotalEvidence,
    TotalGrantee,
    TotalMoney,
    TotalOutput,
    TotalOutputLatest,
    TotalOutputTarget,
    TotalPeriod,
    TotalProject,
    TotalProjectRating,
    TotalRating,
    TotalReturn,
    TotalReturnDue,
)
from tracker.totals import vocabulary as v
from tracker.totals.contributions import EVERY_REGION

NOT_KNOWN = "Not known"
COMMITTED = [str(s) for s in v.COMMITTED]
OFFERED = [str(s) for s in v.OFFERED]
IN_DRAFT = [str(s) for s in v.IN_DRAFT]
OPEN = [str(s) for s in v.OPEN]


@dataclass(frozen=True)
class Filters:
    financial_year: int | None = None
    stream_id: int | None = None
    department_id: int | None = None
    region: str | None = None

    @property
    def year(self) -> FinancialYear | None:
        return FinancialYear(self.financial_year) if self.financial_year is not None else None


def _narrow(query, table, filters: Filters, *, by_year: bool = True, by_region: bool = False):
    """Narrow a query over one totals table by the filters its keys allow. Tables keyed by
    region hold a row for every region as well (EVERY_REGION): a page without a region filter
    reads only those, unless it groups `by_region`."""
    if filters.stream_id is not None:
        query = query.where(table.stream_id == filters.stream_id)
    if filters.department_id is not None:
        query = query.where(
            table.stream_id.in_(
                select(FundingStream.id).where(FundingStream.department_id == filters.department_id)
            )
        )
    if hasattr(table, "region"):
        if filters.region:
            query = query.where(table.region == filters.region)
        elif table in ADDITIVE:  # the others (each project's rating) have no such rows
            everywhere = table.region == EVERY_REGION
            query = query.where(~everywhere if by_region else everywhere)
    elif filters.region:
        query = query.where(
            table.organisation_id.in_(
                select(Organisation.id).where(Organisation.region == filters.region)
            )
        )
    if by_year and filters.financial_year is not None:
        query = query.where(table.financial_year == filters.financial_year)
    return query


def _sum(column):
    return func.coalesce(func.sum(column), 0)


def _status_sum(statuses: list[str]):
    return _sum(case((TotalAllocation.status.in_(statuses), TotalAllocation.amount_pence), else_=0))


def _money_by(group, filters: Filters, *, by_region: bool = False) -> dict:
    """{group: (in draft, offered, committed, reported, paid, recovered)}: for a year from
    total_money; for the whole life, the allocations' whole amounts from total_allocation and
    the rest from every year of total_money (2 queries)."""
    query = _narrow(
        select(
            group(TotalMoney),
            _sum(TotalMoney.in_draft_pence),
            _sum(TotalMoney.offered_pence),
            _sum(TotalMoney.committed_pence),
            _sum(TotalMoney.reported_pence),
            _sum(TotalMoney.paid_pence),
            _sum(TotalMoney.recovered_pence),
        ),
        TotalMoney,
        filters,
        by_region=by_region,
    ).group_by(group(TotalMoney))
    out = {key: [int(x) for x in figures] for key, *figures in db.session.execute(query)}
    if filters.financial_year is None:
        whole = _narrow(
            select(
                group(TotalAllocation),
                _status_sum(IN_DRAFT),
                _status_sum(OFFERED),
                _status_sum(COMMITTED),
            ),
            TotalAllocation,
            filters,
            by_year=False,
            by_region=by_region,
        ).group_by(group(TotalAllocation))
        for key, draft, offered, committed in db.session.execute(whole):
            row = out.setdefault(key, [0] * 6)
            row[0:3] = [int(draft), int(offered), int(committed)]
    return out


@dataclass
class StreamRow:
    stream_id: int
    code: str
    name: str
    announced_pence: int
    budget_pence: int
    in_draft_pence: int
    offered_pence: int
    committed_pence: int
    paid_pence: int
    reported_pence: int
    recovered_pence: int = 0
    announced_at_summit: bool = True
    announced_is_approximate: bool = False


def portfolio(filters: Filters) -> list[StreamRow]:
    """Every stream in the vocabulary's terms (4 queries)."""
    streams = select(
        FundingStream.id,
        FundingStream.code,
        FundingStream.name,
        FundingStream.announced_pence,
        FundingStream.announced_at_summit,
        FundingStream.announced_is_approximate,
    ).order_by(FundingStream.announced_pence.desc(), FundingStream.name)
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
    money = _money_by(lambda t: t.stream_id, filters)
    rows = []
    for sid, code, name, announced, at_summit, approximate in db.session.execute(streams):
        draft, offered, committed, reported, paid, recovered = money.get(sid, [0] * 6)
        rows.append(
            StreamRow(
                sid,
                code,
                name,
                announced,
                int(budgets.get(sid) or 0),
                draft,
                offered,
                committed,
                paid,
                reported,
                recovered,
                at_summit,
                approximate,
            )
        )
    return rows


@dataclass
class PeriodRow:
    period_start: date
    actual_pence: int
    profile_pence: int
    forecast_pence: int | None  # None: no project forecast anything for the quarter


def spend_over_time(filters: Filters) -> list[PeriodRow]:
    """Reported spend by quarter against the committed profile (each year's spread over its
    four quarters) and the latest forecast of each project (2 queries)."""
    periods = _narrow(
        select(
            TotalPeriod.period_start,
            _sum(TotalPeriod.reported_pence),
            _sum(TotalPeriod.forecast_pence),
            _sum(TotalPeriod.forecasts),
        ),
        TotalPeriod,
        filters,
        by_year=False,
    )
    if filters.year is not None:
        periods = periods.where(
            TotalPeriod.period_start.between(filters.year.start, filters.year.end)
        )
    actual: dict[date, int] = {}
    forecast: dict[date, int] = {}
    for start, reported, forecast_pence, forecasts in db.session.execute(
        periods.group_by(TotalPeriod.period_start)
    ):
        quarter = Quarter.containing(start).start
        if reported:
            actual[quarter] = actual.get(quarter, 0) + int(reported)
        if forecasts:
            forecast[quarter] = forecast.get(quarter, 0) + int(forecast_pence)
    profile: dict[date, int] = {}
    years = _narrow(
        select(TotalMoney.financial_year, _sum(TotalMoney.committed_pence)), TotalMoney, filters
    ).group_by(TotalMoney.financial_year)
    for year, total in db.session.execute(years):
        if not total:
            continue
        share, remainder = divmod(int(total), 4)
        for n, quarter in enumerate(FinancialYear(year).quarters()):
            profile[quarter.start] = profile.get(quarter.start, 0) + share + (n < remainder)
    starts = sorted(set(actual) | set(profile) | set(forecast))
    return [PeriodRow(s, actual.get(s, 0), profile.get(s, 0), forecast.get(s)) for s in starts]


@dataclass
class GranteeRow:
    organisation: str
    allocated_pence: int  # committed
    reported_pence: int
    paid_pence: int
    profile_to_date_pence: int

    @property
    def variance_percent(self):
        if not self.profile_to_date_pence:
            return None
        change = Decimal(self.reported_pence - self.profile_to_date_pence) * 100
        return (change / self.profile_to_date_pence).quantize(Decimal("0.1"))


@dataclass
class Grantees:
    stream_id: int | None
    stream_name: str
    rows: list[GranteeRow]
    total: int  # how many grantees the stream has under the filters


def default_stream(filters: Filters) -> tuple[int, str] | None:
    """The stream a per-stream page shows when none is chosen: the one with the most committed
    under the filters (the largest announced where nothing is committed)."""
    committed = (
        _narrow(
            select(TotalAllocation.stream_id).where(TotalAllocation.status.in_(COMMITTED)),
            TotalAllocation,
            filters,
            by_year=False,
        )
        .group_by(TotalAllocation.stream_id)
        .order_by(func.sum(TotalAllocation.amount_pence).desc(), TotalAllocation.stream_id)
        .limit(1)
    )
    query = select(FundingStream.id, FundingStream.name).order_by(
        FundingStream.id.in_(committed.scalar_subquery()).desc(),
        FundingStream.announced_pence.desc(),
        FundingStream.name,
    )
    if filters.stream_id is not None:
        query = query.where(FundingStream.id == filters.stream_id)
    if filters.department_id is not None:
        query = query.where(FundingStream.department_id == filters.department_id)
    found = db.session.execute(query.limit(1)).first()
    return tuple(found) if found else None


def stream_grantees(filters: Filters, today: date, *, limit: int | None = None) -> Grantees:
    """Per grantee of one stream (the chosen one, or the largest): committed, reported spend,
    paid, and the committed profile of the financial years begun by today; the `limit`
    grantees with the most committed (3 queries)."""
    stream = default_stream(filters)
    if stream is None:
        return Grantees(None, "", [], 0)
    stream_id, stream_name = stream
    current = FinancialYear.containing(today).start_year
    query = _narrow(
        select(
            TotalGrantee.organisation_id,
            _sum(TotalGrantee.committed_pence).label("committed"),
            _sum(TotalGrantee.reported_pence),
            _sum(TotalGrantee.paid_pence),
            _sum(
                case(
                    (TotalGrantee.financial_year <= current, TotalGrantee.committed_pence), else_=0
                )
            ),
        ).where(TotalGrantee.stream_id == stream_id),
        TotalGrantee,
        filters,
    ).group_by(TotalGrantee.organisation_id)
    figures = [row for row in db.session.execute(query) if any(int(x) for x in row[1:])]
    figures.sort(key=lambda row: -int(row[1]))
    shown = figures[:limit] if limit is not None else figures
    names = (
        dict(
            db.session.execute(
                select(Organisation.id, Organisation.name).where(
                    Organisation.id.in_([row[0] for row in shown])
                )
            ).all()
        )
        if shown
        else {}
    )
    rows = [
        GranteeRow(names.get(oid, ""), int(c), int(r), int(p), int(d)) for oid, c, r, p, d in shown
    ]
    rows.sort(key=lambda row: (-row.allocated_pence, row.organisation))
    return Grantees(stream_id, stream_name, rows, len(figures))


@dataclass
class StatusRow:
    label: str
    count: int


def returns_timeliness(filters: Filters, today: date) -> list[StatusRow]:
    """Returns on time, late, overdue and not yet due (2 queries): overdue is the open returns
    due before today, a range sum."""
    due = _narrow(
        select(
            _sum(case((TotalReturnDue.due_on < today, TotalReturnDue.returns), else_=0)),
            _sum(case((TotalReturnDue.due_on >= today, TotalReturnDue.returns), else_=0)),
        ),
        TotalReturnDue,
        filters,
    )
    overdue, not_yet_due = db.session.execute(due).one()
    done = _narrow(
        select(TotalReturn.submitted_on_time, _sum(TotalReturn.returns)).where(
            TotalReturn.status.not_in(OPEN)
        ),
        TotalReturn,
        filters,
    ).group_by(TotalReturn.submitted_on_time)
    by_time = {bool(on_time): int(n) for on_time, n in db.session.execute(done)}
    counts = {
        "On time": by_time.get(True, 0),
        "Late": by_time.get(False, 0),
        "Overdue": int(overdue),
        "Not yet due": int(not_yet_due),
    }
    return [StatusRow(label, count) for label, count in counts.items()]


def projects_rag(filters: Filters) -> list[tuple[str, int, int]]:
    """(RAG, projects rated so by the department's reviewer, projects rated so by their grantee
    and not yet reviewed) over each project's current rating (the rule is `tracker.totals
    .vocabulary.latest_rating`: the reviewer's wins), the same figures the summary's list of red
    projects counts (1 query)."""
    query = _narrow(
        select(
            TotalProjectRating.rated_by, TotalProjectRating.rag, _sum(TotalProjectRating.projects)
        ),
        TotalProjectRating,
        filters,
        by_year=False,
    ).group_by(TotalProjectRating.rated_by, TotalProjectRating.rag)
    counts = {(rater, rag): int(n) for rater, rag, n in db.session.execute(query)}
    return [
        (rag, counts.get(("reviewer", rag), 0), counts.get(("grantee", rag), 0))
        for rag in ("red", "amber", "green")
    ]


def returns_rag(filters: Filters) -> list[tuple[str, int, int]]:
    """(RAG, grantee's count, reviewer's count) over the returns (1 query)."""
    query = _narrow(
        select(TotalRating.rater, TotalRating.rag, _sum(TotalRating.returns)),
        TotalRating,
        filters,
    ).group_by(TotalRating.rater, TotalRating.rag)
    counts = {(rater, rag): int(n) for rater, rag, n in db.session.execute(query)}
    return [
        (rag, counts.get(("grantee", rag), 0), counts.get(("reviewer", rag), 0))
        for rag in ("red", "amber", "green")
    ]


@dataclass
class OutputRow:
    stream: str
    indicator: str
    unit: str
    target: int
    achieved: int
    kind: IndicatorKind = IndicatorKind.FLOW

    @property
    def how(self) -> str:
        return self.kind.how


def outputs_against_targets(filters: Filters) -> list[OutputRow]:
    """Each indicator's targets (over committed allocations' projects) and what returns report,
    by the indicator's kind: a flow adds up every period; a count at a point in time or a running
    total takes each project's latest figure (in the year, with a year filter) and adds those up
    across projects (4 queries)."""
    targets_query = _narrow(
        select(TotalOutputTarget.indicator_id, _sum(TotalOutputTarget.target)),
        TotalOutputTarget,
        filters,
        by_year=False,
    ).group_by(TotalOutputTarget.indicator_id)
    targets = {k: int(t) for k, t in db.session.execute(targets_query)}
    achieved_query = _narrow(
        select(TotalOutput.indicator_id, _sum(TotalOutput.achieved), _sum(TotalOutput.latest)),
        TotalOutput,
        filters,
    ).group_by(TotalOutput.indicator_id)
    added, latest_in_year = {}, {}
    for k, a, latest in db.session.execute(achieved_query):
        added[k], latest_in_year[k] = int(a), int(latest)
    if filters.financial_year is not None:
        latest = latest_in_year
    else:
        latest_query = _narrow(
            select(TotalOutputLatest.indicator_id, _sum(TotalOutputLatest.latest)),
            TotalOutputLatest,
            filters,
            by_year=False,
        ).group_by(TotalOutputLatest.indicator_id)
        latest = {k: int(v) for k, v in db.session.execute(latest_query)}
    ids = {i for i in set(targets) | set(added) if targets.get(i) or added.get(i)}
    if not ids:
        return []
    indicators = db.session.execute(
        select(Indicator.id, FundingStream.name, Indicator.name, Indicator.unit, Indicator.kind)
        .join(FundingStream)
        .where(Indicator.id.in_(ids))
        .order_by(FundingStream.name, Indicator.code)
    )
    return [
        OutputRow(
            stream,
            name,
            unit,
            targets.get(iid, 0),
            (added if kind == IndicatorKind.FLOW else latest).get(iid, 0),
            kind,
        )
        for iid, stream, name, unit, kind in indicators
    ]


@dataclass
class GroupRow:
    label: str
    allocated_pence: int  # committed
    reported_pence: int
    projects: int = 0


def by_region(filters: Filters) -> list[GroupRow]:
    """Committed and reported spend by the grantee's region (2 queries)."""
    money = _money_by(lambda t: t.region, filters, by_region=True)
    labels = {}
    for region, (_, _, committed, reported, _, _) in money.items():
        if committed or reported:
            label = region or NOT_KNOWN
            before = labels.get(label, (0, 0))
            labels[label] = (before[0] + committed, before[1] + reported)
    return [GroupRow(label, c, r) for label, (c, r) in sorted(labels.items())]


def by_evidence_rating(filters: Filters) -> list[GroupRow]:
    """Money by the strength of evidence for the intervention: each committed allocation's
    profile shared equally between its projects (2 queries)."""
    query = _narrow(
        select(
            TotalEvidence.evidence_rating,
            _sum(TotalEvidence.committed_pence),
            _sum(TotalEvidence.reported_pence),
        ),
        TotalEvidence,
        filters,
    ).group_by(TotalEvidence.evidence_rating)
    money = {rating: (int(c), int(r)) for rating, c, r in db.session.execute(query)}
    projects_query = _narrow(
        select(TotalProject.evidence_rating, _sum(TotalProject.projects)),
        TotalProject,
        filters,
        by_year=False,
    ).group_by(TotalProject.evidence_rating)
    projects = {rating: int(n) for rating, n in db.session.execute(projects_query)}
    labels = sorted(
        label
        for label in set(money) | set(projects)
        if any(money.get(label, (0, 0))) or projects.get(label)
    )
    return [GroupRow(label, *money.get(label, (0, 0)), projects.get(label, 0)) for label in labels]


def red_rated_projects(filters: Filters, limit: int = 20) -> tuple[list[tuple[str, str, str]], int]:
    """(stream, organisation, project) for up to `limit` projects whose latest rating is red,
    and how many there are in all (2 queries)."""
    red = _narrow(
        select(LatestProjectRating.project_id).where(LatestProjectRating.rag == "red"),
        LatestProjectRating,
        filters,
        by_year=False,
    )
    count = db.session.scalar(
        _narrow(
            select(_sum(TotalProjectRating.projects)).where(TotalProjectRating.rag == "red"),
            TotalProjectRating,
            filters,
            by_year=False,
        )
    )
    if not count:
        return [], 0
    chosen = red.order_by(LatestProjectRating.stream_id, LatestProjectRating.project_id).limit(
        limit
    )
    rows = db.session.execute(
        select(FundingStream.name, Organisation.name, Project.title)
        .select_from(Project)
        .join(Allocation, Allocation.id == Project.allocation_id)
        .join(FundingStream, FundingStream.id == Allocation.stream_id)
        .join(Organisation, Organisation.id == Allocation.organisation_id)
        .where(Project.id.in_(chosen.scalar_subquery()))
    ).all()
    return sorted(tuple(row) for row in rows), int(count)


def overdue_by_stream(filters: Filters, today: date) -> list[tuple[str, int]]:
    """Open returns due before today, by stream (1 query)."""
    query = (
        _narrow(
            select(FundingStream.name, _sum(TotalReturnDue.returns).label("n"))
            .join(FundingStream, FundingStream.id == TotalReturnDue.stream_id)
            .where(TotalReturnDue.due_on < today),
            TotalReturnDue,
            filters,
            by_year=False,
        )
        .group_by(FundingStream.name)
        .having(func.sum(TotalReturnDue.returns) > 0)
        .order_by(func.sum(TotalReturnDue.returns).desc(), FundingStream.name)
    )
    return [(name, int(n)) for name, n in db.session.execute(query)]


def departments() -> list[tuple[int, str]]:
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
    """Each stream's committed profile for the financial years begun by today (1 query)."""
    current = FinancialYear.containing(today).start_year
    query = _narrow(
        select(TotalMoney.stream_id, _sum(TotalMoney.committed_pence)).where(
            TotalMoney.financial_year <= current
        ),
        TotalMoney,
        filters,
    ).group_by(TotalMoney.stream_id)
    return {k: int(t) for k, t in db.session.execute(query)}
