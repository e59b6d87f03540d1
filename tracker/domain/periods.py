"""Financial years (1 April to 31 March) and their quarters (Q1 is April to June).

A financial year is named by the calendar year it starts in: FY 2020 is "2020-21", which runs
1 April 2020 to 31 March 2021.
"""

import re
from dataclasses import dataclass
from datetime import date

_LABEL = re.compile(r"(\d{4})[-/](\d{2})", re.ASCII)
# The financial years the service can name: a filter or a file naming another is refused (its
# dates may not even exist: FY 9999-00 ends in year 10000).
FIRST_YEAR, LAST_YEAR = 1990, 2099


@dataclass(frozen=True, order=True)
class FinancialYear:
    start_year: int

    @classmethod
    def containing(cls, day: date) -> "FinancialYear":
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def parse(cls, label: str) -> "FinancialYear":
        """Read "2020-21" (or "2020/21")."""
        match = _LABEL.fullmatch(label.strip())
        if not match or int(match[2]) != (int(match[1]) + 1) % 100:
            raise ValueError(f"{label!r} is not a financial year like 2020-21")
        return cls.within_range(int(match[1]))

    @classmethod
    def within_range(cls, start_year: int) -> "FinancialYear":
        """The year starting in start_year, if the service can name it (1990-91 to 2099-00)."""
        if not FIRST_YEAR <= start_year <= LAST_YEAR:
            raise ValueError(
                f"Choose a financial year from {cls(FIRST_YEAR).label} to {cls(LAST_YEAR).label}"
            )
        return cls(start_year)

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> "FinancialYear":
        return FinancialYear(self.start_year + 1)

    def quarters(self) -> list["Quarter"]:
        return [Quarter(self, number) for number in (1, 2, 3, 4)]

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Quarter:
    year: FinancialYear
    number: int

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        year = FinancialYear.containing(day)
        months_in = (day.month - 4) % 12
        return cls(year, months_in // 3 + 1)

    @property
    def start(self) -> date:
        month = 4 + (self.number - 1) * 3
        return date(self.year.start_year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        if self.number == 4:
            return self.year.end
        following = Quarter(self.year, self.number + 1).start
        return date.fromordinal(following.toordinal() - 1)

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year.label}"

    def __str__(self) -> str:
        return self.label


def financial_years_between(first: date, last: date) -> list[FinancialYear]:
    """Every financial year that a period from `first` to `last` touches, in order."""
    if last < first:
        return []
    years = [FinancialYear.containing(first)]
    while years[-1].end < last:
        years.append(years[-1].next())
    return years
