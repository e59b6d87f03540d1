"""Sends what is waiting in the outbox through SMTP, when MAIL_SERVER is set. With no
MAIL_SERVER (the embedded default) the outbox alone is used: messages stay there for an admin
to read. A failure is recorded on the message and tried again next time; it never loses the
message or breaks the request that queued it.

GOV.UK Notify can take the place of SMTP behind the same interface: see the README."""

import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from tracker.extensions import db
from tracker.infrastructure import clock
from tracker.models import OutboxMessage

MAX_ATTEMPTS = 5


class SmtpSender:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        use_tls: bool = False,
        timeout: float = 10,
    ):
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.use_tls, self.timeout = (
            username,
            password,
            use_tls,
            timeout,
        )

    def send(self, to_address: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to_address, subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.use_tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


def sender_from_config():
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return None
    return SmtpSender(
        config["MAIL_SERVER"],
        int(config.get("MAIL_PORT", 25)),
        config.get("MAIL_FROM", "noreply@hidden-harms.service.gov.uk"),
        config.get("MAIL_USERNAME", ""),
        config.get("MAIL_PASSWORD", ""),
        bool(config.get("MAIL_USE_TLS", False)),
    )


def deliver_pending(
    limit: int = 100,
    sender=None,
    *,
    ids: list[int] | None = None,
    stop_at_first_failure: bool = False,
) -> int:
    """Sends up to `limit` unsent messages (only those with the given `ids`, if any); returns
    how many went. Commits as it goes, so a message sent is marked sent even if a later one
    fails."""
    sender = sender or sender_from_config()
    if sender is None:
        return 0
    query = select(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS
    )
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    pending = list(db.session.scalars(query.order_by(OutboxMessage.id).limit(limit)))
    sent = 0
    for message in pending:
        message.attempts += 1
        try:
            sender.send(message.to_address, message.subject, message.body)
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = f"{type(error).__name__}: {error}"[:500]
            db.session.commit()
            if stop_at_first_failure:
                break
            continue
        message.sent_at, message.last_error = clock.now(), ""
        sent += 1
        db.session.commit()
    return sent
