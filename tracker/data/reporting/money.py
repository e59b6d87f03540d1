"""Money: announced, budget, in draft, offered, committed, paid, reported and recovered, by
stream, quarter, grantee, region and strength of evidence."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select

from tracker.data.reporting.narrowing import (
    COMMITTED,
    NOT_KNOWN,
    Filters,
    money_by,
    narrow,
    summed,
)
from tracker.domain.periods import FinancialYear, Quarter
from tracker.extensions import db
from tracker.models import (
    FundingStream,
    Organisation,
    StreamBudget,
)
from tracker.models.totals import (
    TotalAllocation,
    TotalEvidence,
    TotalGrantee,
    TotalMoney,
    TotalPeriod,
    TotalProject,
)


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
    money = money_by(lambda t: t.stream_id, filters)
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
    periods = narrow(
        select(
            TotalPeriod.period_start,
            summed(TotalPeriod.reported_pence),
            summed(TotalPeriod.forecast_pence),
            summed(TotalPeriod.forecasts),
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
    years = narrow(
        select(TotalMoney.financial_year, summed(TotalMoney.committed_pence)), TotalMoney, filters
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
        narrow(
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
    query = narrow(
        select(
            TotalGrantee.organisation_id,
            Organisation.name,
            summed(TotalGrantee.committed_pence).label("committed"),
            summed(TotalGrantee.reported_pence),
            summed(TotalGrantee.paid_pence),
            summed(
                case(
                    (TotalGrantee.financial_year <= current, TotalGrantee.committed_pence), else_=0
                )
            ),
        )
        .join(Organisation, Organisation.id == TotalGrantee.organisation_id)
        .where(TotalGrantee.stream_id == stream_id),
        TotalGrantee,
        filters,
    ).group_by(TotalGrantee.organisation_id, Organisation.name)
    figures = [row for row in db.session.execute(query) if any(int(x) for x in row[2:])]
    # Most committed first, then by name: the page's first `limit` are the download's first.
    figures.sort(key=lambda row: (-int(row[2]), row[1], row[0]))
    shown = figures[:limit] if limit is not None else figures
    rows = [GranteeRow(name, int(c), int(r), int(p), int(d)) for _, name, c, r, p, d in shown]
    return Grantees(stream_id, stream_name, rows, len(figures))


@dataclass
class GroupRow:
    label: str
    allocated_pence: int  # committed
    reported_pence: int
    projects: int = 0


def by_region(filters: Filters) -> list[GroupRow]:
    """Committed and reported spend by the grantee's region (2 queries)."""
    money = money_by(lambda t: t.region, filters, by_region=True)
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
    query = narrow(
        select(
            TotalEvidence.evidence_rating,
            summed(TotalEvidence.committed_pence),
            summed(TotalEvidence.reported_pence),
        ),
        TotalEvidence,
        filters,
    ).group_by(TotalEvidence.evidence_rating)
    money = {rating: (int(c), int(r)) for rating, c, r in db.session.execute(query)}
    projects_query = narrow(
        select(TotalProject.evidence_rating, summed(TotalProject.projects)),
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


def profile_to_date_by_stream(filters: Filters, today: date) -> dict[int, int]:
    """Each stream's committed profile for the financial years begun by today (1 query)."""
    current = FinancialYear.containing(today).start_year
    query = narrow(
        select(TotalMoney.stream_id, summed(TotalMoney.committed_pence)).where(
            TotalMoney.financial_year <= current
        ),
        TotalMoney,
        filters,
    ).group_by(TotalMoney.stream_id)
    return {k: int(t) for k, t in db.session.execute(query)}
