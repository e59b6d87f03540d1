from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.data.pagination import Page, paginate
from tracker.data.scoping import scope_to_user
from tracker.extensions import db
from tracker.models import Allocation, MilestoneReturn, Payment, PaymentStatus, User


def lock_allocation(allocation_id: int) -> Allocation | None:
    """Every payment written against an allocation queues behind this row lock (PostgreSQL),
    and reads the allocation afresh once it holds it (a withdrawal committed while it waited
    is seen); SQLite's transactions already hold the write lock from their start."""
    return db.session.scalar(
        select(Allocation)
        .where(Allocation.id == allocation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def unpaid_payments(allocation_id: int) -> int:
    """How many of an allocation's payments are requested or approved and not yet paid."""
    return int(
        db.session.scalar(
            select(func.count(Payment.id)).where(
                Payment.allocation_id == allocation_id,
                Payment.status.in_([PaymentStatus.REQUESTED, PaymentStatus.APPROVED]),
            )
        )
    )


def committed_to_allocation(allocation_id: int, *, excluding: int | None = None) -> int:
    """What is already promised from an allocation: every payment that is not held."""
    query = select(func.coalesce(func.sum(Payment.amount_pence), 0)).where(
        Payment.allocation_id == allocation_id, Payment.status != PaymentStatus.HELD
    )
    if excluding is not None:
        query = query.where(Payment.id != excluding)
    return int(db.session.scalar(query))


def payment_for_return(return_id: int) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.return_id == return_id))


def payment_for_milestone(milestone_id: int) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.milestone_id == milestone_id))


def payment_for_user(payment_id: int, user: User) -> Payment | None:
    query = (
        select(Payment)
        .join(Allocation, Payment.allocation_id == Allocation.id)
        .options(joinedload(Payment.allocation).joinedload(Allocation.organisation))
        .where(Payment.id == payment_id)
    )
    return db.session.scalar(scope_to_user(query, Allocation.organisation_id, user))


def payments_page(
    user: User, page: int, *, status: PaymentStatus | None = None, allocation_id: int | None = None
) -> Page:
    query = (
        select(Payment)
        .join(Allocation, Payment.allocation_id == Allocation.id)
        .options(
            joinedload(Payment.allocation).joinedload(Allocation.organisation),
            joinedload(Payment.allocation).joinedload(Allocation.stream),
            joinedload(Payment.requested_by),
            joinedload(Payment.milestone_return).joinedload(MilestoneReturn.project),
            joinedload(Payment.milestone),
        )
        .order_by(Payment.id.desc())
    )
    if status is not None:
        query = query.where(Payment.status == status)
    if allocation_id is not None:
        query = query.where(Payment.allocation_id == allocation_id)
    return paginate(scope_to_user(query, Allocation.organisation_id, user), page)
