from sqlalchemy import select
from sqlalchemy.orm import joinedload, load_only, selectinload

from tracker.data.pagination import Page, paginate
from tracker.data.scoping import scope_to_user
from tracker.extensions import db
from tracker.models import Allocation, AllocationStatus, FundingStream, Organisation, User


def allocations_page(
    user: User,
    page: int,
    *,
    stream_id: int | None = None,
    status: AllocationStatus | None = None,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """Newest award first, keyed by (award date, id); only the columns the list shows; the
    count from the allocation table alone."""
    query = select(Allocation).options(
        load_only(
            Allocation.title,
            Allocation.status,
            Allocation.awarded_on,
            Allocation.amount_pence,
            Allocation.is_illustrative,
        ),
        joinedload(Allocation.organisation).load_only(Organisation.name),
        joinedload(Allocation.stream).load_only(FundingStream.name),
    )
    counted = select(Allocation.id)
    if stream_id is not None:
        query, counted = (q.where(Allocation.stream_id == stream_id) for q in (query, counted))
    if status is not None:
        query, counted = (q.where(Allocation.status == status) for q in (query, counted))
    return paginate(
        scope_to_user(
            query.order_by(Allocation.awarded_on.desc(), Allocation.id.desc()),
            Allocation.organisation_id,
            user,
        ),
        page,
        keys=[Allocation.awarded_on, Allocation.id],
        descending=True,
        after=after,
        before=before,
        count_query=scope_to_user(counted, Allocation.organisation_id, user),
    )


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
