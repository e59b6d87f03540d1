from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from tracker.data.pagination import Page, paginate
from tracker.data.scoping import scope_to_user
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationStatus,
    AuditEvent,
    FundingStream,
    Organisation,
    User,
)


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


# Audit actions that set or change an award's money (its amount or its split by year).
MONEY_ACTIONS = ("allocation created", "allocation changed", "variation approved")


def money_setters(allocation: Allocation) -> set[int]:
    """Everyone who created the award or changed its amount or profile, by whatever path (the
    form, an import, an approved re-profiling), read from the audit trail, plus its creator."""
    events = db.session.execute(
        select(AuditEvent.actor_id, AuditEvent.action, AuditEvent.after).where(
            AuditEvent.object_type == Allocation.__tablename__,
            AuditEvent.object_id == allocation.id,
            AuditEvent.action.in_(MONEY_ACTIONS),
        )
    )
    setters = {allocation.created_by_id} if allocation.created_by_id else set()
    for actor_id, action, after in events:
        after = after or {}
        moved_money = (
            action == "allocation created"
            or "amount_pence" in after
            or "profile" in after
            or (action == "variation approved" and after.get("kind") != "extend end date")
        )
        if actor_id is not None and moved_money:
            setters.add(actor_id)
    return setters


def awarded_in_year_pence(allocation: Allocation, first_day, last_day) -> int:
    """What the same organisation is awarded from the same stream between two dates (the
    financial year of this award): this award and those already offered (drafts and withdrawn
    awards are not yet, or no longer, awarded)."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Allocation.amount_pence), 0)).where(
            Allocation.organisation_id == allocation.organisation_id,
            Allocation.stream_id == allocation.stream_id,
            Allocation.awarded_on.between(first_day, last_day),
            or_(
                Allocation.id == allocation.id,
                Allocation.status.not_in([AllocationStatus.DRAFT, AllocationStatus.WITHDRAWN]),
            ),
        )
    )
