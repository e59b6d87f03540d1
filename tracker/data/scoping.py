"""The one place where a grantee's reach is limited to their own organisation.

Every query that can return an organisation's data passes through `scope_to_user`. Another
organisation's object is simply not found (a 404), so its existence is never confirmed.
"""

from sqlalchemy import Select

from tracker.models import User


def organisation_scope(user: User) -> int | None:
    """None for civil servants (they see everything), the organisation id for grantees."""
    if user.role.is_grantee:
        if user.organisation_id is None:
            raise PermissionError("A grantee user without an organisation sees nothing")
        return user.organisation_id
    return None


def scope_to_user(query: Select, organisation_column, user: User) -> Select:
    organisation_id = organisation_scope(user)
    if organisation_id is None:
        return query
    return query.where(organisation_column == organisation_id)
