from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.statuses import PaymentStatus
from tracker.models.allocation import Allocation
from tracker.models.base import Base, Timestamped, non_negative, pence_column, status_enum

if TYPE_CHECKING:
    from tracker.models.milestone_return import MilestoneReturn
    from tracker.models.project import Milestone
    from tracker.models.user import User


class Payment(Timestamped, Base):
    """Paid in arrears against an approved return or a completed milestone."""

    __tablename__ = "payment"
    __table_args__ = (
        *non_negative("amount_pence"),
        # The approver is never the requester: held by the database as well as the service.
        sa.CheckConstraint(
            "approved_by_id IS NULL OR requested_by_id IS NULL"
            " OR approved_by_id <> requested_by_id",
            name="approver_is_not_requester",
        ),
        # Whoever marks it paid neither requested nor approved it (three people in all).
        sa.CheckConstraint(
            "paid_by_id IS NULL OR ((requested_by_id IS NULL OR paid_by_id <> requested_by_id)"
            " AND (approved_by_id IS NULL OR paid_by_id <> approved_by_id))",
            name="payer_is_neither_requester_nor_approver",
        ),
    )

    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocation.id"), index=True)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("milestone_return.id"), unique=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id"), unique=True)
    amount_pence: Mapped[int] = pence_column()
    status: Mapped[PaymentStatus] = mapped_column(
        status_enum(PaymentStatus, "payment_status"), default=PaymentStatus.SCHEDULED, index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    approved_at: Mapped[datetime | None]
    paid_on: Mapped[date | None]
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    payment_reference: Mapped[str | None] = mapped_column(String(60))
    # The bank account the money went to, recorded when the payment is marked paid.
    payee_account_id: Mapped[int | None] = mapped_column(ForeignKey("payee_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    allocation: Mapped[Allocation] = relationship()
    # For the payments lists and check pages: who asked, and what the payment is for.
    requested_by: Mapped["User | None"] = relationship(foreign_keys=[requested_by_id])
    milestone_return: Mapped["MilestoneReturn | None"] = relationship()
    milestone: Mapped["Milestone | None"] = relationship()

    __mapper_args__ = {"version_id_col": version}
