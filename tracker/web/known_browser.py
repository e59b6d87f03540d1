"""A browser that has signed in to an account before is known to it: it carries a cookie, signed
with SECRET_KEY, holding a random id for the browser and a digest of each account it has signed
in to (the "device cookie" of OWASP's advice on slowing password guessing). Its attempts at those
accounts are counted on a counter of their own, so no one else's failures, from anywhere, can
hold the owner up at their own browser (tracker/services/sign_in_throttle.py).

The cookie proves nothing about who is at the browser: it only chooses which counter an attempt
is counted on. It is strictly necessary (security), HttpOnly, SameSite=Lax, Secure like the
session cookie, and kept for a year."""

import hashlib
import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "known_browser"
MOST_ACCOUNTS = 10  # a shared computer's; the oldest is forgotten first
KEPT_FOR_SECONDS = 365 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-browser")


def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _read() -> dict | None:
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        found = _serializer().loads(value)
    except BadSignature:
        return None
    valid = (
        isinstance(found, dict)
        and isinstance(found.get("browser"), str)
        and isinstance(found.get("accounts"), list)
    )
    return found if valid else None


def known_to(email: str) -> str | None:
    """This browser's id, if it has signed in to the account with this email before."""
    found = _read()
    if found is None or _digest(email) not in found["accounts"]:
        return None
    return found["browser"]


def remember(response, email: str):
    """After a right sign-in: this browser is known to the account from now on."""
    found = _read() or {"browser": secrets.token_urlsafe(16), "accounts": []}
    digest = _digest(email)
    accounts = [a for a in found["accounts"] if isinstance(a, str) and a != digest]
    accounts = [*accounts, digest][-MOST_ACCOUNTS:]
    config = current_app.config
    response.set_cookie(
        COOKIE,
        _serializer().dumps({"browser": found["browser"], "accounts": accounts}),
        max_age=KEPT_FOR_SECONDS,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response
