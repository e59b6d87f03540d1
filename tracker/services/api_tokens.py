"""Personal tokens for the read API: a user makes one on their account page (shown once, kept
only as its SHA-256), sees when each was last used, and revokes it. A token acts as its user,
read-only, until it expires or is revoked. Made, revoked and used are audited, never the token;
"used" once a day a token (an analyst's script may call thousands of times)."""

import secrets
from datetime import datetime, timedelta

from tracker.data import api_tokens as token_data
from tracker.data.store import save
from tracker.infrastructure import clock
from tracker.models import ApiToken, User
from tracker.services import audit
from tracker.services.errors import NotAllowed, RuleBroken
from tracker.services.sessions import token_hash  # the one SHA-256 of a secret we store

PREFIX = "hht_"  # so a token pasted somewhere it should not be is easy to recognise
LIFETIMES = {30: "30 days", 90: "90 days", 365: "1 year"}
MOST_LIVE = 20


class TokenRefused(Exception):
    """The token is unknown, malformed, expired or revoked: the API answers 401, saying which
    (an unknown and a tampered token read the same)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def create(actor: audit.Actor, *, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for the actor, named, for 30, 90 or 365 days: the token text is given back
    once, here, and never stored."""
    if actor.user is None:
        raise NotAllowed("Sign in to make an API token")
    name = " ".join(name.split())
    if not name:
        raise RuleBroken("Enter a name for the token, like ‘Quarterly spend analysis’", "name")
    if len(name) > 100:
        raise RuleBroken("The name must be 100 characters or fewer", "name")
    if days not in LIFETIMES:
        raise RuleBroken("Choose how long the token lasts", "days")
    now = clock.now()
    if len(token_data.live_tokens_of(actor.user.id, now)) >= MOST_LIVE:
        raise RuleBroken(f"You have {MOST_LIVE} tokens: revoke one you no longer use first")
    text = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=actor.user.id,
        name=name,
        token_hash=token_hash(text),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    save(token)
    audit.record(
        actor,
        "api token created",
        object_type="api_token",
        object_id=token.id,
        after={"name": name, "expires_at": token.expires_at.isoformat(timespec="seconds")},
    )
    return token, text


def revoke(actor: audit.Actor, token: ApiToken) -> None:
    """Only its own user revokes a token; it stops working at once."""
    if actor.user is None or token.user_id != actor.user.id:
        raise NotAllowed("You can only revoke your own tokens")
    if token.revoked_at is not None:
        raise RuleBroken("This token has already been revoked")
    token.revoked_at = clock.now()
    save(token)
    audit.record(
        actor,
        "api token revoked",
        object_type="api_token",
        object_id=token.id,
        after={"name": token.name},
    )


def user_for(text: str, now: datetime) -> tuple[User, ApiToken]:
    """The user a token acts for, if it is usable; else TokenRefused saying why."""
    if not isinstance(text, str) or not text.startswith(PREFIX) or not 20 <= len(text) <= 100:
        raise TokenRefused("The API token is not valid")
    token = token_data.token_by_hash(token_hash(text))
    if token is None:
        raise TokenRefused("The API token is not valid")
    if token.revoked_at is not None:
        raise TokenRefused("The API token has been revoked")
    if now >= token.expires_at:
        raise TokenRefused("The API token has expired")
    if not token.user.active:
        raise TokenRefused("The API token's user can no longer use the service")
    return token.user, token


def note_use(token: ApiToken, now: datetime, remote_address: str | None) -> None:
    """Last used: kept to the minute; audited the first time each day."""
    last = token.last_used_at
    if last is not None and now - last < timedelta(minutes=1):
        return
    token.last_used_at = now
    save(token)
    if last is None or last.date() != now.date():
        audit.record(
            audit.Actor(token.user, remote_address),
            "api token used",
            object_type="api_token",
            object_id=token.id,
            after={"name": token.name},
        )
