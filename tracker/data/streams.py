from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.data.pagination import Page, paginate
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationStatus,
    AllocationYear,
    Department,
    FundingStream,
    StreamBudget,
    StreamConditions,
)

LIVE = Allocation.status != AllocationStatus.WITHDRAWN


@dataclass
class StreamTotals:
    stream: FundingStream
    budget_pence: int
    allocated_pence: int

    @property
    def remaining_pence(self) -> int:
        return self.budget_pence - self.allocated_pence


@dataclass
class YearTotals:
    financial_year: int
    resource_pence: int
    capital_pence: int
    allocated_pence: int

    @property
    def budget_pence(self) -> int:
        return self.resource_pence + self.capital_pence

    @property
    def remaining_pence(self) -> int:
        return self.budget_pence - self.allocated_pence


def stream_totals(page: int = 1) -> Page:
    """A page of streams, biggest first, each with its budget and live allocations summed in
    the database: the same few queries however many streams there are."""
    streams = paginate(
        select(FundingStream)
        .options(selectinload(FundingStream.department))
        .order_by(FundingStream.announced_pence.desc(), FundingStream.name, FundingStream.id),
        page,
    )
    ids = [stream.id for stream in streams.items]
    budgets = dict(
        db.session.execute(
            select(
                StreamBudget.stream_id,
                func.sum(StreamBudget.resource_pence + StreamBudget.capital_pence),
            )
            .where(StreamBudget.stream_id.in_(ids))
            .group_by(StreamBudget.stream_id)
        ).all()
    )
    allocated = dict(
        db.session.execute(
            select(Allocation.stream_id, func.sum(Allocation.amount_pence))
            .where(LIVE, Allocation.stream_id.in_(ids))
            .group_by(Allocation.stream_id)
        ).all()
    )
    streams.items = [
        StreamTotals(stream, int(budgets.get(stream.id) or 0), int(allocated.get(stream.id) or 0))
        for stream in streams.items
    ]
    return streams


def totals_for_stream(stream: FundingStream) -> StreamTotals:
    budget = db.session.scalar(
        select(
            func.coalesce(func.sum(StreamBudget.resource_pence + StreamBudget.capital_pence), 0)
        ).where(StreamBudget.stream_id == stream.id)
    )
    return StreamTotals(stream, int(budget), allocated_to_stream(stream.id))


def allocated_to_stream(stream_id: int, *, excluding: int | None = None) -> int:
    query = select(func.coalesce(func.sum(Allocation.amount_pence), 0)).where(
        Allocation.stream_id == stream_id, LIVE
    )
    if excluding is not None:
        query = query.where(Allocation.id != excluding)
    return int(db.session.scalar(query))


def allocated_by_year(stream_id: int, *, excluding: int | None = None) -> dict[int, int]:
    query = (
        select(AllocationYear.financial_year, func.sum(AllocationYear.amount_pence))
        .join(Allocation)
        .where(Allocation.stream_id == stream_id, LIVE)
        .group_by(AllocationYear.financial_year)
    )
    if excluding is not None:
        query = query.where(Allocation.id != excluding)
    return {year: int(total) for year, total in db.session.execute(query).all()}


def year_totals(stream: FundingStream) -> list[YearTotals]:
    allocated = allocated_by_year(stream.id)
    budgets = {budget.financial_year: budget for budget in budgets_for_stream(stream.id)}
    years = sorted(
        set(range(stream.first_year, stream.last_year + 1)) | set(budgets) | set(allocated)
    )
    return [
        YearTotals(
            year,
            budgets[year].resource_pence if year in budgets else 0,
            budgets[year].capital_pence if year in budgets else 0,
            allocated.get(year, 0),
        )
        for year in years
    ]


def budgets_for_stream(stream_id: int, *, lock: bool = False) -> list[StreamBudget]:
    """With lock=True, holds the budget rows (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE
    already holds the whole database) until the transaction ends."""
    query = (
        select(StreamBudget)
        .where(StreamBudget.stream_id == stream_id)
        .order_by(StreamBudget.financial_year)
    )
    if lock:
        query = query.with_for_update()
    return list(db.session.scalars(query))


def lock_stream(stream_id: int) -> FundingStream | None:
    """Take the stream's row lock: every allocation write for a stream queues behind it."""
    return db.session.scalar(
        select(FundingStream).where(FundingStream.id == stream_id).with_for_update()
    )


def stream_by_id(stream_id: int) -> FundingStream | None:
    return db.session.get(FundingStream, stream_id)


def stream_by_code(code: str) -> FundingStream | None:
    return db.session.scalar(select(FundingStream).where(FundingStream.code == code))


def stream_by_ggis_id(ggis_scheme_id: str) -> FundingStream | None:
    return db.session.scalar(
        select(FundingStream).where(FundingStream.ggis_scheme_id == ggis_scheme_id)
    )


def all_streams() -> list[FundingStream]:
    return list(db.session.scalars(select(FundingStream).order_by(FundingStream.name)))


def stream_choices() -> list:
    """Each stream's id, name and years, for a filter: rows, not objects (a department has a
    hundred streams, and a filter needs four of their columns)."""
    return list(
        db.session.execute(
            select(
                FundingStream.id,
                FundingStream.name,
                FundingStream.first_year,
                FundingStream.last_year,
            ).order_by(FundingStream.name)
        )
    )


def all_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))


def department_by_id(department_id: int) -> Department | None:
    return db.session.get(Department, department_id)


def department_by_org_id(org_id: str) -> Department | None:
    return db.session.scalar(select(Department).where(Department.org_id == org_id))


def condition_versions(stream_id: int) -> list[StreamConditions]:
    """Every version of a stream's standard conditions, the newest first."""
    return list(
        db.session.scalars(
            select(StreamConditions)
            .where(StreamConditions.stream_id == stream_id)
            .order_by(StreamConditions.version.desc())
        )
    )


def latest_conditions(stream_id: int) -> StreamConditions | None:
    return db.session.scalars(
        select(StreamConditions)
        .where(StreamConditions.stream_id == stream_id)
        .order_by(StreamConditions.version.desc())
        .limit(1)
    ).first()
