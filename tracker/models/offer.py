from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.statuses import OfferStatus
from tracker.models.allocation import Allocation
from tracker.models.base import Base, Timestamped, status_enum


class GrantOffer(Timestamped, Base):
    """One version of the offer of a grant: its terms frozen as they were offered (the parties,
    the amount and its profile, the milestones, the reporting schedule, the conditions), their
    SHA-256, and who accepted them, when, under which name and job title."""

    __tablename__ = "grant_offer"
    # Also the index for an allocation's offers: it leads with allocation_id.
    __table_args__ = (UniqueConstraint("allocation_id", "version"),)

    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocation.id"))
    version: Mapped[int]
    status: Mapped[OfferStatus] = mapped_column(
        status_enum(OfferStatus, "offer_status"), default=OfferStatus.OPEN
    )
    terms: Mapped[dict] = mapped_column(sa.JSON)
    terms_sha256: Mapped[str] = mapped_column(String(64))
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_job_title: Mapped[str] = mapped_column(String(200), default="")
    ended_at: Mapped[datetime | None]  # withdrawn or superseded
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    end_reason: Mapped[str] = mapped_column(Text, default="")

    allocation: Mapped[Allocation] = relationship()
