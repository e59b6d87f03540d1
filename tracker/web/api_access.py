"""Who may use each read-API route (/api/v1/), as `requires_role` says it for pages: with a
personal API token (`Authorization: Bearer hht_…`), or the signed-in browser's session. The
API answers in JSON only: 401 without usable credentials (saying why), 403 for a role that may
not read this, never a redirect to the sign-in page."""

from collections.abc import Callable
from functools import wraps

from flask import g, jsonify, request
from flask_login import current_user

from tracker.domain.roles import Role
from tracker.infrastructure import clock
from tracker.services import api_tokens
from tracker.web.transactions import committed_at_once

WHAT_TO_SEND = "Send your API token in the Authorization header: Bearer hht_…"


def json_error(status: int, message: str):
    response = jsonify({"error": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _user():
    """(user, None), or (None, the 401 response)."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, text = header.partition(" ")
        if scheme.lower() != "bearer" or not text.strip():
            return None, json_error(401, WHAT_TO_SEND)
        now = clock.now()
        try:
            user, token = api_tokens.user_for(text.strip(), now)
        except api_tokens.TokenRefused as refused:
            return None, json_error(401, refused.reason)
        with committed_at_once():
            api_tokens.note_use(token, now, request.remote_addr)
        return user, None
    if current_user.is_authenticated:
        return current_user._get_current_object(), None
    return None, json_error(401, WHAT_TO_SEND)


def api_requires_role(*roles: Role) -> Callable:
    """The roles an API route admits; the user it acts for is `api_user()`."""
    allowed = frozenset(roles)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            user, refused = _user()
            if refused is not None:
                return refused
            if user.role not in allowed:
                return json_error(403, "Your account cannot read this")
            g.api_user = user
            return view(*args, **kwargs)

        guarded.allowed_roles = allowed
        return guarded

    return decorate


def api_user():
    return g.api_user
