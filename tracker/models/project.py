from datetime import date

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.statuses import EvidenceRating, MilestoneStatus
from tracker.models.allocation import Allocation
from tracker.models.base import Base, Timestamped, non_negative, pence_column, status_enum
from tracker.models.stream import Indicator, ReportingFrequency


class Project(Timestamped, Base):
    """What an allocation pays for."""

    __tablename__ = "project"

    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    intervention_type: Mapped[str] = mapped_column(String(120), default="")
    evidence_rating: Mapped[EvidenceRating] = mapped_column(
        status_enum(EvidenceRating, "evidence_rating"), default=EvidenceRating.NOT_YET_RATED
    )
    location: Mapped[str] = mapped_column(String(200), default="")
    is_illustrative: Mapped[bool] = mapped_column(default=False)

    allocation: Mapped[Allocation] = relationship()
    targets: Mapped[list["ProjectTarget"]] = relationship(back_populates="project")
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="project", order_by="Milestone.due_on"
    )


class ProjectTarget(Timestamped, Base):
    """A project's target for one of its stream's indicators."""

    __tablename__ = "project_target"
    __table_args__ = (UniqueConstraint("project_id", "indicator_id"), *non_negative("target"))

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    target: Mapped[int]

    project: Mapped[Project] = relationship(back_populates="targets")
    indicator: Mapped[Indicator] = relationship()


class Milestone(Timestamped, Base):
    """A dated deliverable of a project, optionally with a payment attached."""

    __tablename__ = "milestone"
    __table_args__ = (*non_negative("payment_pence"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    payment_pence: Mapped[int | None] = pence_column(nullable=True)
    status: Mapped[MilestoneStatus] = mapped_column(
        status_enum(MilestoneStatus, "milestone_status"), default=MilestoneStatus.PLANNED
    )
    completed_on: Mapped[date | None]

    project: Mapped[Project] = relationship(back_populates="milestones")


class ReportingSchedule(Timestamped, Base):
    """When an allocation's projects report: how often (the stream's frequency), from which
    period (the one holding the planned start) and how many working days after each period
    ends a return is due. The returns themselves are generated from it (services/delivery)."""

    __tablename__ = "reporting_schedule"
    __table_args__ = (*non_negative("due_working_days"),)

    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocation.id"), unique=True)
    frequency: Mapped[ReportingFrequency] = mapped_column(
        status_enum(ReportingFrequency, "schedule_frequency")
    )
    first_period_start: Mapped[date]
    due_working_days: Mapped[int] = mapped_column(default=20)

    allocation: Mapped[Allocation] = relationship()
