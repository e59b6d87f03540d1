from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.data.pagination import Page, paginate
from tracker.data.scoping import scope_to_user
from tracker.extensions import db
from tracker.models import Allocation, User, Variation, VariationStatus


def variation_for_user(variation_id: int, user: User) -> Variation | None:
    query = (
        select(Variation)
        .join(Allocation, Variation.allocation_id == Allocation.id)
        .options(joinedload(Variation.allocation).joinedload(Allocation.organisation))
        .where(Variation.id == variation_id)
    )
    return db.session.scalar(scope_to_user(query, Allocation.organisation_id, user))


def variations_page(user: User, page: int, *, status: VariationStatus | None) -> Page:
    query = (
        select(Variation)
        .join(Allocation, Variation.allocation_id == Allocation.id)
        .options(joinedload(Variation.allocation).joinedload(Allocation.organisation))
        .order_by(Variation.id.desc())
    )
    if status is not None:
        query = query.where(Variation.status == status)
    return paginate(scope_to_user(query, Allocation.organisation_id, user), page)


def open_variation(allocation_id: int) -> Variation | None:
    return db.session.scalar(
        select(Variation).where(
            Variation.allocation_id == allocation_id, Variation.status == VariationStatus.REQUESTED
        )
    )
