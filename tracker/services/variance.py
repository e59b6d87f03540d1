"""Spend against plan: what a return's period was expected to cost, and how far off it was."""

from dataclasses import dataclass
from decimal import Decimal

from tracker.domain.periods import FinancialYear
from tracker.models import MilestoneReturn
from tracker.services.schedule import reporting_periods

THRESHOLD = Decimal("10")  # per cent either way


@dataclass(frozen=True)
class Comparison:
    label: str
    actual_pence: int
    expected_pence: int | None

    @property
    def variance_percent(self) -> Decimal | None:
        if not self.expected_pence:
            return None
        change = Decimal(self.actual_pence - self.expected_pence) * 100 / self.expected_pence
        return change.quantize(Decimal("0.1"))

    @property
    def flagged(self) -> bool:
        percent = self.variance_percent
        return percent is not None and abs(percent) > THRESHOLD


def expected_for_period(milestone_return: MilestoneReturn) -> int | None:
    """The allocation's profile for the financial year, shared equally between the reporting
    periods of that year that the allocation runs through."""
    allocation = milestone_return.project.allocation
    year = FinancialYear.containing(milestone_return.period_start)
    profile = {row.financial_year: row.amount_pence for row in allocation.profile}
    if year.start_year not in profile:
        return None
    periods = [
        p
        for p in reporting_periods(
            allocation.stream.reporting_frequency, allocation.planned_start, allocation.planned_end
        )
        if p[0] in year
    ]
    return profile[year.start_year] // max(len(periods), 1)


def compare(
    milestone_return: MilestoneReturn, previous: MilestoneReturn | None
) -> list[Comparison]:
    """A return's reported spend against the allocation's profile for the period and, where
    there is one, against the previous return."""
    actual = sum(line.amount_pence for line in milestone_return.spend)
    rows = [
        Comparison(
            "Against the allocation's profile", actual, expected_for_period(milestone_return)
        )
    ]
    if previous is not None:
        rows.append(
            Comparison(
                "Against the previous return",
                actual,
                sum(line.amount_pence for line in previous.spend),
            )
        )
    return rows
