from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.data.pagination import Page, paginate
from tracker.extensions import db
from tracker.models import AuditEvent


def history(object_type: str, object_id: int, limit: int = 100) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .options(joinedload(AuditEvent.actor))
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )


def audit_page(page: int) -> Page:
    return paginate(
        select(AuditEvent).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc()),
        page,
    )


def add_event(event: AuditEvent) -> None:
    db.session.add(event)
    db.session.flush()


def outbox_page(page: int) -> Page:
    from tracker.models import OutboxMessage

    return paginate(select(OutboxMessage).order_by(OutboxMessage.id.desc()), page)


def outbox_message(message_id: int):
    from tracker.models import OutboxMessage

    return db.session.get(OutboxMessage, message_id)
