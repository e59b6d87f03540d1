"""Who may use each route: one decorator, declared on every view, proven by a test.

`@requires_role(Role.OFFICER, Role.FINANCE)` lets those roles in; `@public` marks the few pages
anyone may see. The route-walk test fails on any view that carries neither.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

from tracker.models import CIVIL_SERVANT_ROLES, GRANTEE_ROLES, Role

PUBLIC = frozenset()
CIVIL_SERVANTS = tuple(CIVIL_SERVANT_ROLES)
GRANTEES = tuple(GRANTEE_ROLES)
EVERYONE_SIGNED_IN = tuple(Role)


def requires_role(*roles: Role) -> Callable:
    if not roles:
        raise TypeError("requires_role needs at least one role; use @public for open pages")
    for role in roles:
        if not isinstance(role, Role):
            raise TypeError(f"{role!r} is not a Role")
    allowed = frozenset(roles)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        guarded.allowed_roles = allowed
        return guarded

    return decorate


def public(view: Callable) -> Callable:
    view.allowed_roles = PUBLIC
    return view


def declared_access(view: Callable) -> frozenset[Role] | None:
    """The roles a view admits (empty for public), or None if it declares nothing."""
    return getattr(view, "allowed_roles", None)


def current_actor():
    """The signed-in user and their address, for the audit trail."""
    from tracker.services.audit import Actor

    user = current_user if current_user.is_authenticated else None
    return Actor(user._get_current_object() if user is not None else None, request.remote_addr)
