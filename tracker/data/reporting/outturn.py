"""The year-end outturn of each stream for one financial year: its budget, what is committed,
paid and approved but unpaid, and the forecast outturn (reported spend, the grantees' latest
forecasts, and the profile where no forecast is given), from the running totals."""

from dataclasses import dataclass, replace

from sqlalchemy import func, or_, select

from tracker.data.reporting.narrowing import Filters, narrow, summed
from tracker.domain.periods import FinancialYear
from tracker.extensions import db
from tracker.models import FundingStream, StreamBudget
from tracker.models.totals import TotalMoney, TotalOutturn


@dataclass
class OutturnRow:
    stream_id: int
    name: str
    margin_percent: int
    budget_pence: int = 0
    committed_pence: int = 0
    paid_pence: int = 0
    approved_unpaid_pence: int = 0
    reported_pence: int = 0
    forecast_pence: int = 0
    profile_pence: int = 0  # where no forecast is given

    @property
    def outturn_pence(self) -> int:
        """The forecast outturn: reported spend, forecasts, and the profile where none."""
        return self.reported_pence + self.forecast_pence + self.profile_pence

    @property
    def difference_pence(self) -> int:
        """Forecast outturn less budget: negative is an underspend."""
        return self.outturn_pence - self.budget_pence


def outturn(filters: Filters, year: FinancialYear) -> list[OutturnRow]:
    """Every stream with a budget, commitments or an outturn in `year`, by name (4 queries)."""
    in_year = replace(filters, financial_year=year.start_year)
    streams = select(
        FundingStream.id, FundingStream.name, FundingStream.outturn_margin_percent
    ).order_by(FundingStream.name, FundingStream.id)
    if filters.stream_id is not None:
        streams = streams.where(FundingStream.id == filters.stream_id)
    if filters.department_id is not None:
        streams = streams.where(FundingStream.department_id == filters.department_id)
    rows = {sid: OutturnRow(sid, name, margin) for sid, name, margin in db.session.execute(streams)}
    budgets = (
        select(
            StreamBudget.stream_id,
            func.sum(StreamBudget.resource_pence + StreamBudget.capital_pence),
        )
        .where(StreamBudget.financial_year == year.start_year)
        .group_by(StreamBudget.stream_id)
    )
    money = narrow(
        select(
            TotalMoney.stream_id, summed(TotalMoney.committed_pence), summed(TotalMoney.paid_pence)
        ),
        TotalMoney,
        in_year,
    ).group_by(TotalMoney.stream_id)
    parts = narrow(
        select(
            TotalOutturn.stream_id,
            summed(TotalOutturn.approved_unpaid_pence),
            summed(TotalOutturn.reported_pence),
            summed(TotalOutturn.forecast_pence),
            summed(TotalOutturn.profile_pence),
        ).where(TotalOutturn.quarter_start.between(year.start, year.end)),
        TotalOutturn,
        in_year,
        by_year=False,
    ).group_by(TotalOutturn.stream_id)
    for sid, budget in db.session.execute(budgets):
        if sid in rows:
            rows[sid].budget_pence = int(budget or 0)
    for sid, committed, paid in db.session.execute(money):
        if sid in rows:
            rows[sid].committed_pence, rows[sid].paid_pence = int(committed), int(paid)
    for sid, approved, reported, forecast, profile in db.session.execute(parts):
        if sid in rows:
            row = rows[sid]
            row.approved_unpaid_pence = int(approved)
            row.reported_pence, row.forecast_pence = int(reported), int(forecast)
            row.profile_pence = int(profile)
    return [
        row
        for row in rows.values()
        if row.budget_pence or row.committed_pence or row.outturn_pence or row.paid_pence
    ]


def latest_year_with_budget(up_to: FinancialYear, filters: Filters) -> FinancialYear | None:
    """The latest financial year up to `up_to` in which any stream (of the filters') has a
    budget (1 query): what the year-end page shows when the current year has none."""
    query = select(func.max(StreamBudget.financial_year)).where(
        StreamBudget.financial_year <= up_to.start_year,
        or_(StreamBudget.resource_pence > 0, StreamBudget.capital_pence > 0),
    )
    if filters.stream_id is not None:
        query = query.where(StreamBudget.stream_id == filters.stream_id)
    if filters.department_id is not None:
        query = query.where(
            StreamBudget.stream_id.in_(
                select(FundingStream.id).where(FundingStream.department_id == filters.department_id)
            )
        )
    found = db.session.scalar(query)
    return FinancialYear(found) if found is not None else None
