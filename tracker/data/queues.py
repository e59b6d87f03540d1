"""Work queues for the home pages: what is waiting for the signed-in user, as a count and the
first few items. Every count is one indexed query (returns by status and due date, payments by
status, allocations by status and amount), so a home page costs the same whatever the data."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.data.scoping import scope_to_user
from tracker.domain.statuses import UNDER_WAY
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationStatus,
    FinalReturn,
    FinalReturnStatus,
    MilestoneReturn,
    Payment,
    PaymentStatus,
    Project,
    Recovery,
    RecoveryStatus,
    ReturnStatus,
    Role,
    User,
)

SHOWN = 5  # items listed under each count; the rest are a link away
DUE_SOON_DAYS = 14
OWED = [ReturnStatus.NOT_STARTED, ReturnStatus.DRAFT]
CLOSE_WITHIN_DAYS = 90  # a grant is overdue for closure three months after its planned end
OVERDUE = [
    ReturnStatus.NOT_STARTED,
    ReturnStatus.DRAFT,
    ReturnStatus.AWAITING_SIGN_OFF,
    ReturnStatus.CHANGES_REQUESTED,
]


@dataclass
class Queue:
    """One kind of task: its id (for the page), a heading, how many, the first few, and where
    the whole list is."""

    key: str
    heading: str
    count: int
    items: list = field(default_factory=list)
    kind: str = "return"  # return, payment or allocation: how an item is shown and linked
    see_all: str | None = None  # an endpoint with its arguments, as (endpoint, {args})


def _returns(user: User, *conditions) -> tuple[int, list[MilestoneReturn]]:
    base = (
        select(MilestoneReturn)
        .join(Project, MilestoneReturn.project_id == Project.id)
        .join(Allocation, Project.allocation_id == Allocation.id)
        .where(*conditions)
    )
    scoped = scope_to_user(base, Allocation.organisation_id, user)
    count = db.session.scalar(
        scope_to_user(
            select(func.count(MilestoneReturn.id))
            .join(Project, MilestoneReturn.project_id == Project.id)
            .join(Allocation, Project.allocation_id == Allocation.id)
            .where(*conditions),
            Allocation.organisation_id,
            user,
        )
    )
    items = list(
        db.session.scalars(
            scoped.options(
                joinedload(MilestoneReturn.project)
                .joinedload(Project.allocation)
                .joinedload(Allocation.organisation)
            )
            .order_by(MilestoneReturn.due_on, MilestoneReturn.id)
            .limit(SHOWN)
        )
    )
    return count, items


def _payments(status: PaymentStatus) -> tuple[int, list[Payment]]:
    count = db.session.scalar(select(func.count(Payment.id)).where(Payment.status == status))
    items = list(
        db.session.scalars(
            select(Payment)
            .options(joinedload(Payment.allocation).joinedload(Allocation.organisation))
            .where(Payment.status == status)
            .order_by(Payment.requested_at, Payment.id)
            .limit(SHOWN)
        )
    )
    return count, items


def _awards_over(threshold_pence: int, *conditions) -> tuple[int, list[Allocation]]:
    where = [
        Allocation.status == AllocationStatus.DRAFT,
        Allocation.amount_pence >= threshold_pence,
        *conditions,
    ]
    count = db.session.scalar(select(func.count(Allocation.id)).where(*where))
    items = list(
        db.session.scalars(
            select(Allocation)
            .options(joinedload(Allocation.organisation))
            .where(*where)
            .order_by(Allocation.awarded_on, Allocation.id)
            .limit(SHOWN)
        )
    )
    return count, items


def _grants(user: User, *conditions, final: bool = False) -> tuple[int, list[Allocation]]:
    """Allocations (with their organisation), the user's own organisation's for a grantee;
    with `final`, joined to their final return (for conditions on it)."""
    base = select(Allocation)
    counted = select(func.count(Allocation.id))
    if final:
        base = base.outerjoin(FinalReturn, FinalReturn.allocation_id == Allocation.id)
        counted = counted.outerjoin(FinalReturn, FinalReturn.allocation_id == Allocation.id)
    count = db.session.scalar(
        scope_to_user(counted.where(*conditions), Allocation.organisation_id, user)
    )
    items = list(
        db.session.scalars(
            scope_to_user(base.where(*conditions), Allocation.organisation_id, user)
            .options(joinedload(Allocation.organisation))
            .order_by(Allocation.planned_end, Allocation.id)
            .limit(SHOWN)
        )
    )
    return count, items


def _recoveries() -> tuple[int, list[Recovery]]:
    owed = Recovery.status != RecoveryStatus.SETTLED
    count = db.session.scalar(select(func.count(Recovery.id)).where(owed))
    items = list(
        db.session.scalars(
            select(Recovery)
            .options(joinedload(Recovery.allocation).joinedload(Allocation.organisation))
            .where(owed)
            .order_by(Recovery.due_on, Recovery.id)
            .limit(SHOWN)
        )
    )
    return count, items


def queues_for(user: User, today: date, *, threshold_pence: int) -> list[Queue]:
    """The user's work, by role: an officer reviews returns, approves other officers' large
    awards and chases overdue returns; finance approves and pays payments; a certifier signs
    off returns; a grantee sends returns that are due, due soon or sent back."""
    queues = []
    if user.role == Role.OFFICER:
        count, items = _returns(user, MilestoneReturn.status == ReturnStatus.SUBMITTED)
        queues.append(
            Queue(
                "to-review",
                "Returns to review",
                count,
                items,
                see_all=("returns.queue", {"status": ReturnStatus.SUBMITTED.value}),
            )
        )
        count, items = _awards_over(threshold_pence, Allocation.created_by_id != user.id)
        queues.append(
            Queue(
                "to-approve",
                "Awards waiting for your approval as second officer",
                count,
                items,
                kind="allocation",
                see_all=("allocations.list_allocations", {"status": "draft"}),
            )
        )
        count, items = _awards_over(threshold_pence, Allocation.created_by_id == user.id)
        queues.append(
            Queue(
                "awaiting-second-officer",
                "Your awards waiting for a second officer",
                count,
                items,
                kind="allocation",
            )
        )
        count, items = _returns(
            user,
            MilestoneReturn.status.in_(OVERDUE),
            MilestoneReturn.due_on < today,
        )
        queues.append(
            Queue(
                "overdue",
                "Overdue returns",
                count,
                items,
                see_all=("returns.queue", {"status": "overdue"}),
            )
        )
        count, items = _grants(user, FinalReturn.status == FinalReturnStatus.SUBMITTED, final=True)
        queues.append(Queue("final-returns", "Final returns to review", count, items, "closing"))
        count, items = _grants(
            user,
            Allocation.status.in_(sorted(UNDER_WAY)),
            Allocation.planned_end < today - timedelta(days=CLOSE_WITHIN_DAYS),
        )
        queues.append(
            Queue(
                "overdue-closure",
                f"Grants overdue for closure (ended more than {CLOSE_WITHIN_DAYS} days ago)",
                count,
                items,
                "closing",
            )
        )
    elif user.role == Role.FINANCE:
        for key, heading, status in (
            ("payments-to-approve", "Payments to approve", PaymentStatus.REQUESTED),
            ("payments-to-pay", "Payments to mark as paid", PaymentStatus.APPROVED),
        ):
            count, items = _payments(status)
            queues.append(
                Queue(
                    key,
                    heading,
                    count,
                    items,
                    kind="payment",
                    see_all=("payments.list_payments", {"status": status.value}),
                )
            )
        count, items = _recoveries()
        queues.append(
            Queue(
                "recoveries",
                "Money to recover",
                count,
                items,
                kind="recovery",
                see_all=("closure.recoveries", {}),
            )
        )
    elif user.role == Role.CERTIFIER:
        count, items = _returns(user, MilestoneReturn.status == ReturnStatus.AWAITING_SIGN_OFF)
        queues.append(Queue("to-sign-off", "Returns to sign off", count, items))
    if user.role in (Role.GRANTEE, Role.CERTIFIER):
        soon = today + timedelta(days=DUE_SOON_DAYS)
        for key, heading, conditions in (
            (
                "sent-back",
                "Returns sent back to you",
                [MilestoneReturn.status == ReturnStatus.CHANGES_REQUESTED],
            ),
            (
                "overdue",
                "Overdue returns",
                [MilestoneReturn.status.in_(OWED), MilestoneReturn.due_on < today],
            ),
            (
                "due-soon",
                f"Returns due in the next {DUE_SOON_DAYS} days",
                [
                    MilestoneReturn.status.in_(OWED),
                    MilestoneReturn.due_on >= today,
                    MilestoneReturn.due_on <= soon,
                ],
            ),
            (
                "due",
                "Returns due later",
                [MilestoneReturn.status.in_(OWED), MilestoneReturn.due_on > soon],
            ),
        ):
            count, items = _returns(user, *conditions)
            queues.append(Queue(key, heading, count, items))
        count, items = _grants(
            user,
            Allocation.status.in_(sorted(UNDER_WAY)),
            Allocation.planned_end < today,
            (FinalReturn.id.is_(None))
            | (FinalReturn.status == FinalReturnStatus.CHANGES_REQUESTED),
            final=True,
        )
        queues.append(
            Queue("final-returns-owed", "Final returns owed", count, items, "final-return")
        )
    return queues
