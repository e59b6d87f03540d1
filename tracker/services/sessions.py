"""Signed-in sessions kept on the server: a session ends after SESSION_IDLE_MINUTES without a
request or SESSION_MAX_HOURS after sign-in, whichever comes first, and when its user signs out,
is deactivated or changes their password. The browser's cookie carries a random id; the
database keeps only its hash. Sign-in always starts a new one (never one the browser offers).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tracker.data import sessions as session_data
from tracker.data.audit import lock_chain
from tracker.data.store import save
from tracker.models import SessionEndReason, User, UserSession
from tracker.services import audit


@dataclass(frozen=True)
class Limits:
    idle: timedelta
    most: timedelta
    # last_seen_at is written at most this often, so most requests only read. An idle session
    # may therefore end up to this much before the idle limit measured from its last request.
    touch_every: timedelta


@dataclass(frozen=True)
class Verdict:
    """What a request's session turned out to be. `session` is set only while it is live;
    `reason` says why it just ended (None: there was no live session to end); `wrote` says
    whether the check changed the row (last seen, or ended), so it must be committed."""

    session: UserSession | None
    reason: SessionEndReason | None = None
    wrote: bool = False


def token_hash(token: str) -> str:
    """The only form in which a session's id is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, now: datetime) -> str:
    """A new session for the user; returns the token for the cookie. Always a new random one:
    an id the browser offers is never taken up (session fixation)."""
    token = secrets.token_urlsafe(32)
    save(UserSession(token_hash=token_hash(token), user=user, created_at=now, last_seen_at=now))
    return token


def end(user_session: UserSession, reason: SessionEndReason, now: datetime) -> None:
    """Ends a live session (signed out, idle, expired, replaced...); an ended one is left as
    it is."""
    if user_session.live:
        user_session.ended_at, user_session.ended_reason = now, reason
        save(user_session)


def end_token(token: str | None, reason: SessionEndReason, now: datetime) -> None:
    """Ends the session a cookie names, if there is a live one."""
    if token and isinstance(token, str):
        found = session_data.session_by_token_hash(token_hash(token))
        if found is not None:
            end(found, reason, now)


def end_all(
    user: User, reason: SessionEndReason, now: datetime, *, keep: UserSession | None = None
):
    """Ends every live session of the user, but `keep` (the one they are using)."""
    return session_data.end_sessions_of(
        user.id, reason, now, keep_id=keep.id if keep is not None else None
    )


def check(
    token: str | None,
    user_id: str | int | None,
    now: datetime,
    limits: Limits,
    *,
    remote_address: str | None = None,
    write: bool = True,
) -> Verdict:
    """The session this cookie names, if it is live and belongs to the user the cookie says;
    a session found idle or too old (or whose user was deactivated) is ended here, and the
    audit trail says why. With write=False nothing is written: the verdict says what would be
    (`wrote`), so a reading request can do it in a write transaction of its own."""
    if not token or not isinstance(token, str) or user_id is None:
        return Verdict(None)
    found = session_data.session_by_token_hash(token_hash(token))
    if found is None or not found.live or str(found.user_id) != str(user_id):
        return Verdict(None)
    reason = None
    if not found.user.active:
        reason = SessionEndReason.USER_DEACTIVATED
    elif now - found.created_at >= limits.most:
        reason = SessionEndReason.EXPIRED
    elif now - found.last_seen_at >= limits.idle:
        reason = SessionEndReason.IDLE
    if reason is not None:
        if write:
            # The audit chain's lock before the session's row, as every writer takes them.
            lock_chain()
            end(found, reason, now)
            audit.record(
                audit.Actor(None, remote_address),
                "session ended",
                found.user,
                after={"reason": reason, "session_started_at": found.created_at},
            )
        return Verdict(None, reason, wrote=True)
    if now - found.last_seen_at >= limits.touch_every:
        if write:
            found.last_seen_at = now
            save(found)
        return Verdict(found, wrote=True)
    return Verdict(found)
