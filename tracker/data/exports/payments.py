"""The payments download."""

from collections.abc import Iterator
from datetime import datetime, time, timedelta

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import aliased

from tracker.data.exports.filters import (
    ExportFilters,
    count_of,
    rows_of,
    stream_and_place,
)
from tracker.models import (
    Allocation,
    Department,
    FundingStream,
    Milestone,
    MilestoneReturn,
    Organisation,
    Payment,
    User,
)


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
    return stream_and_place(query, filters)


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
    return rows_of(query.order_by(Payment.id))


def count_payments(filters: ExportFilters) -> int:
    return count_of(_payment_query(filters, columns=[Payment.id]))
