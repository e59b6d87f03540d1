"""Email: every message is written to the outbox in the same transaction as the change it
reports, and sent from there (see tracker/mail.py), so nothing is lost when the mail server is
down and nothing is sent for a change that was rolled back."""

from sqlalchemy import select

from tracker.data.store import save
from tracker.extensions import db
from tracker.models import OutboxMessage


def queue_email(
    to_address: str, subject: str, body: str, *, kind: str, dedupe_key: str | None = None
) -> OutboxMessage | None:
    """Queue one email. With a dedupe_key, a message already queued under that key is not
    queued again (returns None)."""
    if dedupe_key is not None and db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    ):
        return None
    message = OutboxMessage(
        to_address=to_address,
        subject=subject,
        body=body,
        kind=kind,
        dedupe_key=dedupe_key,
        attempts=0,
        last_error="",
    )
    save(message)
    # The request that queued it sends it once its change is committed (see transactions.py);
    # other messages still waiting are left to `flask send-outbox`.
    from flask import g, has_app_context

    if has_app_context():
        g.setdefault("queued_mail", []).append(message.id)
    return message
