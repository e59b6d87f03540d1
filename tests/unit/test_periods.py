"""tracker/domain/periods.py: financial years run 1 April to 31 March; Q1 is April to June."""

from datetime import date, timedelta

import pytest

from tracker.domain.periods import FinancialYear, Quarter, financial_years_between


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2021, 3, 31), "2020-21"),
        (date(2021, 4, 1), "2021-22"),
        (date(2020, 4, 1), "2020-21"),
        (date(2020, 12, 31), "2020-21"),
        (date(2021, 1, 1), "2020-21"),
        (date(2024, 2, 29), "2023-24"),
        (date(2020, 2, 29), "2019-20"),
        (date(1999, 6, 15), "1999-00"),
        (date(2000, 1, 1), "1999-00"),
    ],
)
def test_a_day_belongs_to_the_financial_year_that_started_on_the_1_april_before_it(day, label):
    year = FinancialYear.containing(day)
    assert year.label == label
    assert str(year) == label
    assert day in year
    assert year.start <= day <= year.end


def test_financial_year_2020_21_runs_from_1_april_2020_to_31_march_2021():
    year = FinancialYear(2020)
    assert year.start == date(2020, 4, 1)
    assert year.end == date(2021, 3, 31)
    assert date(2020, 3, 31) not in year
    assert date(2021, 4, 1) not in year


@pytest.mark.parametrize("start_year", [2019, 2023, 2027])
def test_a_financial_year_ending_in_a_leap_year_has_366_days(start_year):
    year = FinancialYear(start_year)
    assert (year.end - year.start).days + 1 == 366
    assert date(start_year + 1, 2, 29) in year


def test_every_day_of_a_leap_financial_year_belongs_to_it_and_to_one_of_its_quarters():
    year = FinancialYear(2023)
    day = year.start
    while day <= year.end:
        assert FinancialYear.containing(day) == year
        quarter = Quarter.containing(day)
        assert quarter.year == year
        assert quarter.start <= day <= quarter.end
        day += timedelta(days=1)


def test_consecutive_financial_years_meet_without_a_gap():
    year = FinancialYear(2020)
    assert year.next() == FinancialYear(2021)
    assert year.next().start == year.end + timedelta(days=1)
    assert FinancialYear(2020) < FinancialYear(2021)


@pytest.mark.parametrize(
    ("start_year", "label"),
    [(2020, "2020-21"), (2009, "2009-10"), (1999, "1999-00"), (2099, "2099-00")],
)
def test_a_financial_year_is_labelled_with_its_two_calendar_years(start_year, label):
    assert FinancialYear(start_year).label == label


@pytest.mark.parametrize(
    ("label", "start_year"),
    [
        ("2020-21", 2020),
        ("2020/21", 2020),
        (" 2020-21 ", 2020),
        ("1999-00", 1999),
        ("2009-10", 2009),
    ],
)
def test_a_financial_year_is_read_from_its_label(label, start_year):
    assert FinancialYear.parse(label) == FinancialYear(start_year)
    assert FinancialYear.parse(FinancialYear(start_year).label).start_year == start_year


@pytest.mark.parametrize(
    "label",
    [
        "2020-22",
        "2020-20",
        "2020",
        "2020-2021",
        "2020-1",
        "20-21",
        "2020 21",
        "2020_21",
        "twenty-21",
        "2020-ab",
        "",
        "-21",
        "+2020-21",
        "2020-+1",
        "2020-21-22",
        "\u0662\u0660\u0662\u0660-\u0662\u0661",
    ],
)
def test_a_label_that_is_not_a_financial_year_is_refused_with_an_example(label):
    with pytest.raises(ValueError, match="is not a financial year like 2020-21"):
        FinancialYear.parse(label)


@pytest.mark.parametrize(
    ("number", "start", "end"),
    [
        (1, date(2020, 4, 1), date(2020, 6, 30)),
        (2, date(2020, 7, 1), date(2020, 9, 30)),
        (3, date(2020, 10, 1), date(2020, 12, 31)),
        (4, date(2021, 1, 1), date(2021, 3, 31)),
    ],
)
def test_the_quarters_of_2020_21_run_april_to_june_then_on_to_january_to_march(number, start, end):
    quarter = Quarter(FinancialYear(2020), number)
    assert quarter.start == start
    assert quarter.end == end


def test_a_financial_year_has_four_quarters_that_cover_it_without_gaps():
    quarters = FinancialYear(2023).quarters()
    assert [q.number for q in quarters] == [1, 2, 3, 4]
    assert quarters[0].start == date(2023, 4, 1)
    assert quarters[-1].end == date(2024, 3, 31)
    for earlier, later in zip(quarters, quarters[1:], strict=False):
        assert later.start == earlier.end + timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2020, 4, 1), "Q1 2020-21"),
        (date(2020, 6, 30), "Q1 2020-21"),
        (date(2020, 7, 1), "Q2 2020-21"),
        (date(2020, 9, 30), "Q2 2020-21"),
        (date(2020, 10, 1), "Q3 2020-21"),
        (date(2020, 12, 31), "Q3 2020-21"),
        (date(2021, 1, 1), "Q4 2020-21"),
        (date(2021, 3, 31), "Q4 2020-21"),
        (date(2024, 2, 29), "Q4 2023-24"),
        (date(2021, 4, 1), "Q1 2021-22"),
    ],
)
def test_a_day_belongs_to_the_quarter_of_its_financial_year(day, label):
    quarter = Quarter.containing(day)
    assert quarter.label == label
    assert str(quarter) == label
    assert quarter.start <= day <= quarter.end


def test_the_last_quarter_of_a_leap_financial_year_ends_on_31_march_after_29_february():
    quarter = Quarter(FinancialYear(2023), 4)
    assert quarter.start == date(2024, 1, 1)
    assert quarter.end == date(2024, 3, 31)
    assert Quarter.containing(date(2024, 2, 29)) == quarter


def test_a_period_within_one_financial_year_touches_only_that_year():
    assert financial_years_between(date(2020, 4, 1), date(2021, 3, 31)) == [FinancialYear(2020)]
    assert financial_years_between(date(2020, 7, 1), date(2020, 7, 1)) == [FinancialYear(2020)]


def test_a_period_across_31_march_touches_both_financial_years():
    assert financial_years_between(date(2021, 3, 31), date(2021, 4, 1)) == [
        FinancialYear(2020),
        FinancialYear(2021),
    ]


def test_a_period_of_several_years_lists_every_year_it_touches_in_order():
    years = financial_years_between(date(2020, 7, 1), date(2023, 2, 28))
    assert [year.label for year in years] == ["2020-21", "2021-22", "2022-23"]


def test_a_period_that_ends_before_it_starts_touches_no_year():
    assert financial_years_between(date(2021, 4, 1), date(2021, 3, 31)) == []
