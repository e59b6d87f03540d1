"""The one place where a grantee's reach is limited to their own organisation.

Every query that can return an organisation's data passes through `scope_to_user`. Another
organisation's object is simply not found (a 404), so its existence is never confirmed. Nor is
an allocation not yet offered to them: a draft (or a draft withdrawn before any offer) is the
department's own work, and its pages are not found either.
"""

from sqlalchemy import Select, and_, or_

from tracker.models import Allocation, AllocationStatus, User


def offered_to_grantee():
    """An allocation that has been offered: past draft, and not withdrawn before its offer
    (an offer records its approver)."""
    return and_(
        Allocation.status != AllocationStatus.DRAFT,
        or_(
            Allocation.status != AllocationStatus.WITHDRAWN, Allocation.approved_by_id.is_not(None)
        ),
    )


def organisation_scope(user: User) -> int | None:
    """None for civil servants (they see everything), the organisation id for grantees."""
    if user.role.is_grantee:
        if user.organisation_id is None:
            raise PermissionError("A grantee user without an organisation sees nothing")
        return user.organisation_id
    return None


def scope_to_user(query: Select, organisation_column, user: User) -> Select:
    """The query narrowed to the grantee's own organisation's allocations offered to them. Every
    grantee query reads allocations (returns, payments and variations through theirs), so the
    query must select from or join `allocation`. Civil servants' queries are left as they are."""
    organisation_id = organisation_scope(user)
    if organisation_id is None:
        return query
    return query.where(organisation_column == organisation_id, offered_to_grantee())
