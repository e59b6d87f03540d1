"""tracker/services/schedule.py reporting_periods: the whole reporting periods (quarters of the
financial year, Q1 April to June, or calendar months) that a grant's dates touch."""

from datetime import date, timedelta

import pytest

from tracker.models import ReportingFrequency
from tracker.services.schedule import reporting_periods

QUARTERLY = ReportingFrequency.QUARTERLY
MONTHLY = ReportingFrequency.MONTHLY


def test_quarter_one_of_a_financial_year_runs_april_to_june():
    assert reporting_periods(QUARTERLY, date(2021, 4, 1), date(2021, 6, 30)) == [
        (date(2021, 4, 1), date(2021, 6, 30))
    ]


def test_a_whole_financial_year_is_four_quarters_from_april():
    assert reporting_periods(QUARTERLY, date(2020, 4, 1), date(2021, 3, 31)) == [
        (date(2020, 4, 1), date(2020, 6, 30)),
        (date(2020, 7, 1), date(2020, 9, 30)),
        (date(2020, 10, 1), date(2020, 12, 31)),
        (date(2021, 1, 1), date(2021, 3, 31)),
    ]


def test_a_grant_starting_part_way_through_a_quarter_reports_for_that_whole_quarter():
    """The Social workers in schools demo grants: 1 September 2020 to 31 March 2022."""
    periods = reporting_periods(QUARTERLY, date(2020, 9, 1), date(2022, 3, 31))
    assert len(periods) == 7
    assert periods[0] == (date(2020, 7, 1), date(2020, 9, 30))
    assert periods[-1] == (date(2022, 1, 1), date(2022, 3, 31))


def test_a_grant_ending_part_way_through_a_quarter_reports_for_that_whole_quarter():
    periods = reporting_periods(QUARTERLY, date(2020, 7, 1), date(2021, 5, 15))
    assert periods[-1] == (date(2021, 4, 1), date(2021, 6, 30))
    assert len(periods) == 4


def test_a_span_inside_one_quarter_is_that_one_quarter():
    assert reporting_periods(QUARTERLY, date(2021, 5, 15), date(2021, 5, 20)) == [
        (date(2021, 4, 1), date(2021, 6, 30))
    ]


def test_a_single_day_is_the_quarter_that_holds_it():
    assert reporting_periods(QUARTERLY, date(2022, 2, 28), date(2022, 2, 28)) == [
        (date(2022, 1, 1), date(2022, 3, 31))
    ]


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        # the last day of one quarter and the first of the next touch both
        (
            date(2021, 6, 30),
            date(2021, 7, 1),
            [(date(2021, 4, 1), date(2021, 6, 30)), (date(2021, 7, 1), date(2021, 9, 30))],
        ),
        # across the end of a financial year: Q4 (January to March) then Q1 (April to June)
        (
            date(2021, 3, 31),
            date(2021, 4, 1),
            [(date(2021, 1, 1), date(2021, 3, 31)), (date(2021, 4, 1), date(2021, 6, 30))],
        ),
        # across the calendar new year: Q3 ends 31 December, Q4 starts 1 January
        (
            date(2020, 12, 31),
            date(2021, 1, 1),
            [(date(2020, 10, 1), date(2020, 12, 31)), (date(2021, 1, 1), date(2021, 3, 31))],
        ),
    ],
)
def test_a_span_touching_two_quarters_reports_for_both(first, last, expected):
    assert reporting_periods(QUARTERLY, first, last) == expected


def test_quarters_follow_each_other_without_gaps_or_overlaps():
    periods = reporting_periods(QUARTERLY, date(2019, 11, 5), date(2024, 2, 29))
    assert periods[0][0] == date(2019, 10, 1)
    assert periods[-1][1] == date(2024, 3, 31)
    for (_, end), (next_start, _) in zip(periods, periods[1:], strict=False):
        assert next_start == end + timedelta(days=1)
    for start, end in periods:
        assert start.day == 1 and start.month in {1, 4, 7, 10}
        assert (end + timedelta(days=1)).month in {1, 4, 7, 10}


def test_monthly_periods_are_calendar_months():
    assert reporting_periods(MONTHLY, date(2024, 1, 15), date(2024, 3, 3)) == [
        (date(2024, 1, 1), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 31)),
    ]


def test_february_has_28_days_outside_a_leap_year():
    assert reporting_periods(MONTHLY, date(2021, 2, 10), date(2021, 2, 11)) == [
        (date(2021, 2, 1), date(2021, 2, 28))
    ]


def test_monthly_periods_cross_the_calendar_new_year():
    assert reporting_periods(MONTHLY, date(2020, 12, 20), date(2021, 1, 10)) == [
        (date(2020, 12, 1), date(2020, 12, 31)),
        (date(2021, 1, 1), date(2021, 1, 31)),
    ]


def test_a_monthly_grant_over_a_financial_year_reports_twelve_times():
    periods = reporting_periods(MONTHLY, date(2020, 4, 1), date(2021, 3, 31))
    assert len(periods) == 12
    assert [start.month for start, _ in periods] == [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
    for (_, end), (next_start, _) in zip(periods, periods[1:], strict=False):
        assert next_start == end + timedelta(days=1)


@pytest.mark.parametrize("frequency", [QUARTERLY, MONTHLY])
def test_a_span_that_ends_before_it_starts_has_no_periods(frequency):
    assert reporting_periods(frequency, date(2021, 5, 1), date(2021, 3, 1)) == []
