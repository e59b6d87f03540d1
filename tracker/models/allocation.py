from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.statuses import AllocationStatus, VariationKind, VariationStatus
from tracker.models.base import Base, Timestamped, non_negative, pence_column, status_enum
from tracker.models.organisation import Organisation
from tracker.models.stream import FundingStream


class Allocation(Timestamped, Base):
    """A grant award from a stream to an organisation."""

    __tablename__ = "allocation"
    __table_args__ = (
        *non_negative("amount_pence"),
        sa.CheckConstraint("planned_end >= planned_start", name="dates_in_order"),
        sa.Index("ix_allocation_stream_status", "stream_id", "status"),
        # The second officer's queue: drafts at or over the approval threshold.
        sa.Index("ix_allocation_status_amount_pence", "status", "amount_pence"),
        # The allocations list (newest award first): whole, for one stream, for one grantee.
        sa.Index("ix_allocation_awarded_on_id", "awarded_on", "id"),
        sa.Index("ix_allocation_stream_awarded_on_id", "stream_id", "awarded_on", "id"),
        sa.Index(
            "ix_allocation_organisation_awarded_on_id", "organisation_id", "awarded_on", "id"
        ),
    )

    stream_id: Mapped[int] = mapped_column(ForeignKey("funding_stream.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    identifier: Mapped[str] = mapped_column(String(100), unique=True)  # 360Giving id, 360G-...
    title: Mapped[str] = mapped_column(String(200))
    amount_pence: Mapped[int] = pence_column()
    awarded_on: Mapped[date]
    planned_start: Mapped[date]
    planned_end: Mapped[date]
    conditions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[AllocationStatus] = mapped_column(
        status_enum(AllocationStatus, "allocation_status"), default=AllocationStatus.DRAFT
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    is_illustrative: Mapped[bool] = mapped_column(default=False)
    # Optimistic locking: a save made from a stale page is refused, not silently applied.
    version: Mapped[int] = mapped_column(default=1)

    stream: Mapped[FundingStream] = relationship()
    organisation: Mapped[Organisation] = relationship()
    profile: Mapped[list["AllocationYear"]] = relationship(
        back_populates="allocation",
        order_by="AllocationYear.financial_year",
        cascade="all, delete-orphan",
    )
    categories: Mapped[list["AllocationCategory"]] = relationship(
        back_populates="allocation",
        order_by="AllocationCategory.category",
        cascade="all, delete-orphan",
    )
    variations: Mapped[list["Variation"]] = relationship(
        back_populates="allocation", order_by="Variation.id"
    )

    __mapper_args__ = {"version_id_col": version}


class AllocationYear(Timestamped, Base):
    """How much of an allocation falls in one financial year (its profile)."""

    __tablename__ = "allocation_year"
    __table_args__ = (
        UniqueConstraint("allocation_id", "financial_year"),
        *non_negative("amount_pence"),
    )

    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocation.id"))
    financial_year: Mapped[int]
    amount_pence: Mapped[int] = pence_column()

    allocation: Mapped[Allocation] = relationship(back_populates="profile")


class AllocationCategory(Timestamped, Base):
    """How much of an allocation is planned for one spend category (staff, delivery, ...).
    Optional: an allocation without these has no split by category to vary."""

    __tablename__ = "allocation_category"
    __table_args__ = (
        UniqueConstraint("allocation_id", "category"),
        *non_negative("amount_pence"),
    )

    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocation.id"))
    category: Mapped[str] = mapped_column(
        sa.Enum(
            "staff",
            "delivery",
            "overheads",
            "capital",
            name="allocation_spend_category",
            native_enum=False,
            create_constraint=True,
            length=30,
        )
    )
    amount_pence: Mapped[int] = pence_column()

    allocation: Mapped[Allocation] = relationship(back_populates="categories")


class Variation(Timestamped, Base):
    """An agreed (or asked-for) change to an allocation, kept as history: what was agreed when."""

    __tablename__ = "variation"

    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocation.id"), index=True)
    kind: Mapped[VariationKind] = mapped_column(status_enum(VariationKind, "variation_kind"))
    status: Mapped[VariationStatus] = mapped_column(
        status_enum(VariationStatus, "variation_status"),
        default=VariationStatus.REQUESTED,
        index=True,  # the list of variations waiting for a decision
    )
    reason: Mapped[str] = mapped_column(Text)
    # The change asked for and what it replaced, as JSON (years or categories to pence, dates).
    proposed: Mapped[dict] = mapped_column(sa.JSON)
    previous: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")

    allocation: Mapped[Allocation] = relationship(back_populates="variations")
