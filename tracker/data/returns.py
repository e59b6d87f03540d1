from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, load_only, selectinload

from tracker.data.pagination import Page, paginate
from tracker.data.scoping import organisation_scope, scope_to_user
from tracker.extensions import db
from tracker.models import (
    Allocation,
    FundingStream,
    MilestoneReturn,
    Organisation,
    Project,
    ReturnIndicatorValue,
    ReturnStatus,
    User,
)


def projects_of_allocation(allocation_id: int) -> list[Project]:
    return list(
        db.session.scalars(
            select(Project).where(Project.allocation_id == allocation_id).order_by(Project.id)
        )
    )


def period_starts_for_project(project_id: int) -> set[date]:
    return set(
        db.session.scalars(
            select(MilestoneReturn.period_start).where(MilestoneReturn.project_id == project_id)
        )
    )


def _returns_query():
    return (
        select(MilestoneReturn)
        .join(Project, MilestoneReturn.project_id == Project.id)
        .join(Allocation, Project.allocation_id == Allocation.id)
    )


def return_for_user(return_id: int, user: User) -> MilestoneReturn | None:
    """A return the user may see, or None: another organisation's is simply not found."""
    query = (
        _returns_query()
        .options(
            joinedload(MilestoneReturn.project)
            .joinedload(Project.allocation)
            .joinedload(Allocation.stream),
            selectinload(MilestoneReturn.spend),
            selectinload(MilestoneReturn.forecasts),
            selectinload(MilestoneReturn.indicator_values).joinedload(
                ReturnIndicatorValue.indicator
            ),
            selectinload(MilestoneReturn.milestone_progress),
            selectinload(MilestoneReturn.evidence),
            selectinload(MilestoneReturn.reviews),
        )
        .where(MilestoneReturn.id == return_id)
    )
    return db.session.scalar(scope_to_user(query, Allocation.organisation_id, user))


def returns_page(
    user: User,
    page: int,
    *,
    stream_id: int | None = None,
    statuses: list[ReturnStatus] | None = None,
    overdue_on: date | None = None,
    rag: str | None = None,
    organisation_id: int | None = None,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """Soonest due first, keyed by (due date, id). The count joins a return's project and
    allocation only when a filter or the user's organisation needs them."""
    query = _returns_query().options(
        load_only(
            MilestoneReturn.period_start,
            MilestoneReturn.period_end,
            MilestoneReturn.due_on,
            MilestoneReturn.status,
            MilestoneReturn.self_rag,
            MilestoneReturn.project_id,
        ),
        joinedload(MilestoneReturn.project)
        .load_only(Project.id, Project.allocation_id, Project.title)
        .joinedload(Project.allocation)
        .load_only(Allocation.id, Allocation.organisation_id, Allocation.stream_id)
        .joinedload(Allocation.organisation)
        .load_only(Organisation.name),
        joinedload(MilestoneReturn.project)
        .joinedload(Project.allocation)
        .joinedload(Allocation.stream)
        .load_only(FundingStream.name),
    )
    own = select(MilestoneReturn.id)
    conditions = []
    if statuses:
        conditions.append(MilestoneReturn.status.in_(statuses))
    if overdue_on is not None:
        conditions += [
            MilestoneReturn.due_on < overdue_on,
            MilestoneReturn.status.in_(OPEN_STATUSES),
        ]
    if rag:
        conditions.append(MilestoneReturn.self_rag == rag)
    joined = stream_id is not None or organisation_id is not None
    if stream_id is not None:
        conditions.append(Allocation.stream_id == stream_id)
    if organisation_id is not None:
        conditions.append(Allocation.organisation_id == organisation_id)
    query = scope_to_user(query.where(*conditions), Allocation.organisation_id, user)
    counted = (
        scope_to_user(
            select(MilestoneReturn.id)
            .join(Project, MilestoneReturn.project_id == Project.id)
            .join(Allocation, Project.allocation_id == Allocation.id)
            .where(*conditions),
            Allocation.organisation_id,
            user,
        )
        if joined or organisation_scope(user) is not None
        else own.where(*conditions)
    )
    return paginate(
        query.order_by(MilestoneReturn.due_on, MilestoneReturn.id),
        page,
        keys=[MilestoneReturn.due_on, MilestoneReturn.id],
        after=after,
        before=before,
        count_query=counted,
    )


# A return still owed by the grantee: these can be overdue.
OPEN_STATUSES = [
    ReturnStatus.NOT_STARTED,
    ReturnStatus.DRAFT,
    ReturnStatus.AWAITING_SIGN_OFF,
    ReturnStatus.CHANGES_REQUESTED,
]


# Returns whose spend counts towards what an allocation has spent so far.
REPORTED_STATUSES = [
    ReturnStatus.AWAITING_SIGN_OFF,
    ReturnStatus.SUBMITTED,
    ReturnStatus.CHANGES_REQUESTED,
    ReturnStatus.APPROVED,
]


def spend_reported_on_allocation(allocation_id: int, *, excluding_return: int | None = None) -> int:
    from sqlalchemy import func

    from tracker.models import ReturnSpend

    query = (
        select(func.coalesce(func.sum(ReturnSpend.amount_pence), 0))
        .join(MilestoneReturn, ReturnSpend.return_id == MilestoneReturn.id)
        .join(Project, MilestoneReturn.project_id == Project.id)
        .where(
            Project.allocation_id == allocation_id, MilestoneReturn.status.in_(REPORTED_STATUSES)
        )
    )
    if excluding_return is not None:
        query = query.where(MilestoneReturn.id != excluding_return)
    return int(db.session.scalar(query))


def previous_return(milestone_return: MilestoneReturn) -> MilestoneReturn | None:
    return db.session.scalar(
        select(MilestoneReturn)
        .options(selectinload(MilestoneReturn.spend))
        .where(
            MilestoneReturn.project_id == milestone_return.project_id,
            MilestoneReturn.period_start < milestone_return.period_start,
        )
        .order_by(MilestoneReturn.period_start.desc(), MilestoneReturn.revision.desc())
        .limit(1)
    )


def milestones_due(milestone_return: MilestoneReturn):
    from tracker.models import Milestone

    return list(
        db.session.scalars(
            select(Milestone)
            .where(
                Milestone.project_id == milestone_return.project_id,
                Milestone.due_on <= milestone_return.period_end,
                Milestone.due_on >= milestone_return.period_start,
            )
            .order_by(Milestone.due_on, Milestone.id)
        )
    )


def returns_for_allocation(allocation_id: int) -> list[MilestoneReturn]:
    return list(
        db.session.scalars(
            select(MilestoneReturn)
            .join(Project, MilestoneReturn.project_id == Project.id)
            .options(joinedload(MilestoneReturn.project))
            .where(Project.allocation_id == allocation_id)
            .order_by(MilestoneReturn.period_start, Project.id, MilestoneReturn.revision)
        )
    )


def projects_with_milestones(allocation_id: int) -> list[Project]:
    return list(
        db.session.scalars(
            select(Project)
            .options(selectinload(Project.milestones), selectinload(Project.targets))
            .where(Project.allocation_id == allocation_id)
            .order_by(Project.id)
        )
    )


def milestone_for_user(milestone_id: int, user: User):
    from tracker.models import Milestone

    query = (
        select(Milestone)
        .join(Project, Milestone.project_id == Project.id)
        .join(Allocation, Project.allocation_id == Allocation.id)
        .options(joinedload(Milestone.project).joinedload(Project.allocation))
        .where(Milestone.id == milestone_id)
    )
    return db.session.scalar(scope_to_user(query, Allocation.organisation_id, user))


def completing_returns(allocation_id: int) -> dict[int, MilestoneReturn]:
    """For each milestone of the allocation reported complete in an approved return, the first
    such return (one query)."""
    from tracker.models import ReturnMilestoneProgress

    rows = db.session.execute(
        select(ReturnMilestoneProgress.milestone_id, MilestoneReturn)
        .join(MilestoneReturn, MilestoneReturn.id == ReturnMilestoneProgress.return_id)
        .join(Project, Project.id == MilestoneReturn.project_id)
        .where(
            Project.allocation_id == allocation_id,
            ReturnMilestoneProgress.completed.is_(True),
            MilestoneReturn.status == ReturnStatus.APPROVED,
        )
        .order_by(MilestoneReturn.period_start.desc(), MilestoneReturn.id.desc())
    )
    return {milestone_id: milestone_return for milestone_id, milestone_return in rows}
