"""The queries behind the downloads. Each reads plain rows with a Core select and
`yield_per`, so a download of any size holds only a batch of rows in memory at a time.

Every export takes the same filters (`ExportFilters`): a financial year, a stream, a funder (a
department, or streams whose funder the source does not state) and a region (the grantee
organisation's). What the financial year means differs by what is exported, and is said on each
function.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from tracker.domain.periods import FinancialYear
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationStatus,
    AllocationYear,
    Department,
    FundingStream,
    Indicator,
    Milestone,
    MilestoneReturn,
    Organisation,
    Payment,
    Project,
    ReturnForecast,
    ReturnIndicatorValue,
    ReturnSpend,
    SpendCategory,
    User,
)

BATCH = 1000
# The funder filter's value for streams whose source names no department.
FUNDER_NOT_STATED = "not-stated"
# An allocation that was awarded: offered to the grantee or further on, and not withdrawn.
AWARDED_STATUSES = [
    AllocationStatus.OFFERED,
    AllocationStatus.ACCEPTED,
    AllocationStatus.ACTIVE,
    AllocationStatus.CLOSED,
]


@dataclass(frozen=True)
class ExportFilters:
    year: FinancialYear | None = None
    stream_id: int | None = None
    # A department's id, FUNDER_NOT_STATED, or None for every funder.
    funder: int | str | None = None
    region: str | None = None

    @property
    def is_empty(self) -> bool:
        return self == ExportFilters()


@dataclass(frozen=True)
class FilterChoices:
    years: list[FinancialYear]
    streams: list[tuple[int, str]]
    departments: list[tuple[int, str]]
    regions: list[str]


def filter_choices() -> FilterChoices:
    """What each filter offers: the financial years the streams span, every stream, every
    department and each region an organisation is in (four queries)."""
    first, last = db.session.execute(
        select(func.min(FundingStream.first_year), func.max(FundingStream.last_year))
    ).one()
    years = [FinancialYear(y) for y in range(first, last + 1)] if first is not None else []
    streams = db.session.execute(
        select(FundingStream.id, FundingStream.name).order_by(FundingStream.name)
    ).all()
    departments = db.session.execute(
        select(Department.id, Department.name).order_by(Department.name)
    ).all()
    regions = db.session.scalars(
        select(Organisation.region)
        .where(Organisation.region != "")
        .distinct()
        .order_by(Organisation.region)
    ).all()
    return FilterChoices(
        years, [tuple(s) for s in streams], [tuple(d) for d in departments], list(regions)
    )


def _stream_and_place(query: Select, filters: ExportFilters) -> Select:
    """The filters every export shares; the query has joined Allocation, FundingStream and
    Organisation."""
    if filters.stream_id is not None:
        query = query.where(Allocation.stream_id == filters.stream_id)
    if filters.funder == FUNDER_NOT_STATED:
        query = query.where(FundingStream.department_id.is_(None))
    elif filters.funder is not None:
        query = query.where(FundingStream.department_id == filters.funder)
    if filters.region is not None:
        query = query.where(Organisation.region == filters.region)
    return query


def _rows(query: Select) -> Iterator[dict]:
    """Each row as a dict of its labelled columns, read a batch at a time (a server-side cursor
    on PostgreSQL), never all at once. Executed as Core on the session's connection: plain
    rows, none of the ORM's loading machinery."""
    result = db.session.connection().execute(query.execution_options(yield_per=BATCH))
    keys = list(result.keys())
    for row in result:
        yield dict(zip(keys, row, strict=True))


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


# --- allocations -----------------------------------------------------------------------------


def _allocation_query(filters: ExportFilters, *, columns: list) -> Select:
    """With a financial year: the allocations whose planned dates overlap it."""
    query = (
        select(*columns)
        .select_from(Allocation)
        .join(FundingStream, Allocation.stream_id == FundingStream.id)
        .outerjoin(Department, FundingStream.department_id == Department.id)
        .join(Organisation, Allocation.organisation_id == Organisation.id)
    )
    if filters.year is not None:
        query = query.where(
            Allocation.planned_start <= filters.year.end,
            Allocation.planned_end >= filters.year.start,
        )
    return _stream_and_place(query, filters)


def _allocation_columns() -> list:
    return [
        Allocation.id.label("allocation_id"),
        Allocation.identifier,
        Allocation.title,
        FundingStream.code.label("stream_code"),
        FundingStream.name.label("stream_name"),
        FundingStream.description.label("stream_description"),
        FundingStream.funder_note,
        Department.name.label("funder_name"),
        Department.org_id.label("funder_org_id"),
        Organisation.name.label("organisation_name"),
        Organisation.org_id.label("organisation_org_id"),
        Organisation.type.label("organisation_type"),
        Organisation.region,
        Organisation.local_authority_code,
        Allocation.status,
        Allocation.amount_pence,
        Allocation.awarded_on,
        Allocation.planned_start,
        Allocation.planned_end,
        Allocation.updated_at,
        Allocation.is_illustrative,
    ]


def allocation_rows(filters: ExportFilters) -> Iterator[dict]:
    """Every allocation (any status) the filters admit. With a financial year, each row also
    carries the amount profiled for that year (`year_pence`)."""
    columns = _allocation_columns()
    if filters.year is not None:
        columns.append(AllocationYear.amount_pence.label("year_pence"))
    query = _allocation_query(filters, columns=columns)
    if filters.year is not None:
        query = query.outerjoin(
            AllocationYear,
            and_(
                AllocationYear.allocation_id == Allocation.id,
                AllocationYear.financial_year == filters.year.start_year,
            ),
        )
    return _rows(
        query.order_by(FundingStream.code, Organisation.name, Allocation.identifier, Allocation.id)
    )


# A grant is published in 360Giving only under a funder someone has named (the source or an
# officer: never a default) whose org-id has been checked against the register.
PUBLISHABLE_FUNDER = Department.org_id_confirmed.is_(True)


def awarded_allocation_rows(filters: ExportFilters) -> Iterator[dict]:
    """The allocations that were awarded (offered, accepted, active or closed) under a named
    funder with a confirmed org-id, for 360Giving."""
    query = _allocation_query(filters, columns=_allocation_columns()).where(
        Allocation.status.in_(AWARDED_STATUSES), PUBLISHABLE_FUNDER
    )
    return _rows(query.order_by(Allocation.awarded_on, Allocation.identifier, Allocation.id))


def count_allocations(filters: ExportFilters) -> int:
    return _count(_allocation_query(filters, columns=[Allocation.id]))


def count_awarded_allocations(filters: ExportFilters) -> int:
    """The grants the 360Giving package holds."""
    return _count(
        _allocation_query(filters, columns=[Allocation.id]).where(
            Allocation.status.in_(AWARDED_STATUSES), PUBLISHABLE_FUNDER
        )
    )


def count_awarded_allocations_held_back(filters: ExportFilters) -> int:
    """Awarded allocations kept out of the 360Giving package: their stream names no funder, or
    the funder's org-id has not been confirmed."""
    return _count(
        _allocation_query(filters, columns=[Allocation.id]).where(
            Allocation.status.in_(AWARDED_STATUSES),
            or_(FundingStream.department_id.is_(None), ~PUBLISHABLE_FUNDER),
        )
    )


# --- returns ---------------------------------------------------------------------------------


def _return_query(filters: ExportFilters, *, columns: list) -> Select:
    """With a financial year: the returns whose reporting period starts in it."""
    query = (
        select(*columns)
        .select_from(MilestoneReturn)
        .join(Project, MilestoneReturn.project_id == Project.id)
        .join(Allocation, Project.allocation_id == Allocation.id)
        .join(FundingStream, Allocation.stream_id == FundingStream.id)
        .outerjoin(Department, FundingStream.department_id == Department.id)
        .join(Organisation, Allocation.organisation_id == Organisation.id)
    )
    if filters.year is not None:
        query = query.where(
            MilestoneReturn.period_start >= filters.year.start,
            MilestoneReturn.period_start <= filters.year.end,
        )
    return _stream_and_place(query, filters)


def _spend_by_category():
    """Each return's spend summed per category, in the database."""

    def category(which: SpendCategory):
        return func.sum(
            case((ReturnSpend.category == which, ReturnSpend.amount_pence), else_=0)
        ).label(f"spend_{which.value}_pence")

    return (
        select(
            ReturnSpend.return_id,
            *(category(c) for c in SpendCategory),
            func.sum(ReturnSpend.amount_pence).label("spend_total_pence"),
        )
        .group_by(ReturnSpend.return_id)
        .subquery()
    )


def return_rows(filters: ExportFilters, *, personal: bool) -> Iterator[dict]:
    """Every return the filters admit, with its spend by category, its forecast and, under
    `outputs`, its indicator values as (indicator name, value) pairs. With personal=False, the
    narrative, risks and names are not even read."""
    spend = _spend_by_category()
    forecast = (
        select(
            ReturnForecast.return_id,
            func.sum(ReturnForecast.amount_pence).label("forecast_pence"),
        )
        .group_by(ReturnForecast.return_id)
        .subquery()
    )
    columns = [
        MilestoneReturn.id.label("return_id"),
        Allocation.identifier,
        FundingStream.code.label("stream_code"),
        FundingStream.name.label("stream_name"),
        Department.name.label("funder_name"),
        Organisation.name.label("organisation_name"),
        Organisation.org_id.label("organisation_org_id"),
        Organisation.region,
        Project.title.label("project_title"),
        MilestoneReturn.period_start,
        MilestoneReturn.period_end,
        MilestoneReturn.due_on,
        MilestoneReturn.revision,
        MilestoneReturn.status,
        MilestoneReturn.self_rag,
        MilestoneReturn.reviewer_rag,
        MilestoneReturn.submitted_at,
        MilestoneReturn.reviewed_at,
        *(spend.c[f"spend_{c.value}_pence"] for c in SpendCategory),
        spend.c.spend_total_pence,
        forecast.c.forecast_pence,
        Allocation.is_illustrative,
    ]
    if personal:
        columns += [
            MilestoneReturn.narrative,
            MilestoneReturn.risks,
            MilestoneReturn.overspend_explanation,
            MilestoneReturn.grantee_response,
            MilestoneReturn.declared_by_name,
        ]
    order = (MilestoneReturn.due_on, MilestoneReturn.id)
    query = (
        _return_query(filters, columns=columns)
        .outerjoin(spend, spend.c.return_id == MilestoneReturn.id)
        .outerjoin(forecast, forecast.c.return_id == MilestoneReturn.id)
        .order_by(*order)
    )
    outputs = _return_query(
        filters,
        columns=[
            MilestoneReturn.due_on,
            MilestoneReturn.id.label("return_id"),
            Indicator.name.label("indicator_name"),
            ReturnIndicatorValue.value,
        ],
    )
    outputs = (
        outputs.join(ReturnIndicatorValue, ReturnIndicatorValue.return_id == MilestoneReturn.id)
        .join(Indicator, ReturnIndicatorValue.indicator_id == Indicator.id)
        .order_by(*order, Indicator.code)
    )
    return _with_outputs(_rows(query), _rows(outputs))


def _with_outputs(returns: Iterator[dict], outputs: Iterator[dict]) -> Iterator[dict]:
    """Merge two streams sorted the same way (due date, then id), so neither is held whole."""
    pending = next(outputs, None)
    for row in returns:
        key = (row["due_on"], row["return_id"])
        while pending is not None and (pending["due_on"], pending["return_id"]) < key:
            pending = next(outputs, None)
        found = []
        while pending is not None and (pending["due_on"], pending["return_id"]) == key:
            found.append((pending["indicator_name"], pending["value"]))
            pending = next(outputs, None)
        row["outputs"] = found
        yield row


def count_returns(filters: ExportFilters) -> int:
    return _count(_return_query(filters, columns=[MilestoneReturn.id]))


# --- payments --------------------------------------------------------------------------------


def _payment_query(filters: ExportFilters, *, columns: list) -> Select:
    """With a financial year: the payments paid in it, and those not yet paid that were
    requested in it."""
    query = (
        select(*columns)
        .select_from(Payment)
        .join(Allocation, Payment.allocation_id == Allocation.id)
        .join(FundingStream, Allocation.stream_id == FundingStream.id)
        .outerjoin(Department, FundingStream.department_id == Department.id)
        .join(Organisation, Allocation.organisation_id == Organisation.id)
    )
    if filters.year is not None:
        start = datetime.combine(filters.year.start, time.min)
        after = datetime.combine(filters.year.end + timedelta(days=1), time.min)
        query = query.where(
            or_(
                and_(Payment.paid_on >= filters.year.start, Payment.paid_on <= filters.year.end),
                and_(
                    Payment.paid_on.is_(None),
                    Payment.requested_at >= start,
                    Payment.requested_at < after,
                ),
            )
        )
    return _stream_and_place(query, filters)


def payment_rows(filters: ExportFilters, *, personal: bool) -> Iterator[dict]:
    """Every payment the filters admit, with what it pays for (a return's period or a
    milestone). With personal=True, who requested and who approved it, by name."""
    columns = [
        Payment.id.label("payment_id"),
        Allocation.identifier,
        FundingStream.code.label("stream_code"),
        FundingStream.name.label("stream_name"),
        Department.name.label("funder_name"),
        Organisation.name.label("organisation_name"),
        Organisation.org_id.label("organisation_org_id"),
        Organisation.region,
        MilestoneReturn.period_start.label("return_period_start"),
        MilestoneReturn.period_end.label("return_period_end"),
        Milestone.title.label("milestone_title"),
        Payment.amount_pence,
        Payment.status,
        Payment.requested_at,
        Payment.approved_at,
        Payment.paid_on,
        Payment.payment_reference,
        Allocation.is_illustrative,
    ]
    requester, approver = aliased(User), aliased(User)
    if personal:
        columns += [requester.name.label("requested_by"), approver.name.label("approved_by")]
    query = (
        _payment_query(filters, columns=columns)
        .outerjoin(MilestoneReturn, Payment.return_id == MilestoneReturn.id)
        .outerjoin(Milestone, Payment.milestone_id == Milestone.id)
    )
    if personal:
        query = query.outerjoin(requester, Payment.requested_by_id == requester.id).outerjoin(
            approver, Payment.approved_by_id == approver.id
        )
    return _rows(query.order_by(Payment.id))


def count_payments(filters: ExportFilters) -> int:
    return _count(_payment_query(filters, columns=[Payment.id]))
