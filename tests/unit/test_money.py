"""tracker/domain/money.py: what people type becomes whole pence, and pence become pounds to
read."""

from decimal import Decimal

import pytest

from tracker.domain.money import (
    MAX_PENCE,
    MoneyError,
    format_input,
    format_pounds,
    parse_pounds,
    percentage,
    to_pounds,
)


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("£1,250.50", 125050),
        ("1250.5", 125050),
        ("1,250", 125000),
        (" 12 ", 1200),
        ("12", 1200),
        ("0", 0),
        ("0.01", 1),
        (".5", 50),
        ("£0.99", 99),
        ("1,000,000", 100_000_000),
        ("6,500,000.00", 650_000_000),
        ("1250.50", 125050),
        ("£ 1,250.50", 125050),
        ("\t1250\n", 125000),
    ],
)
def test_an_amount_in_pounds_is_read_as_whole_pence(typed, pence):
    assert parse_pounds(typed) == pence


def test_the_largest_amount_allowed_is_accepted():
    assert parse_pounds(f"{MAX_PENCE // 100:,}") == MAX_PENCE
    assert parse_pounds("10000000000.00") == MAX_PENCE


@pytest.mark.parametrize("typed", ["", "   ", "£", None])
def test_an_empty_amount_is_refused_asking_for_the_amount(typed):
    with pytest.raises(MoneyError) as refusal:
        parse_pounds(typed)
    assert str(refusal.value) == "Enter the amount"


@pytest.mark.parametrize("typed", ["-1", "-0.01", "£-5", "-£5", "-1,250.50"])
def test_a_negative_amount_is_refused(typed):
    with pytest.raises(MoneyError) as refusal:
        parse_pounds(typed)
    assert str(refusal.value) == "The amount must be £0 or more"


@pytest.mark.parametrize("typed", ["1.234", "0.001", "1,250.505", "12.000"])
def test_an_amount_with_more_than_two_decimal_places_is_refused(typed):
    with pytest.raises(MoneyError) as refusal:
        parse_pounds(typed)
    assert str(refusal.value) == "The amount must not have more than 2 decimal places"


@pytest.mark.parametrize(
    "typed",
    [
        "twelve",
        "abc",
        "12abc",
        "1,25,0",
        "12,50",
        "1,2500",
        ",250",
        "1.",
        "1.2.3",
        "1e5",
        "£1e3",
        "0x10",
        "NaN",
        "Infinity",
        "12 pounds",
        "$12",
        "12£",
        "+12",
        "1_000",
    ],
)
def test_an_amount_that_is_not_a_number_of_pounds_is_refused_with_an_example(typed):
    with pytest.raises(MoneyError) as refusal:
        parse_pounds(typed)
    assert str(refusal.value) == "Enter the amount in pounds, like 1250.50"


@pytest.mark.parametrize("typed", ["10000000000.01", "10,000,000,001", "9" * 40, "1" + "0" * 1000])
def test_an_absurdly_large_amount_is_refused_with_the_limit(typed):
    with pytest.raises(MoneyError) as refusal:
        parse_pounds(typed)
    assert str(refusal.value) == "The amount must be £10,000,000,000 or less"


def test_the_refusal_names_the_thing_being_entered():
    with pytest.raises(MoneyError, match="^Enter the award amount in pounds, like 1250.50$"):
        parse_pounds("lots", name="award amount")
    with pytest.raises(MoneyError, match="^Enter the resource budget$"):
        parse_pounds("", name="resource budget")
    with pytest.raises(MoneyError, match="^The capital budget must be £0 or more$"):
        parse_pounds("-3", name="capital budget")


def test_a_refusal_is_a_value_error_so_callers_can_catch_either():
    assert issubclass(MoneyError, ValueError)


@pytest.mark.parametrize(
    ("pence", "shown"),
    [
        (125050, "£1,250.50"),
        (0, "£0.00"),
        (1, "£0.01"),
        (99, "£0.99"),
        (100, "£1.00"),
        (650_000_000, "£6,500,000.00"),
        (MAX_PENCE, "£10,000,000,000.00"),
        (-125050, "-£1,250.50"),
        (-1, "-£0.01"),
    ],
)
def test_pence_are_shown_as_pounds_and_pence_with_thousands_separated(pence, shown):
    assert format_pounds(pence) == shown


@pytest.mark.parametrize(
    ("pence", "shown"),
    [
        (125050, "£1,251"),
        (125049, "£1,250"),
        (0, "£0"),
        (49, "£0"),
        (50, "£1"),
        (650_000_000, "£6,500,000"),
        (-125050, "-£1,251"),
    ],
)
def test_whole_pounds_round_half_pennies_up_away_from_zero(pence, shown):
    assert format_pounds(pence, whole=True) == shown


def test_nothing_is_shown_for_a_missing_amount():
    assert format_pounds(None) == ""
    assert format_pounds(None, whole=True) == ""


@pytest.mark.parametrize(
    ("pence", "field_value"), [(125050, "1250.50"), (0, "0.00"), (5, "0.05"), (None, "")]
)
def test_an_amount_is_put_back_in_a_form_field_without_the_pound_sign_or_commas(pence, field_value):
    assert format_input(pence) == field_value
    if pence is not None:
        assert parse_pounds(field_value) == pence


def test_pounds_are_exact_decimals_never_floats():
    pounds = to_pounds(125050)
    assert isinstance(pounds, Decimal)
    assert pounds == Decimal("1250.50")
    assert to_pounds(10) + to_pounds(20) == Decimal("0.30")


@pytest.mark.parametrize(
    ("part", "whole", "share"),
    [
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (1, 8, "12.5"),
        (1, 16, "6.3"),
        (1, 1, "100.0"),
        (0, 500, "0.0"),
        (3, 2, "150.0"),
        (650_000_000, 1_000_000_000, "65.0"),
    ],
)
def test_a_percentage_is_exact_to_one_decimal_place_rounding_half_up(part, whole, share):
    assert percentage(part, whole) == Decimal(share)
    assert str(percentage(part, whole)) == share


@pytest.mark.parametrize("whole", [0, -100])
def test_a_percentage_of_nothing_is_zero_rather_than_an_error(whole):
    assert percentage(50, whole) == Decimal("0.0")


@pytest.mark.parametrize("typed", ["١٢٣", "१२३", "１２３", "12３"])
def test_digits_of_other_scripts_are_refused_not_read_as_pounds(typed):
    with pytest.raises(MoneyError) as refusal:
        parse_pounds(typed)
    assert str(refusal.value) == "Enter the amount in pounds, like 1250.50"
