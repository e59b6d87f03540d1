"""Running totals: what the dashboards and the minister's summary read, kept in the same
transaction as every change that moves them (`tracker/totals/`).

Each table is keyed by what the dashboards group and filter by (stream, the grantee's region,
financial year or period, status, ...) and holds sums and counts, changed only by
`UPDATE ... SET x = x + :delta`. A key's row is made (empty) the first time a change reaches it
and is never deleted by a change, so two writers can never lose each other's deltas; `flask
totals rebuild` recomputes every table from the live rows and `flask totals check` compares.

`region` is the organisation's region as stored ("" when not known), or "*" on the rows that
add up every region (what a page without a region filter reads); it leads each key, so those
rows are read by the key's index. `financial_year` is the year a financial year starts in (2020
for 2020-21)."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base


def _key(**kwargs):
    return mapped_column(primary_key=True, autoincrement=False, **kwargs)


def _count():
    return mapped_column(sa.Integer, default=0, server_default="0")


def _pence():
    return mapped_column(BigInteger, default=0, server_default="0")


def _stream():
    return _key(type_=sa.Integer)


def _region():
    return _key(type_=String(60))


class TotalAllocation(Base):
    """Allocations (their number and whole amount) by stream, region and status."""

    __tablename__ = "total_allocation"
    __table_args__ = (sa.PrimaryKeyConstraint("region", "stream_id", "status"),)

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    status: Mapped[str] = _key(type_=String(30))
    allocations: Mapped[int] = _count()
    amount_pence: Mapped[int] = _pence()


class TotalMoney(Base):
    """Money by stream, region and financial year, in the vocabulary's terms: allocations'
    profile for the year by where they stand (in draft, offered, committed), spend reported in
    returns for periods starting in the year, payments paid in the year, and money recovered
    (kept for grant closure: nothing records a recovery yet)."""

    __tablename__ = "total_money"
    __table_args__ = (sa.PrimaryKeyConstraint("region", "stream_id", "financial_year"),)

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    financial_year: Mapped[int] = _key(type_=sa.Integer)
    in_draft_pence: Mapped[int] = _pence()
    offered_pence: Mapped[int] = _pence()
    committed_pence: Mapped[int] = _pence()
    reported_pence: Mapped[int] = _pence()
    paid_pence: Mapped[int] = _pence()
    recovered_pence: Mapped[int] = _pence()


class TotalPeriod(Base):
    """Reported spend by the reporting period it is for, and the latest forecast of each
    project by the period it forecasts (with how many forecast lines, so that "no forecast" is
    told apart from a forecast of nothing)."""

    __tablename__ = "total_period"
    __table_args__ = (sa.PrimaryKeyConstraint("region", "stream_id", "period_start"),)

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    period_start: Mapped[date] = _key()
    reported_pence: Mapped[int] = _pence()
    forecast_pence: Mapped[int] = _pence()
    forecasts: Mapped[int] = _count()


class TotalOutturn(Base):
    """The year-end outturn's parts by the financial quarter they fall in: for each committed
    allocation and quarter, the spend its returns report where any has been reported, else its
    projects' latest forecast for the quarter where one is given, else its profile's share of
    the quarter (`tracker.totals.contributions.outturn_parts`). A closed grant counts only what it
    reported: its forecasts and the rest of its profile are ignored. And payments approved but
    not yet paid, by the quarter they were approved in."""

    __tablename__ = "total_outturn"
    __table_args__ = (sa.PrimaryKeyConstraint("region", "stream_id", "quarter_start"),)

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    quarter_start: Mapped[date] = _key()
    reported_pence: Mapped[int] = _pence()
    forecast_pence: Mapped[int] = _pence()
    profile_pence: Mapped[int] = _pence()
    approved_unpaid_pence: Mapped[int] = _pence()


class TotalGrantee(Base):
    """Per grantee of a stream and financial year: committed (profile), reported and paid."""

    __tablename__ = "total_grantee"

    stream_id: Mapped[int] = _stream()
    organisation_id: Mapped[int] = _key(type_=sa.Integer)
    financial_year: Mapped[int] = _key(type_=sa.Integer)
    committed_pence: Mapped[int] = _pence()
    reported_pence: Mapped[int] = _pence()
    paid_pence: Mapped[int] = _pence()


class TotalPayment(Base):
    """Payments (number and amount) by stream, region and status."""

    __tablename__ = "total_payment"
    __table_args__ = (sa.PrimaryKeyConstraint("region", "stream_id", "status"),)

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    status: Mapped[str] = _key(type_=String(30))
    payments: Mapped[int] = _count()
    amount_pence: Mapped[int] = _pence()


class TotalReturn(Base):
    """Returns by stream, region, the financial year of their period, status, and whether
    they were submitted by their due date (false when not submitted)."""

    __tablename__ = "total_return"
    __table_args__ = (
        sa.PrimaryKeyConstraint(
            "region", "stream_id", "financial_year", "status", "submitted_on_time"
        ),
    )

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    financial_year: Mapped[int] = _key(type_=sa.Integer)
    status: Mapped[str] = _key(type_=String(30))
    submitted_on_time: Mapped[bool] = _key()
    returns: Mapped[int] = _count()


class TotalReturnDue(Base):
    """Open returns (not started, draft, awaiting sign-off, changes requested) by due date:
    overdue is a range sum (due before today)."""

    __tablename__ = "total_return_due"
    __table_args__ = (sa.PrimaryKeyConstraint("region", "stream_id", "financial_year", "due_on"),)

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    financial_year: Mapped[int] = _key(type_=sa.Integer)
    due_on: Mapped[date] = _key()
    returns: Mapped[int] = _count()


class TotalRating(Base):
    """Returns by the RAG rating given, by the grantee or by the reviewer."""

    __tablename__ = "total_rating"
    __table_args__ = (
        sa.PrimaryKeyConstraint("region", "stream_id", "financial_year", "rater", "rag"),
    )

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    financial_year: Mapped[int] = _key(type_=sa.Integer)
    rater: Mapped[str] = _key(type_=String(10))  # "grantee" or "reviewer"
    rag: Mapped[str] = _key(type_=String(10))
    returns: Mapped[int] = _count()


class TotalOutput(Base):
    """What returns report for each indicator, by the financial year of their period: every
    period's figures added up (`achieved`, for a flow), and each project's latest figure in the
    year added up (`latest`, for a count at a point in time or a running total)."""

    __tablename__ = "total_output"
    __table_args__ = (
        sa.PrimaryKeyConstraint("region", "stream_id", "indicator_id", "financial_year"),
    )

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    indicator_id: Mapped[int] = _key(type_=sa.Integer)
    financial_year: Mapped[int] = _key(type_=sa.Integer)
    achieved: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    latest: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class TotalOutputLatest(Base):
    """Each project's latest figure for each indicator, over all years, added up."""

    __tablename__ = "total_output_latest"
    __table_args__ = (sa.PrimaryKeyConstraint("region", "stream_id", "indicator_id"),)

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    indicator_id: Mapped[int] = _key(type_=sa.Integer)
    latest: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class TotalOutputTarget(Base):
    """The targets of committed allocations' projects for each indicator."""

    __tablename__ = "total_output_target"
    __table_args__ = (sa.PrimaryKeyConstraint("region", "stream_id", "indicator_id"),)

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    indicator_id: Mapped[int] = _key(type_=sa.Integer)
    target: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class TotalEvidence(Base):
    """Money by the strength of evidence for the intervention and financial year: each
    committed allocation's profile for the year shared equally between its projects (whole
    pence, rounded down), and the spend reported on each project."""

    __tablename__ = "total_evidence"
    __table_args__ = (
        sa.PrimaryKeyConstraint("region", "stream_id", "evidence_rating", "financial_year"),
    )

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    evidence_rating: Mapped[str] = _key(type_=String(30))
    financial_year: Mapped[int] = _key(type_=sa.Integer)
    committed_pence: Mapped[int] = _pence()
    reported_pence: Mapped[int] = _pence()


class TotalProject(Base):
    """Committed allocations' projects by the strength of evidence for their intervention."""

    __tablename__ = "total_project"
    __table_args__ = (sa.PrimaryKeyConstraint("region", "stream_id", "evidence_rating"),)

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    evidence_rating: Mapped[str] = _key(type_=String(30))
    projects: Mapped[int] = _count()


class TotalProjectRating(Base):
    """Projects of live allocations by the RAG rating they carry now and who gave it
    ("reviewer" or "grantee"): the rule is `tracker.totals.vocabulary.latest_rating`."""

    __tablename__ = "total_project_rating"
    __table_args__ = (sa.PrimaryKeyConstraint("region", "stream_id", "rag", "rated_by"),)

    stream_id: Mapped[int] = _stream()
    region: Mapped[str] = _region()
    rag: Mapped[str] = _key(type_=String(10))
    rated_by: Mapped[str] = _key(type_=String(10))
    projects: Mapped[int] = _count()


class LatestProjectRating(Base):
    """Each rated project's latest RAG rating (the rule is `tracker.totals.vocabulary
    .latest_rating`): one row per project, replaced whenever its returns change."""

    __tablename__ = "latest_project_rating"
    __table_args__ = (sa.Index("ix_latest_project_rating_rag_stream_id", "rag", "stream_id"),)

    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id"), primary_key=True, autoincrement=False
    )
    allocation_id: Mapped[int] = mapped_column(sa.Integer)
    stream_id: Mapped[int] = mapped_column(sa.Integer)
    region: Mapped[str] = mapped_column(String(60))
    rag: Mapped[str] = mapped_column(String(10))
    rated_by: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date]


ADDITIVE = [
    TotalAllocation,
    TotalMoney,
    TotalPeriod,
    TotalOutturn,
    TotalGrantee,
    TotalPayment,
    TotalReturn,
    TotalReturnDue,
    TotalRating,
    TotalOutput,
    TotalOutputLatest,
    TotalOutputTarget,
    TotalEvidence,
    TotalProject,
    TotalProjectRating,
]
