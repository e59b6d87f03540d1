"""Queries for the links sent by email: password resets and invitations. Each is claimed with
one conditional UPDATE, so of two uses racing exactly one wins, on SQLite and PostgreSQL."""

from datetime import datetime

from sqlalchemy import select, update

from tracker.extensions import db
from tracker.models import Invitation, PasswordReset


def reset_by_token_hash(token_hash: str) -> PasswordReset | None:
    return db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash))


def claim_reset(reset_id: int, now: datetime) -> bool:
    """Marks the reset used, if it was still unused and unexpired; whether it was."""
    return (
        db.session.execute(
            update(PasswordReset)
            .where(
                PasswordReset.id == reset_id,
                PasswordReset.used_at.is_(None),
                PasswordReset.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def retire_resets_of(user_id: int, now: datetime) -> None:
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


def invitation_by_token_hash(token_hash: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash))


def pending_invitation_for(email: str) -> Invitation | None:
    return db.session.scalar(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.cancelled_at.is_(None),
        )
    )


def claim_invitation(invitation: Invitation, now: datetime) -> bool:
    """Marks the invitation accepted, if it was still pending and unexpired; whether it was."""
    claimed = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.cancelled_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(invitation)
    return claimed == 1
