"""Queries for signed-in sessions."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import SessionEndReason, UserSession


def session_by_token_hash(token_hash: str) -> UserSession | None:
    """The session and its user in one query: this runs on every signed-in request."""
    return db.session.scalar(
        select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.token_hash == token_hash)
    )


def live_sessions_of(user_id: int) -> list[UserSession]:
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
            .order_by(UserSession.created_at)
        )
    )


def end_sessions_of(
    user_id: int, reason: SessionEndReason, now: datetime, *, keep_id: int | None = None
) -> int:
    """Ends every live session of the user (but `keep_id`) in one statement; how many."""
    query = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    if keep_id is not None:
        query = query.where(UserSession.id != keep_id)
    result = db.session.execute(query)
    db.session.flush()
    return result.rowcount
