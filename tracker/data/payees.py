"""Queries for payees: an organisation's bank account and a change waiting for confirmation."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import AuditEvent, PayeeAccount, PayeeStatus


def current_account(organisation_id: int) -> PayeeAccount | None:
    """The confirmed account payments go to (the latest confirmed)."""
    return db.session.scalars(
        select(PayeeAccount)
        .where(
            PayeeAccount.organisation_id == organisation_id,
            PayeeAccount.status == PayeeStatus.CONFIRMED,
        )
        .order_by(PayeeAccount.confirmed_at.desc(), PayeeAccount.id.desc())
        .limit(1)
    ).first()


def proposed_change(organisation_id: int) -> PayeeAccount | None:
    return db.session.scalars(
        select(PayeeAccount)
        .where(
            PayeeAccount.organisation_id == organisation_id,
            PayeeAccount.status == PayeeStatus.PROPOSED,
        )
        .order_by(PayeeAccount.id.desc())
        .limit(1)
    ).first()


def account_by_id(account_id: int | None) -> PayeeAccount | None:
    return db.session.get(PayeeAccount, account_id) if account_id else None


def history(organisation_id: int, limit: int = 100) -> list[AuditEvent]:
    """The audit trail of every bank account proposed for the organisation, newest first."""
    accounts = select(PayeeAccount.id).where(PayeeAccount.organisation_id == organisation_id)
    return list(
        db.session.scalars(
            select(AuditEvent)
            .options(joinedload(AuditEvent.actor))
            .where(AuditEvent.object_type == "payee_account", AuditEvent.object_id.in_(accounts))
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )
