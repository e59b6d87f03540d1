"""What closing a grant reads: its targets, final return, payments and recovery, and the
recoveries finance works through (the home pages' queues are in data/queues.py)."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.data.pagination import Page, paginate
from tracker.extensions import db
from tracker.models import (
    Allocation,
    FinalReturn,
    Indicator,
    MilestoneReturn,
    Payment,
    PaymentStatus,
    Project,
    ProjectTarget,
    Recovery,
    RecoveryStatus,
    ReturnStatus,
)


def targets_of(allocation_id: int) -> list:
    """Every target of the allocation's projects, with its project and indicator, in order."""
    return list(
        db.session.execute(
            select(
                ProjectTarget.id,
                Project.title,
                Indicator.name,
                Indicator.unit,
                ProjectTarget.target,
            )
            .join(Project, Project.id == ProjectTarget.project_id)
            .join(Indicator, Indicator.id == ProjectTarget.indicator_id)
            .where(Project.allocation_id == allocation_id)
            .order_by(Project.id, Indicator.code, ProjectTarget.id)
        )
    )


def target_ids(allocation_id: int) -> list[int]:
    return [row.id for row in targets_of(allocation_id)]


def final_return_of(allocation_id: int) -> FinalReturn | None:
    return db.session.scalar(select(FinalReturn).where(FinalReturn.allocation_id == allocation_id))


def paid_on(allocation_id: int) -> int:
    """What has been paid on the grant (payments marked paid)."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Payment.amount_pence), 0)).where(
                Payment.allocation_id == allocation_id, Payment.status == PaymentStatus.PAID
            )
        )
    )


def returns_not_approved(allocation_id: int) -> int:
    """How many of the grant's returns are not yet approved (owed, in hand or sent back)."""
    return int(
        db.session.scalar(
            select(func.count(MilestoneReturn.id))
            .join(Project, Project.id == MilestoneReturn.project_id)
            .where(
                Project.allocation_id == allocation_id,
                MilestoneReturn.status != ReturnStatus.APPROVED,
            )
        )
    )


def recovery_of(allocation_id: int) -> Recovery | None:
    return db.session.scalar(select(Recovery).where(Recovery.allocation_id == allocation_id))


def recovery_by_id(recovery_id: int) -> Recovery | None:
    return db.session.get(Recovery, recovery_id)


def recoveries_page(page: int, *, settled: bool = False) -> Page:
    """Recoveries still owed (or, with `settled`, those settled), the soonest due first."""
    query = (
        select(Recovery)
        .options(joinedload(Recovery.allocation).joinedload(Allocation.organisation))
        .where(
            (Recovery.status == RecoveryStatus.SETTLED)
            if settled
            else (Recovery.status != RecoveryStatus.SETTLED)
        )
        .order_by(Recovery.due_on, Recovery.id)
    )
    return paginate(query, page, 25)
