"""The outbox's queries (sending lives in tracker/infrastructure/mail.py)."""

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import OutboxMessage


def queued_under(dedupe_key: str) -> bool:
    """Whether a message was already queued under this key (one per event per person)."""
    found = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key).limit(1)
    return db.session.scalar(found) is not None


def messages_to(address: str, page: int, *, after: str | None = None, before: str | None = None):
    """The messages sent (or waiting to be sent) to one address, newest first, 25 a page by
    id (keyset): a person's inbox, never anyone else's."""
    from tracker.data.pagination import paginate

    query = (
        select(OutboxMessage)
        .where(func.lower(OutboxMessage.to_address) == address.lower())
        .order_by(OutboxMessage.id.desc())
    )
    return paginate(
        query, page, 25, keys=[OutboxMessage.id], descending=True, after=after, before=before
    )
