"""Personal API tokens' queries."""

from datetime import datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ApiToken


def token_by_hash(token_hash: str) -> ApiToken | None:
    return db.session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()


def token_of(user_id: int, token_id: int) -> ApiToken | None:
    """One of the user's own tokens (another user's is not found)."""
    return db.session.scalars(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
    ).first()


def tokens_of(user_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        )
    )


def live_tokens_of(user_id: int, now: datetime) -> list[ApiToken]:
    return [t for t in tokens_of(user_id) if t.usable(now)]
