from datetime import date

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.statuses import IndicatorKind, ReportingFrequency
from tracker.models.base import Base, Timestamped, non_negative, pence_column, status_enum
from tracker.models.department import Department


class FundingStream(Timestamped, Base):
    """A programme of the announcement, with its budget by financial year."""

    __tablename__ = "funding_stream"
    __table_args__ = (
        *non_negative("announced_pence"),
        sa.CheckConstraint("last_year >= first_year", name="years_in_order"),
        sa.CheckConstraint(
            "outturn_margin_percent BETWEEN 0 AND 100", name="outturn_margin_is_a_percentage"
        ),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    # What the source says of the funder when it names none ("not stated (a Home Office fund)").
    funder_note: Mapped[str] = mapped_column(String(300), default="")
    announced_pence: Mapped[int] = pence_column()
    announced_amount_note: Mapped[str] = mapped_column(String(200), default="")
    # The source's own words: a measure "announced at the summit" (True), or a related measure
    # the announcement mentions that the summit measures "add to" (False: not counted as
    # announced at the summit).
    announced_at_summit: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # The source gives the amount as approximate ("close to £20m"): shown and summed as "about".
    announced_is_approximate: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    announced_on: Mapped[date]
    source_citation: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    reporting_frequency: Mapped[ReportingFrequency] = mapped_column(
        status_enum(ReportingFrequency, "reporting_frequency"), default=ReportingFrequency.QUARTERLY
    )
    # First and last financial years, by the calendar year each starts in (2020 means 2020-21).
    first_year: Mapped[int]
    last_year: Mapped[int]
    ggis_scheme_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Where the budget split by year is ours, not the source's, this says so.
    budget_note: Mapped[str] = mapped_column(Text, default="")
    requires_certifier_sign_off: Mapped[bool] = mapped_column(default=False)
    is_illustrative: Mapped[bool] = mapped_column(default=False)
    # From 1 October a stream whose forecast outturn for the year is further than this from its
    # budget (per cent of the budget) is flagged (tracker/services/outturn.py).
    outturn_margin_percent: Mapped[int] = mapped_column(default=5, server_default="5")

    department: Mapped[Department | None] = relationship()
    indicators: Mapped[list["Indicator"]] = relationship(
        back_populates="stream", order_by="Indicator.code"
    )
    budgets: Mapped[list["StreamBudget"]] = relationship(
        back_populates="stream", order_by="StreamBudget.financial_year"
    )


class Indicator(Timestamped, Base):
    """An output a stream counts, such as "schools with a placed social worker"."""

    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("stream_id", "code"),)

    stream_id: Mapped[int] = mapped_column(ForeignKey("funding_stream.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(60))
    # Validated by the Enum; migration 0010 adds no CHECK (see there).
    kind: Mapped[IndicatorKind] = mapped_column(
        sa.Enum(
            IndicatorKind,
            native_enum=False,
            create_constraint=False,
            length=30,
            values_callable=lambda members: [member.value for member in members],
            validate_strings=True,
        ),
        default=IndicatorKind.FLOW,
        server_default=IndicatorKind.FLOW.value,
    )

    stream: Mapped[FundingStream] = relationship(back_populates="indicators")


class StreamBudget(Timestamped, Base):
    """A stream's budget for one financial year, split into resource (RDEL) and capital (CDEL).

    Allocations lock this stream's budget rows before they check what is left, so two officers
    racing for the last of a budget cannot both win.
    """

    __tablename__ = "stream_budget"
    __table_args__ = (
        UniqueConstraint("stream_id", "financial_year"),
        *non_negative("resource_pence", "capital_pence"),
    )

    stream_id: Mapped[int] = mapped_column(ForeignKey("funding_stream.id"))
    financial_year: Mapped[int]
    resource_pence: Mapped[int] = pence_column(default=0)
    capital_pence: Mapped[int] = pence_column(default=0)

    stream: Mapped[FundingStream] = relationship(back_populates="budgets")

    @property
    def total_pence(self) -> int:
        return self.resource_pence + self.capital_pence


class StreamConditions(Timestamped, Base):
    """A version of a stream's standard conditions of grant: the conditions every offer made
    from the stream carries (one a line). A change is a new version, never an edit, so an offer
    made with an earlier version still says exactly what its grantee accepted. A stream with
    none carries the department's (`tracker.domain.conditions`)."""

    __tablename__ = "stream_conditions"
    __table_args__ = (UniqueConstraint("stream_id", "version"),)

    stream_id: Mapped[int] = mapped_column(ForeignKey("funding_stream.id"), index=True)
    version: Mapped[int]
    conditions: Mapped[list] = mapped_column(sa.JSON)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
