"""What allocations add to each running total, worked out from their live rows: the one place
the figures are computed. Tracking a change (before and after), rebuilding and checking all
use it, so the three cannot disagree about what a figure means.

An allocation is the unit: everything the dashboards count hangs off one (its profile, its
projects and their targets, their returns with spend, forecasts and outputs, its payments).
Rows are read with Core selects, a chunk of allocations at a time, never as ORM objects."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from tracker.domain.periods import FinancialYear, Quarter
from tracker.models import (
    Allocation,
    AllocationYear,
    MilestoneReturn,
    Organisation,
    Payment,
    Project,
    ProjectTarget,
    RecoveryReceipt,
    ReturnForecast,
    ReturnIndicatorValue,
    ReturnSpend,
)
from tracker.models.totals import (
    TotalAllocation,
    TotalEvidence,
    TotalGrantee,
    TotalMoney,
    TotalOutput,
    TotalOutputLatest,
    TotalOutputTarget,
    TotalOutturn,
    TotalPayment,
    TotalPeriod,
    TotalProject,
    TotalProjectRating,
    TotalRating,
    TotalReturn,
    TotalReturnDue,
)
from tracker.totals import vocabulary as v
from tracker.totals.figures import EVERY_REGION, Figures

CHUNK = 2_000


def _fy(day: date) -> int:
    return FinancialYear.containing(day).start_year


@dataclass
class _Rows:
    allocations: list = field(default_factory=list)
    regions: dict = field(default_factory=dict)
    years: dict = field(default_factory=lambda: defaultdict(list))
    projects: dict = field(default_factory=lambda: defaultdict(list))
    targets: dict = field(default_factory=lambda: defaultdict(list))
    returns: dict = field(default_factory=lambda: defaultdict(list))
    spend: dict = field(default_factory=dict)
    forecasts: dict = field(default_factory=lambda: defaultdict(list))
    outputs: dict = field(default_factory=lambda: defaultdict(list))
    payments: dict = field(default_factory=lambda: defaultdict(list))
    receipts: dict = field(default_factory=lambda: defaultdict(list))


def _load(connection, where) -> _Rows:
    """Every row the totals need for the allocations `where(Allocation.id column)` picks."""
    rows = _Rows()
    rows.allocations = connection.execute(
        select(
            Allocation.id,
            Allocation.stream_id,
            Allocation.organisation_id,
            Allocation.status,
            Allocation.amount_pence,
            Allocation.planned_end,
        ).where(where(Allocation.id))
    ).all()
    if not rows.allocations:
        return rows
    organisation_ids = sorted({a.organisation_id for a in rows.allocations})
    rows.regions = dict(
        connection.execute(
            select(Organisation.id, Organisation.region).where(
                Organisation.id.in_(organisation_ids)
            )
        ).all()
    )
    for r in connection.execute(
        select(
            AllocationYear.allocation_id, AllocationYear.financial_year, AllocationYear.amount_pence
        ).where(where(AllocationYear.allocation_id))
    ):
        rows.years[r.allocation_id].append(r)
    for r in connection.execute(
        select(
            Payment.allocation_id,
            Payment.status,
            Payment.amount_pence,
            Payment.paid_on,
            Payment.approved_at,
        ).where(where(Payment.allocation_id))
    ):
        rows.payments[r.allocation_id].append(r)
    for r in connection.execute(
        select(
            RecoveryReceipt.allocation_id, RecoveryReceipt.amount_pence, RecoveryReceipt.received_on
        ).where(where(RecoveryReceipt.allocation_id))
    ):
        rows.receipts[r.allocation_id].append(r)
    for r in connection.execute(
        select(Project.id, Project.allocation_id, Project.evidence_rating).where(
            where(Project.allocation_id)
        )
    ):
        rows.projects[r.allocation_id].append(r)
    if not rows.projects:
        return rows  # no projects: no targets or returns to read (a grant not yet set up)
    for r in connection.execute(
        select(ProjectTarget.project_id, ProjectTarget.indicator_id, ProjectTarget.target)
        .join(Project, Project.id == ProjectTarget.project_id)
        .where(where(Project.allocation_id))
    ):
        rows.targets[r.project_id].append(r)
    for r in connection.execute(
        select(
            MilestoneReturn.id,
            MilestoneReturn.project_id,
            MilestoneReturn.period_start,
            MilestoneReturn.due_on,
            MilestoneReturn.revision,
            MilestoneReturn.status,
            MilestoneReturn.submitted_at,
            MilestoneReturn.self_rag,
            MilestoneReturn.reviewer_rag,
        )
        .join(Project, Project.id == MilestoneReturn.project_id)
        .where(where(Project.allocation_id))
    ):
        rows.returns[r.project_id].append(r)
    if not rows.returns:
        return rows
    rows.spend = dict(
        connection.execute(
            select(ReturnSpend.return_id, func.sum(ReturnSpend.amount_pence))
            .join(MilestoneReturn, MilestoneReturn.id == ReturnSpend.return_id)
            .join(Project, Project.id == MilestoneReturn.project_id)
            .where(where(Project.allocation_id))
            .group_by(ReturnSpend.return_id)
        ).all()
    )
    for r in connection.execute(
        select(ReturnForecast.return_id, ReturnForecast.period_start, ReturnForecast.amount_pence)
        .join(MilestoneReturn, MilestoneReturn.id == ReturnForecast.return_id)
        .join(Project, Project.id == MilestoneReturn.project_id)
        .where(where(Project.allocation_id))
    ):
        rows.forecasts[r.return_id].append(r)
    for r in connection.execute(
        select(
            ReturnIndicatorValue.return_id,
            ReturnIndicatorValue.indicator_id,
            ReturnIndicatorValue.value,
        )
        .join(MilestoneReturn, MilestoneReturn.id == ReturnIndicatorValue.return_id)
        .join(Project, Project.id == MilestoneReturn.project_id)
        .where(where(Project.allocation_id))
    ):
        rows.outputs[r.return_id].append(r)
    return rows


def _add_allocation(figures: Figures, rows: _Rows, allocation) -> None:
    stream, organisation = allocation.stream_id, allocation.organisation_id
    region = rows.regions.get(organisation) or ""
    if region == EVERY_REGION:
        region = ""  # never a region's own name: counted as not known
    status = allocation.status
    figures.add(
        TotalAllocation,
        (stream, region, str(status)),
        allocations=1,
        amount_pence=allocation.amount_pence,
    )
    committed = status in v.COMMITTED
    column = v.money_column(status)
    projects = rows.projects.get(allocation.id, [])
    for year in rows.years.get(allocation.id, []):
        if column is not None:
            figures.add(
                TotalMoney, (stream, region, year.financial_year), **{column: year.amount_pence}
            )
        if committed:
            figures.add(
                TotalGrantee,
                (stream, organisation, year.financial_year),
                committed_pence=year.amount_pence,
            )
            for project in projects:
                figures.add(
                    TotalEvidence,
                    (stream, region, str(project.evidence_rating), year.financial_year),
                    committed_pence=year.amount_pence // len(projects),
                )
    for project in projects:
        rating = str(project.evidence_rating)
        if committed:
            figures.add(TotalProject, (stream, region, rating), projects=1)
            for target in rows.targets.get(project.id, []):
                figures.add(
                    TotalOutputTarget, (stream, region, target.indicator_id), target=target.target
                )
        returns = rows.returns.get(project.id, [])
        for r in returns:
            _add_return(figures, rows, r, stream, organisation, region, rating)
        reported = [r for r in returns if r.status in v.REPORTED]
        _add_latest_outputs(figures, rows, reported, stream, region)
        if reported:
            latest = max(reported, key=lambda r: (r.period_start, r.revision, r.id))
            for forecast in rows.forecasts.get(latest.id, []):
                figures.add(
                    TotalPeriod,
                    (stream, region, forecast.period_start),
                    forecast_pence=forecast.amount_pence,
                    forecasts=1,
                )
        rated = v.latest_rating(returns) if status in v.LIVE else None
        if rated is not None:
            rag, rated_by, period_start = rated
            figures.ratings[project.id] = {
                "project_id": project.id,
                "allocation_id": allocation.id,
                "stream_id": stream,
                "region": region,
                "rag": rag,
                "rated_by": rated_by,
                "period_start": period_start,
            }
            figures.add(TotalProjectRating, (stream, region, rag, rated_by), projects=1)
    for receipt in rows.receipts.get(allocation.id, []):
        figures.add(
            TotalMoney,
            (stream, region, _fy(receipt.received_on)),
            recovered_pence=receipt.amount_pence,
        )
    if committed:
        for quarter, (kind, pence) in outturn_parts(rows, allocation).items():
            figures.add(TotalOutturn, (stream, region, quarter), **{kind: pence})
    for payment in rows.payments.get(allocation.id, []):
        if payment.status == v.APPROVED_UNPAID and payment.approved_at is not None:
            figures.add(
                TotalOutturn,
                (stream, region, _quarter(payment.approved_at.date())),
                approved_unpaid_pence=payment.amount_pence,
            )
        figures.add(
            TotalPayment,
            (stream, region, str(payment.status)),
            payments=1,
            amount_pence=payment.amount_pence,
        )
        if payment.status == v.PAID and payment.paid_on is not None:
            year = _fy(payment.paid_on)
            figures.add(TotalMoney, (stream, region, year), paid_pence=payment.amount_pence)
            figures.add(TotalGrantee, (stream, organisation, year), paid_pence=payment.amount_pence)


def _quarter(day: date) -> date:
    return Quarter.containing(day).start


def outturn_parts(rows: _Rows, allocation) -> dict[date, tuple[str, int]]:
    """One committed allocation's best estimate of its spend in each financial quarter, and
    where it comes from: {quarter start: (column of total_outturn, pence)}. A quarter any of its
    returns has reported spend for counts that spend ("reported_pence"); otherwise its
    projects' latest forecasts for the quarter, where any gives one ("forecast_pence");
    otherwise the profile's share of the quarter (each year's profile spread equally over its
    four quarters, as the spend-over-time chart spreads it: "profile_pence"). A closed grant
    counts only what it reported: its forecasts, and the profile of quarters it never reported
    on, are ignored. So is a forecast for a quarter after the grant's planned end (left from
    before a variation brought the end forward): no money is spent on a grant after it ends."""
    reported: dict[date, int] = {}
    forecast: dict[date, int] = {}
    last = _quarter(allocation.planned_end) if allocation.planned_end else None
    for project in rows.projects.get(allocation.id, []):
        returns = [r for r in rows.returns.get(project.id, []) if r.status in v.REPORTED]
        for r in returns:
            quarter = _quarter(r.period_start)
            reported[quarter] = reported.get(quarter, 0) + int(rows.spend.get(r.id) or 0)
        if returns and allocation.status not in v.ENDED:
            latest = max(returns, key=lambda r: (r.period_start, r.revision, r.id))
            for line in rows.forecasts.get(latest.id, []):
                quarter = _quarter(line.period_start)
                if last is None or quarter <= last:
                    forecast[quarter] = forecast.get(quarter, 0) + line.amount_pence
    parts = {quarter: ("reported_pence", pence) for quarter, pence in reported.items()}
    if allocation.status in v.ENDED:
        return parts
    for quarter, pence in forecast.items():
        parts.setdefault(quarter, ("forecast_pence", pence))
    for year in rows.years.get(allocation.id, []):
        share, remainder = divmod(year.amount_pence, 4)
        for n, quarter in enumerate(FinancialYear(year.financial_year).quarters()):
            parts.setdefault(quarter.start, ("profile_pence", share + (n < remainder)))
    return parts


def _add_latest_outputs(figures, rows, reported, stream, region) -> None:
    """Each of one project's indicators' latest figure (latest period, then revision): in each
    financial year, and over all of them."""
    newest_first = sorted(reported, key=lambda r: (r.period_start, r.revision, r.id), reverse=True)
    in_year: set = set()
    overall: set = set()
    for r in newest_first:
        year = _fy(r.period_start)
        for value in rows.outputs.get(r.id, []):
            if (value.indicator_id, year) not in in_year:
                in_year.add((value.indicator_id, year))
                figures.add(
                    TotalOutput, (stream, region, value.indicator_id, year), latest=value.value
                )
            if value.indicator_id not in overall:
                overall.add(value.indicator_id)
                figures.add(
                    TotalOutputLatest, (stream, region, value.indicator_id), latest=value.value
                )


def _add_return(figures, rows, r, stream, organisation, region, rating) -> None:
    year = _fy(r.period_start)
    on_time = r.submitted_at is not None and r.submitted_at.date() <= r.due_on
    figures.add(TotalReturn, (stream, region, year, str(r.status), on_time), returns=1)
    if r.status in v.OPEN:
        figures.add(TotalReturnDue, (stream, region, year, r.due_on), returns=1)
    if r.self_rag is not None:
        figures.add(TotalRating, (stream, region, year, "grantee", str(r.self_rag)), returns=1)
    if r.reviewer_rag is not None:
        figures.add(TotalRating, (stream, region, year, "reviewer", str(r.reviewer_rag)), returns=1)
    if r.status not in v.REPORTED:
        return
    spent = int(rows.spend.get(r.id) or 0)
    figures.add(TotalMoney, (stream, region, year), reported_pence=spent)
    figures.add(TotalPeriod, (stream, region, r.period_start), reported_pence=spent)
    figures.add(TotalGrantee, (stream, organisation, year), reported_pence=spent)
    figures.add(TotalEvidence, (stream, region, rating, year), reported_pence=spent)
    for value in rows.outputs.get(r.id, []):
        figures.add(TotalOutput, (stream, region, value.indicator_id, year), achieved=value.value)


def of_allocations(connection, allocation_ids: Iterable[int]) -> Figures:
    """What these allocations add to the totals now (as this transaction sees the rows)."""
    figures = Figures()
    ids = sorted(set(allocation_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = _load(connection, lambda column, chunk=chunk: column.in_(chunk))
        for allocation in rows.allocations:
            _add_allocation(figures, rows, allocation)
    return figures


@dataclass(frozen=True)
class NewAllocation:
    """An allocation just inserted in bulk, as its writer has it in hand: no projects, returns
    or payments yet, so nothing else need be read back."""

    id: int
    stream_id: int
    organisation_id: int
    status: object
    amount_pence: int
    profile: dict  # financial year -> pence
    planned_end: date | None = None


def of_new(connection, allocations: list[NewAllocation]) -> Figures:
    """What allocations inserted just now add, from the values their writer holds (only the
    organisations' regions are read), by the same rule as every other figure."""
    rows = _Rows()
    rows.allocations = allocations
    organisation_ids = sorted({a.organisation_id for a in allocations})
    for start in range(0, len(organisation_ids), CHUNK):
        rows.regions.update(
            connection.execute(
                select(Organisation.id, Organisation.region).where(
                    Organisation.id.in_(organisation_ids[start : start + CHUNK])
                )
            ).all()
        )
    for allocation in allocations:
        rows.years[allocation.id] = [
            _Year(year, pence) for year, pence in sorted(allocation.profile.items())
        ]
    figures = Figures()
    for allocation in allocations:
        _add_allocation(figures, rows, allocation)
    return figures


@dataclass(frozen=True)
class _Year:
    financial_year: int
    amount_pence: int


def of_everything(connection) -> Iterator[Figures]:
    """What every allocation adds, a chunk of allocations at a time (constant memory)."""
    last = 0
    while True:
        upper = connection.scalar(
            select(func.max(Allocation.id)).where(
                Allocation.id.in_(
                    select(Allocation.id)
                    .where(Allocation.id > last)
                    .order_by(Allocation.id)
                    .limit(CHUNK)
                )
            )
        )
        if upper is None:
            return
        rows = _load(connection, lambda column, lo=last, hi=upper: (column > lo) & (column <= hi))
        figures = Figures()
        for allocation in rows.allocations:
            _add_allocation(figures, rows, allocation)
        yield figures
        last = upper


@dataclass(frozen=True)
class GrantOutturn:
    """One committed allocation's forecast outturn for a year, beside its profile for it."""

    allocation_id: int
    profile_pence: int
    outturn_pence: int

    @property
    def difference_pence(self) -> int:
        return self.outturn_pence - self.profile_pence


def outturn_of_stream(connection, stream_id: int, year: FinancialYear) -> list[GrantOutturn]:
    """Each committed allocation of a stream: its forecast outturn for `year` (by the rule of
    `outturn_parts`, the totals' own) and its profile for the year, a chunk at a time."""
    committed = [str(status) for status in v.COMMITTED]
    ids = connection.scalars(
        select(Allocation.id)
        .where(Allocation.stream_id == stream_id, Allocation.status.in_(committed))
        .order_by(Allocation.id)
    ).all()
    found = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = _load(connection, lambda column, chunk=chunk: column.in_(chunk))
        for allocation in rows.allocations:
            profile = sum(
                y.amount_pence
                for y in rows.years.get(allocation.id, [])
                if y.financial_year == year.start_year
            )
            outturn = sum(
                pence
                for quarter, (_, pence) in outturn_parts(rows, allocation).items()
                if quarter in year
            )
            if profile or outturn:
                found.append(GrantOutturn(allocation.id, profile, outturn))
    return found
