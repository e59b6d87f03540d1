"""What the daily reminders read: returns due soon or overdue, and the officers' digest counts."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.data.returns import OPEN_STATUSES
from tracker.extensions import db
from tracker.models import Allocation, MilestoneReturn, Project, ReturnStatus


def open_returns_due_by(last_day: date):
    """Every open return due on or before `last_day`, with its project, allocation and
    organisation, grouped by organisation (streamed: it can be most of the returns)."""
    return db.session.scalars(
        select(MilestoneReturn)
        .join(Project, MilestoneReturn.project_id == Project.id)
        .join(Allocation, Project.allocation_id == Allocation.id)
        .options(
            joinedload(MilestoneReturn.project)
            .joinedload(Project.allocation)
            .joinedload(Allocation.organisation)
        )
        .where(MilestoneReturn.status.in_(OPEN_STATUSES), MilestoneReturn.due_on <= last_day)
        .order_by(Allocation.organisation_id, MilestoneReturn.due_on)
        .execution_options(yield_per=500)
    )


def count_waiting_for_review() -> int:
    return (
        db.session.scalar(
            select(func.count(MilestoneReturn.id)).where(
                MilestoneReturn.status == ReturnStatus.SUBMITTED
            )
        )
        or 0
    )


def count_overdue(today: date) -> int:
    return (
        db.session.scalar(
            select(func.count(MilestoneReturn.id)).where(
                MilestoneReturn.status.in_(OPEN_STATUSES), MilestoneReturn.due_on < today
            )
        )
        or 0
    )
