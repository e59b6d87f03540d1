"""The read API's queries: plain rows (Core selects), a page at a time by id (keyset: the page
after id N), each narrowed to a grantee's own organisation by the one scoping rule."""

from sqlalchemy import Select, func, select

from tracker.data.scoping import scope_to_user
from tracker.extensions import db
from tracker.models import (
    Allocation,
    FundingStream,
    MilestoneReturn,
    Organisation,
    Payment,
    Project,
    ReturnSpend,
    User,
)


def _narrowed(query: Select, *, stream_id, **equal_to) -> Select:
    """The filters given (None: not filtering), column by column: `status=(column, value)`."""
    if stream_id is not None:
        query = query.where(Allocation.stream_id == stream_id)
    for column, value in equal_to.values():
        if value is not None:
            query = query.where(column == value)
    return query


def _page(query: Select, id_column, after: int, limit: int) -> list[dict]:
    """Up to `limit` rows after id `after`, by id; one more is read to know if there are more."""
    rows = db.session.execute(query.where(id_column > after).order_by(id_column).limit(limit + 1))
    return [dict(row._mapping) for row in rows]


def streams(*, after: int, limit: int) -> list[dict]:
    query = select(
        FundingStream.id,
        FundingStream.code,
        FundingStream.name,
        FundingStream.announced_pence,
        FundingStream.first_year,
        FundingStream.last_year,
    )
    return _page(query, FundingStream.id, after, limit)


def allocations(user: User, *, after: int, limit: int, stream_id=None, status=None) -> list[dict]:
    query = (
        select(
            Allocation.id,
            Allocation.identifier,
            Allocation.title,
            FundingStream.code.label("stream_code"),
            Organisation.org_id.label("organisation_org_id"),
            Organisation.name.label("organisation_name"),
            Allocation.status,
            Allocation.amount_pence,
            Allocation.awarded_on,
            Allocation.planned_start,
            Allocation.planned_end,
        )
        .join(FundingStream, FundingStream.id == Allocation.stream_id)
        .join(Organisation, Organisation.id == Allocation.organisation_id)
    )
    query = _narrowed(query, stream_id=stream_id, status=(Allocation.status, status))
    return _page(
        scope_to_user(query, Allocation.organisation_id, user), Allocation.id, after, limit
    )


def returns(
    user: User, *, after: int, limit: int, stream_id=None, status=None, rag=None
) -> list[dict]:
    spend = (
        select(func.coalesce(func.sum(ReturnSpend.amount_pence), 0))
        .where(ReturnSpend.return_id == MilestoneReturn.id)
        .correlate(MilestoneReturn)
        .scalar_subquery()
    )
    query = (
        select(
            MilestoneReturn.id,
            Allocation.identifier.label("allocation_identifier"),
            Project.title.label("project_title"),
            MilestoneReturn.period_start,
            MilestoneReturn.period_end,
            MilestoneReturn.due_on,
            MilestoneReturn.status,
            spend.label("spend_pence"),
            MilestoneReturn.self_rag,
            MilestoneReturn.reviewer_rag,
        )
        .join(Project, Project.id == MilestoneReturn.project_id)
        .join(Allocation, Allocation.id == Project.allocation_id)
    )
    query = _narrowed(
        query,
        stream_id=stream_id,
        status=(MilestoneReturn.status, status),
        rag=(MilestoneReturn.self_rag, rag),
    )
    return _page(
        scope_to_user(query, Allocation.organisation_id, user), MilestoneReturn.id, after, limit
    )


def payments(user: User, *, after: int, limit: int, stream_id=None, status=None) -> list[dict]:
    query = select(
        Payment.id,
        Allocation.identifier.label("allocation_identifier"),
        Payment.amount_pence,
        Payment.status,
        Payment.requested_at,
        Payment.approved_at,
        Payment.paid_on,
    ).join(Allocation, Allocation.id == Payment.allocation_id)
    query = _narrowed(query, stream_id=stream_id, status=(Payment.status, status))
    return _page(scope_to_user(query, Allocation.organisation_id, user), Payment.id, after, limit)
