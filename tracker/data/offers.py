"""Grant offers: an allocation's versions, its open one, and accepting one exactly once."""

from datetime import datetime

from sqlalchemy import func, select, update

from tracker.extensions import db
from tracker.models import GrantOffer, OfferStatus, User


def offers_of(allocation_id: int) -> list[GrantOffer]:
    """Every version of the allocation's offer, the newest first."""
    return list(
        db.session.scalars(
            select(GrantOffer)
            .where(GrantOffer.allocation_id == allocation_id)
            .order_by(GrantOffer.version.desc())
        )
    )


def open_offer(allocation_id: int) -> GrantOffer | None:
    return db.session.scalar(
        select(GrantOffer).where(
            GrantOffer.allocation_id == allocation_id, GrantOffer.status == OfferStatus.OPEN
        )
    )


def latest_version(allocation_id: int) -> int:
    return db.session.scalar(
        select(func.coalesce(func.max(GrantOffer.version), 0)).where(
            GrantOffer.allocation_id == allocation_id
        )
    )


def mark_accepted(
    offer: GrantOffer, user: User, name: str, job_title: str, at: datetime
) -> bool:
    """Marks the offer accepted if it is still open, in one statement (so of two people
    accepting at once exactly one does); whether it was."""
    done = db.session.execute(
        update(GrantOffer)
        .where(GrantOffer.id == offer.id, GrantOffer.status == OfferStatus.OPEN)
        .values(
            status=OfferStatus.ACCEPTED,
            accepted_at=at,
            accepted_by_id=user.id,
            signatory_name=name,
            signatory_job_title=job_title,
            updated_at=at,
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        return False
    db.session.refresh(offer)
    return True


def mark_ended(offer: GrantOffer, status: OfferStatus, user_id: int | None, reason: str, at):
    """Ends an open offer (withdrawn or superseded); whether it was still open."""
    done = db.session.execute(
        update(GrantOffer)
        .where(GrantOffer.id == offer.id, GrantOffer.status == OfferStatus.OPEN)
        .values(status=status, ended_at=at, ended_by_id=user_id, end_reason=reason, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount == 1:
        db.session.refresh(offer)
    return done.rowcount == 1


def refresh(offer: GrantOffer) -> None:
    db.session.refresh(offer)
