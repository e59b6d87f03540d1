"""Queries for setting up a grant's delivery: its projects, targets, milestones and schedule."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.data.scoping import scope_to_user
from tracker.extensions import db
from tracker.models import (
    Allocation,
    Indicator,
    MilestoneReturn,
    Project,
    ReportingSchedule,
    User,
)


def schedule_for(allocation_id: int) -> ReportingSchedule | None:
    return db.session.scalar(
        select(ReportingSchedule).where(ReportingSchedule.allocation_id == allocation_id)
    )


def project_count(allocation_id: int) -> int:
    return db.session.scalar(
        select(func.count(Project.id)).where(Project.allocation_id == allocation_id)
    )


def project_for_user(project_id: int, user: User) -> Project | None:
    """A project, if the user may see its allocation (another organisation's is None)."""
    query = (
        select(Project)
        .join(Allocation, Project.allocation_id == Allocation.id)
        .options(
            joinedload(Project.allocation),
            selectinload(Project.targets),
            selectinload(Project.milestones),
        )
        .where(Project.id == project_id)
    )
    return db.session.scalar(scope_to_user(query, Allocation.organisation_id, user))


def indicators_of_stream(stream_id: int) -> list[Indicator]:
    return list(
        db.session.scalars(
            select(Indicator).where(Indicator.stream_id == stream_id).order_by(Indicator.id)
        )
    )


def returns_of_project(project_id: int) -> list[MilestoneReturn]:
    return list(
        db.session.scalars(
            select(MilestoneReturn)
            .where(MilestoneReturn.project_id == project_id)
            .order_by(MilestoneReturn.period_start, MilestoneReturn.revision)
        )
    )


def remove(obj) -> None:
    db.session.delete(obj)
    db.session.flush()
