"""Email: every message is written to the outbox in the same transaction as the change it
reports, and sent from there (see tracker/infrastructure/mail.py), so nothing is lost when the
mail server is down and nothing is sent for a change that was rolled back."""

from tracker.data import outbox as outbox_data
from tracker.data.store import save
from tracker.extensions import db
from tracker.models import OutboxMessage

QUEUED = "queued_mail"  # the session's note of the messages it queued


def queue_email(
    to_address: str, subject: str, body: str, *, kind: str, dedupe_key: str | None = None
) -> OutboxMessage | None:
    """Queue one email. With a dedupe_key, a message already queued under that key is not
    queued again (returns None)."""
    if dedupe_key is not None and outbox_data.queued_under(dedupe_key):
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
    # Noted on the unit of work (the session), not on the request: whoever commits it sends
    # what it queued (see transactions.py); what is still waiting is left to `flask send-outbox`.
    db.session.info.setdefault(QUEUED, []).append(message.id)
    return message
