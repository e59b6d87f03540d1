"""The allocations download and the 360Giving package's grants."""

from collections.abc import Iterable, Iterator

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from tracker.data.exports.filters import (
    AWARDED_STATUSES,
    ExportFilters,
    count_of,
    rows_of,
    stream_and_place,
)
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationYear,
    Department,
    FinalReturn,
    FundingStream,
    GrantOffer,
    Organisation,
    Payment,
    PaymentStatus,
    Recovery,
    RecoveryReceipt,
)


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
    return stream_and_place(query, filters)


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


def profile_years(filters: ExportFilters) -> list[int]:
    """The financial years in which any allocation the filters admit has a share: the
    allocations download has a column for each, so that its file imports back whole."""
    admitted = _allocation_query(filters, columns=[Allocation.id])
    return list(
        db.session.scalars(
            select(AllocationYear.financial_year)
            .where(AllocationYear.allocation_id.in_(admitted), AllocationYear.amount_pence > 0)
            .distinct()
            .order_by(AllocationYear.financial_year)
        )
    )


def allocation_rows(filters: ExportFilters, years: Iterable[int] = ()) -> Iterator[dict]:
    """Every allocation (any status) the filters admit, with its share of each of `years`
    (`profile_2020`, …). With a financial year, each row also carries the amount profiled for
    that year (`year_pence`)."""
    share = aliased(AllocationYear)  # not the year filter's join below
    columns = _allocation_columns() + [
        select(share.amount_pence)
        .where(share.allocation_id == Allocation.id, share.financial_year == y)
        .correlate(Allocation)
        .scalar_subquery()
        .label(f"profile_{y}")
        for y in years
    ]
    if filters.year is not None:
        columns.append(AllocationYear.amount_pence.label("year_pence"))
    # The latest version of each allocation's offer (none for a draft, or one loaded in bulk).
    offer, later = aliased(GrantOffer), aliased(GrantOffer)
    columns += [
        offer.version.label("offer_version"),
        offer.status.label("offer_status"),
        offer.accepted_at.label("offer_accepted_at"),
        offer.terms_sha256.label("offer_sha256"),
        FinalReturn.status.label("final_return_status"),
        FinalReturn.eligible_spend_pence,
        Recovery.amount_pence.label("recovery_pence"),
        Recovery.received_pence.label("recovered_pence"),
        Recovery.written_off_pence,
    ]
    query = _allocation_query(filters, columns=columns).outerjoin(
        offer,
        and_(
            offer.allocation_id == Allocation.id,
            ~exists().where(
                later.allocation_id == offer.allocation_id, later.version > offer.version
            ),
        ),
    )
    # At most one final return and one recovery per allocation (each unique on it).
    query = query.outerjoin(FinalReturn, FinalReturn.allocation_id == Allocation.id).outerjoin(
        Recovery, Recovery.allocation_id == Allocation.id
    )
    if filters.year is not None:
        query = query.outerjoin(
            AllocationYear,
            and_(
                AllocationYear.allocation_id == Allocation.id,
                AllocationYear.financial_year == filters.year.start_year,
            ),
        )
    return rows_of(
        query.order_by(FundingStream.code, Organisation.name, Allocation.identifier, Allocation.id)
    )


# A grant is published in 360Giving only under a funder someone has named (the source or an
# officer: never a default) whose org-id has been checked against the register.
PUBLISHABLE_FUNDER = Department.org_id_confirmed.is_(True)


def _disbursed():
    """What was paid on the allocation less what it paid back (recoveries received)."""
    paid = (
        select(func.coalesce(func.sum(Payment.amount_pence), 0))
        .where(Payment.allocation_id == Allocation.id, Payment.status == PaymentStatus.PAID)
        .correlate(Allocation)
        .scalar_subquery()
    )
    repaid = (
        select(func.coalesce(func.sum(RecoveryReceipt.amount_pence), 0))
        .where(RecoveryReceipt.allocation_id == Allocation.id)
        .correlate(Allocation)
        .scalar_subquery()
    )
    return (paid - repaid).label("disbursed_pence")


def awarded_allocation_rows(filters: ExportFilters) -> Iterator[dict]:
    """The allocations that were awarded (offered, accepted, active or closed) under a named
    funder with a confirmed org-id, for 360Giving, with what was disbursed net of recoveries."""
    columns = [*_allocation_columns(), _disbursed()]
    query = _allocation_query(filters, columns=columns).where(
        Allocation.status.in_(AWARDED_STATUSES), PUBLISHABLE_FUNDER
    )
    return rows_of(query.order_by(Allocation.awarded_on, Allocation.identifier, Allocation.id))


def count_allocations(filters: ExportFilters) -> int:
    return count_of(_allocation_query(filters, columns=[Allocation.id]))


def count_awarded_allocations(filters: ExportFilters) -> int:
    """The grants the 360Giving package holds."""
    return count_of(
        _allocation_query(filters, columns=[Allocation.id]).where(
            Allocation.status.in_(AWARDED_STATUSES), PUBLISHABLE_FUNDER
        )
    )


def count_awarded_allocations_held_back(filters: ExportFilters) -> int:
    """Awarded allocations kept out of the 360Giving package: their stream names no funder, or
    the funder's org-id has not been confirmed."""
    return count_of(
        _allocation_query(filters, columns=[Allocation.id]).where(
            Allocation.status.in_(AWARDED_STATUSES),
            or_(FundingStream.department_id.is_(None), ~PUBLISHABLE_FUNDER),
        )
    )
