"""The outbox's queries (sending lives in tracker/infrastructure/mail.py)."""

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import OutboxMessage


def queued_under(dedupe_key: str) -> bool:
    """Whether a message was already queued under this key (one per event per person)."""
    found = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key).limit(1)
    return db.session.scalar(found) is not None
