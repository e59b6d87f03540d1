"""tracker/domain/working_days.py: working days in England and Wales skip weekends and every bank
holiday, including the moved and one-off ones and the substitutes for a Christmas, Boxing Day or
New Year's Day that falls at a weekend."""

from datetime import date, timedelta

import pytest

from tracker.domain.working_days import is_working_day, working_days_after

# England and Wales bank holidays as GOV.UK published them (gov.uk/bank-holidays), typed out by
# hand so that the test does not lean on the data the code reads.
BANK_HOLIDAYS = {
    # 2020: the early May bank holiday moved from Monday 4 May to Friday 8 May (VE Day 75);
    # Boxing Day fell on a Saturday, so Monday 28 December was the substitute.
    date(2020, 1, 1),
    date(2020, 4, 10),
    date(2020, 4, 13),
    date(2020, 5, 8),
    date(2020, 5, 25),
    date(2020, 8, 31),
    date(2020, 12, 25),
    date(2020, 12, 28),
    # 2021: Christmas Day and Boxing Day fell at the weekend: Monday 27 and Tuesday 28 December.
    date(2021, 1, 1),
    date(2021, 4, 2),
    date(2021, 4, 5),
    date(2021, 5, 3),
    date(2021, 5, 31),
    date(2021, 8, 30),
    date(2021, 12, 27),
    date(2021, 12, 28),
    # 2022: New Year's Day substitute on 3 January; the spring bank holiday moved to Thursday
    # 2 June and Friday 3 June was the Platinum Jubilee; 19 September was the Queen's state
    # funeral; Christmas Day fell on a Sunday, so Tuesday 27 December was its substitute.
    date(2022, 1, 3),
    date(2022, 4, 15),
    date(2022, 4, 18),
    date(2022, 5, 2),
    date(2022, 6, 2),
    date(2022, 6, 3),
    date(2022, 8, 29),
    date(2022, 9, 19),
    date(2022, 12, 26),
    date(2022, 12, 27),
    # 2023: New Year's Day substitute on 2 January; Monday 8 May was the King's coronation.
    date(2023, 1, 2),
    date(2023, 4, 7),
    date(2023, 4, 10),
    date(2023, 5, 1),
    date(2023, 5, 8),
    date(2023, 5, 29),
    date(2023, 8, 28),
    date(2023, 12, 25),
    date(2023, 12, 26),
}


def test_every_weekday_from_2020_to_2023_is_a_working_day_unless_it_is_a_bank_holiday():
    day = date(2020, 1, 1)
    wrong = []
    while day <= date(2023, 12, 31):
        expected = day.weekday() < 5 and day not in BANK_HOLIDAYS
        if is_working_day(day) != expected:
            wrong.append(day)
        day += timedelta(days=1)
    assert wrong == []


@pytest.mark.parametrize(
    "day",
    [date(2021, 6, 12), date(2021, 6, 13), date(2022, 1, 1), date(2020, 12, 26)],
    ids=["saturday", "sunday", "new-years-day-on-a-saturday", "boxing-day-on-a-saturday"],
)
def test_a_weekend_day_is_never_a_working_day(day):
    assert day.weekday() >= 5
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [date(2020, 5, 4), date(2022, 5, 30), date(2021, 12, 29), date(2023, 1, 3)],
    ids=[
        "4-may-2020-when-the-may-holiday-moved",
        "last-monday-of-may-2022-when-the-spring-holiday-moved",
        "29-december-2021-after-the-substitutes",
        "3-january-2023-after-the-substitute",
    ],
)
def test_the_days_a_moved_holiday_left_behind_are_working_days(day):
    assert is_working_day(day)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        # a plain week: Monday + 1 is Tuesday; Friday + 1 skips the weekend to Monday
        (date(2021, 6, 7), 1, date(2021, 6, 8)),
        (date(2021, 6, 11), 1, date(2021, 6, 14)),
        (date(2021, 6, 12), 1, date(2021, 6, 14)),
        (date(2021, 6, 13), 1, date(2021, 6, 14)),
        (date(2021, 6, 11), 5, date(2021, 6, 18)),
        # Easter 2021: Good Friday 2 April and Easter Monday 5 April
        (date(2021, 4, 1), 1, date(2021, 4, 6)),
        # VE Day 2020: Friday 8 May; Monday 4 May was an ordinary working day that year
        (date(2020, 5, 7), 1, date(2020, 5, 11)),
        (date(2020, 5, 1), 1, date(2020, 5, 4)),
        # Platinum Jubilee 2022: Thursday 2 and Friday 3 June
        (date(2022, 6, 1), 1, date(2022, 6, 6)),
        (date(2022, 5, 27), 1, date(2022, 5, 30)),
        # the Queen's state funeral, Monday 19 September 2022
        (date(2022, 9, 16), 1, date(2022, 9, 20)),
        # the King's coronation, Monday 8 May 2023 (after the 1 May holiday)
        (date(2023, 5, 5), 1, date(2023, 5, 9)),
        (date(2023, 4, 28), 2, date(2023, 5, 3)),
        # Christmas 2020: Friday 25, then Monday 28 December in place of Boxing Day
        (date(2020, 12, 24), 1, date(2020, 12, 29)),
        # Christmas 2021: both days at the weekend, so Monday 27 and Tuesday 28 December
        (date(2021, 12, 24), 1, date(2021, 12, 29)),
        # Christmas 2022: Monday 26 Boxing Day, Tuesday 27 in place of Christmas Day
        (date(2022, 12, 23), 1, date(2022, 12, 28)),
        # across the new year: 1 January 2022 a Saturday, Monday 3 January its substitute
        (date(2021, 12, 31), 1, date(2022, 1, 4)),
        (date(2021, 12, 24), 4, date(2022, 1, 4)),
        (date(2022, 12, 30), 1, date(2023, 1, 3)),
    ],
)
def test_working_days_after_skips_weekends_and_bank_holidays(start, count, expected):
    assert working_days_after(start, count) == expected


def test_the_day_counted_from_is_not_itself_counted():
    assert working_days_after(date(2021, 6, 7), 0) == date(2021, 6, 7)
    assert working_days_after(date(2021, 6, 7), 1) != date(2021, 6, 7)


@pytest.mark.parametrize(
    ("period_end", "due"),
    [
        # a quarter with no bank holiday in the next four weeks
        (date(2021, 6, 30), date(2021, 7, 28)),
        # New Year's Day 2021 (a Friday) moves it a day on
        (date(2020, 12, 31), date(2021, 1, 29)),
        # Easter 2021 falls in the 20 days: two days later than counting weekdays alone
        (date(2021, 3, 31), date(2021, 4, 30)),
        # Monday 3 January 2022, in place of New Year's Day on a Saturday
        (date(2021, 12, 31), date(2022, 1, 31)),
        # a monthly period: the state funeral on 19 September 2022 moves it a day on
        (date(2022, 8, 31), date(2022, 9, 29)),
        # the quarter ending 30 September 2022 has no bank holiday after it
        (date(2022, 9, 30), date(2022, 10, 28)),
    ],
)
def test_a_return_falls_due_20_working_days_after_its_period_ends(period_end, due):
    assert working_days_after(period_end, 20) == due


def test_counting_n_working_days_lands_on_a_working_day_with_exactly_n_between():
    start = date(2020, 12, 20)
    for count in range(1, 40):
        end = working_days_after(start, count)
        assert is_working_day(end)
        between = [
            start + timedelta(days=n)
            for n in range(1, (end - start).days + 1)
            if (start + timedelta(days=n)).weekday() < 5
            and (start + timedelta(days=n)) not in BANK_HOLIDAYS
        ]
        assert len(between) == count
