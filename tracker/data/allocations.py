from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.data.pagination import Page, paginate
from tracker.data.scoping import scope_to_user
from tracker.extensions import db
from tracker.models import Allocation, AllocationStatus, User


def allocations_page(
    user: User, page: int, *, stream_id: int | None = None, status: AllocationStatus | None = None
) -> Page:
    query = (
        select(Allocation)
        .options(joinedload(Allocation.organisation), joinedload(Allocation.stream))
        .order_by(Allocation.awarded_on.desc(), Allocation.id.desc())
    )
    if stream_id is not None:
        query = query.where(Allocation.stream_id == stream_id)
    if status is not None:
        query = query.where(Allocation.status == status)
    return paginate(scope_to_user(query, Allocation.organisation_id, user), page)


def allocation_for_user(allocation_id: int, user: User) -> Allocation | None:
    """An allocation the user may see, or None (another organisation's is simply not found)."""
    query = (
        select(Allocation)
        .options(
            selectinload(Allocation.profile),
            joinedload(Allocation.organisation),
            joinedload(Allocation.stream),
        )
        .where(Allocation.id == allocation_id)
    )
    return db.session.scalar(scope_to_user(query, Allocation.organisation_id, user))


def allocation_by_identifier(identifier: str) -> Allocation | None:
    return db.session.scalar(select(Allocation).where(Allocation.identifier == identifier))
