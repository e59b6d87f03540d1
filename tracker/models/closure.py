"""Closing a grant: its final return, and the recovery of money paid but not spent on eligible
costs (tracker/services/closure.py and recoveries.py)."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.statuses import FinalReturnStatus, RecoveryStatus
from tracker.models.allocation import Allocation
from tracker.models.base import (
    Base,
    StoredFile,
    Timestamped,
    non_negative,
    pence_column,
    status_enum,
)

if TYPE_CHECKING:
    from tracker.models.user import User


class FinalReturn(Timestamped, Base):
    """A grant's final report, owed once it is past its planned end: what was delivered against
    each of its projects' targets, the total spent on eligible costs over the whole grant, the
    lessons learned and the evidence held. The officer reviews it and closes the grant, or
    sends it back with reasons."""

    __tablename__ = "final_return"
    __table_args__ = (*non_negative("eligible_spend_pence"),)

    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocation.id"), unique=True)
    status: Mapped[FinalReturnStatus] = mapped_column(
        status_enum(FinalReturnStatus, "final_return_status")
    )
    # {project target id (as text): what was delivered against it}
    delivered: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    eligible_spend_pence: Mapped[int] = pence_column()
    lessons: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    submitted_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    allocation: Mapped[Allocation] = relationship()
    files: Mapped[list["FinalReturnFile"]] = relationship(
        back_populates="final_return", order_by="FinalReturnFile.id"
    )

    __mapper_args__ = {"version_id_col": version}


class FinalReturnFile(Timestamped, StoredFile, Base):
    """A file sent with a final return (the statement of grant expenditure, say): checked,
    stored and read as a return's evidence files are (tracker/services/evidence.py)."""

    __tablename__ = "final_return_file"
    __table_args__ = (*non_negative("size_bytes"),)

    final_return_id: Mapped[int] = mapped_column(ForeignKey("final_return.id"), index=True)

    final_return: Mapped[FinalReturn] = relationship(back_populates="files")


class Recovery(Timestamped, Base):
    """Money paid on a grant but not spent on eligible costs, to be paid back by a due date:
    finance records what is received (in part or in full), or writes off what is left, with a
    reason and a second finance officer's approval. Never more than was paid; never negative."""

    __tablename__ = "recovery"
    __table_args__ = (
        *non_negative("received_pence", "written_off_pence"),
        sa.CheckConstraint("amount_pence > 0", name="amount_is_positive"),
        sa.CheckConstraint(
            "received_pence + written_off_pence <= amount_pence", name="settled_within_amount"
        ),
        # The approver of a write-off is never the finance officer who asked for it.
        sa.CheckConstraint(
            "write_off_approved_by_id IS NULL OR write_off_requested_by_id IS NULL"
            " OR write_off_approved_by_id <> write_off_requested_by_id",
            name="write_off_by_two_people",
        ),
    )

    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocation.id"), unique=True)
    amount_pence: Mapped[int] = pence_column()
    reason: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    status: Mapped[RecoveryStatus] = mapped_column(
        status_enum(RecoveryStatus, "recovery_status"), default=RecoveryStatus.OPEN, index=True
    )
    received_pence: Mapped[int] = pence_column(default=0)
    written_off_pence: Mapped[int] = pence_column(default=0)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    write_off_reason: Mapped[str] = mapped_column(Text, default="")
    write_off_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    write_off_requested_at: Mapped[datetime | None]
    write_off_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    write_off_approved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    allocation: Mapped[Allocation] = relationship()
    receipts: Mapped[list["RecoveryReceipt"]] = relationship(
        back_populates="recovery", order_by="RecoveryReceipt.received_on, RecoveryReceipt.id"
    )
    write_off_requested_by: Mapped["User | None"] = relationship(
        foreign_keys=[write_off_requested_by_id]
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def outstanding_pence(self) -> int:
        return self.amount_pence - self.received_pence - self.written_off_pence


class RecoveryReceipt(Timestamped, Base):
    """Money a grantee paid back against a recovery, as finance recorded it."""

    __tablename__ = "recovery_receipt"
    __table_args__ = (sa.CheckConstraint("amount_pence > 0", name="amount_is_positive"),)

    recovery_id: Mapped[int] = mapped_column(ForeignKey("recovery.id"), index=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocation.id"), index=True)
    amount_pence: Mapped[int] = pence_column()
    received_on: Mapped[date]
    reference: Mapped[str] = mapped_column(String(60), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    recovery: Mapped[Recovery] = relationship(back_populates="receipts")
    allocation: Mapped[Allocation] = relationship()
