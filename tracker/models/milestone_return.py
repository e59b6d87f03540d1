"""The milestone return: what a grantee spent and delivered in one reporting period."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.statuses import Rag, ReturnStatus, ReviewDecision, SpendCategory
from tracker.models.base import (
    Base,
    StoredFile,
    Timestamped,
    non_negative,
    pence_column,
    status_enum,
)
from tracker.models.project import Milestone, Project
from tracker.models.stream import Indicator

if TYPE_CHECKING:
    from tracker.models.user import User


class MilestoneReturn(Timestamped, Base):
    """One project's return for one reporting period. Overdue is derived from due_on."""

    __tablename__ = "milestone_return"
    __table_args__ = (
        UniqueConstraint("project_id", "period_start", "revision"),
        *non_negative("revision"),
        # The review queue and overdue lists: returns in a status, soonest due first.
        sa.Index("ix_milestone_return_status_due_on_id", "status", "due_on", "id"),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    # A correction to an approved return is a new revision; the approved one stays final.
    revision: Mapped[int] = mapped_column(default=1)
    status: Mapped[ReturnStatus] = mapped_column(
        status_enum(ReturnStatus, "return_status"), default=ReturnStatus.NOT_STARTED, index=True
    )
    narrative: Mapped[str] = mapped_column(Text, default="")
    risks: Mapped[str] = mapped_column(Text, default="")
    overspend_explanation: Mapped[str] = mapped_column(Text, default="")
    self_rag: Mapped[Rag | None] = mapped_column(status_enum(Rag, "self_rag"))
    reviewer_rag: Mapped[Rag | None] = mapped_column(status_enum(Rag, "reviewer_rag"))
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    submitted_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[datetime | None]
    # Sections of the task list the grantee has marked as done ("spend", "forecast", ...).
    completed_sections: Mapped[list] = mapped_column(JSON, default=list)
    # The grantee's answer to the reasons a return was sent back for.
    grantee_response: Mapped[str] = mapped_column(Text, default="")
    declared_by_name: Mapped[str] = mapped_column(String(200), default="")
    due_on_moved_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship()
    reviews: Mapped[list["ReturnReview"]] = relationship(
        back_populates="milestone_return", order_by="ReturnReview.id"
    )
    spend: Mapped[list["ReturnSpend"]] = relationship(back_populates="milestone_return")
    forecasts: Mapped[list["ReturnForecast"]] = relationship(back_populates="milestone_return")
    indicator_values: Mapped[list["ReturnIndicatorValue"]] = relationship(
        back_populates="milestone_return"
    )
    milestone_progress: Mapped[list["ReturnMilestoneProgress"]] = relationship(
        back_populates="milestone_return"
    )
    evidence: Mapped[list["EvidenceFile"]] = relationship(back_populates="milestone_return")

    __mapper_args__ = {"version_id_col": version}


class ReturnSpend(Timestamped, Base):
    __tablename__ = "return_spend"
    __table_args__ = (UniqueConstraint("return_id", "category"), *non_negative("amount_pence"))

    return_id: Mapped[int] = mapped_column(ForeignKey("milestone_return.id"))
    category: Mapped[SpendCategory] = mapped_column(status_enum(SpendCategory, "spend_category"))
    amount_pence: Mapped[int] = pence_column()

    milestone_return: Mapped[MilestoneReturn] = relationship(back_populates="spend")


class ReturnForecast(Timestamped, Base):
    """Forecast spend for a later period (by the date that period starts)."""

    __tablename__ = "return_forecast"
    __table_args__ = (UniqueConstraint("return_id", "period_start"), *non_negative("amount_pence"))

    return_id: Mapped[int] = mapped_column(ForeignKey("milestone_return.id"))
    period_start: Mapped[date]
    amount_pence: Mapped[int] = pence_column()

    milestone_return: Mapped[MilestoneReturn] = relationship(back_populates="forecasts")


class ReturnIndicatorValue(Timestamped, Base):
    __tablename__ = "return_indicator_value"
    __table_args__ = (UniqueConstraint("return_id", "indicator_id"), *non_negative("value"))

    return_id: Mapped[int] = mapped_column(ForeignKey("milestone_return.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    value: Mapped[int]

    milestone_return: Mapped[MilestoneReturn] = relationship(back_populates="indicator_values")
    indicator: Mapped[Indicator] = relationship()


class ReturnMilestoneProgress(Timestamped, Base):
    __tablename__ = "return_milestone_progress"
    __table_args__ = (UniqueConstraint("return_id", "milestone_id"),)

    return_id: Mapped[int] = mapped_column(ForeignKey("milestone_return.id"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id"))
    completed: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")

    milestone_return: Mapped[MilestoneReturn] = relationship(back_populates="milestone_progress")
    milestone: Mapped[Milestone] = relationship()


class EvidenceFile(Timestamped, StoredFile, Base):
    """A file of evidence uploaded with a return."""

    __tablename__ = "evidence_file"
    __table_args__ = (*non_negative("size_bytes"),)

    return_id: Mapped[int] = mapped_column(ForeignKey("milestone_return.id"), index=True)

    milestone_return: Mapped[MilestoneReturn] = relationship(back_populates="evidence")


class ReturnReview(Timestamped, Base):
    """Each decision on a return, by the grantee's certifier or by an officer, kept as history:
    the reasons a return was sent back stay readable after it is resubmitted."""

    __tablename__ = "return_review"

    return_id: Mapped[int] = mapped_column(ForeignKey("milestone_return.id"), index=True)
    decision: Mapped[ReviewDecision] = mapped_column(status_enum(ReviewDecision, "review_decision"))
    reasons: Mapped[str] = mapped_column(Text, default="")
    rag: Mapped[Rag | None] = mapped_column(status_enum(Rag, "review_rag"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime]

    milestone_return: Mapped[MilestoneReturn] = relationship(back_populates="reviews")
    # Joined: "Decisions on this return" names each decider without a query per decision.
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id], lazy="joined")
