"""How long a throttled sign-in waits, and how the page says when to try again (in UK time:
the service's clock is UTC)."""

from datetime import datetime, timedelta

import pytest

from tracker.services.sign_in_throttle import Pace, rules_from, try_again

ACCOUNT = Pace(
    free=5,
    first_wait=timedelta(seconds=30),
    longest_wait=timedelta(minutes=15),
    forget_after=timedelta(hours=24),
)


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (4, 0), (5, 30), (6, 60), (7, 120), (9, 480), (10, 900), (11, 900), (10**6, 900)],
)
def test_the_wait_doubles_after_the_free_failures_up_to_the_longest(failures, seconds):
    assert ACCOUNT.wait_after(failures) == timedelta(seconds=seconds)


def test_no_first_wait_means_no_waiting():
    assert Pace(0, timedelta(0), timedelta(minutes=15), timedelta(hours=1)).wait_after(99) == (
        timedelta(0)
    )


def test_an_address_waits_a_minute_at_most_by_default():
    from tracker.config import Config

    rules = rules_from(Config(TESTING=True).as_dict())
    assert [rules.address.wait_after(n).total_seconds() for n in range(4, 12)] == [
        0, 2, 4, 8, 16, 32, 60, 60,
    ]
    assert rules.account == ACCOUNT


NOW = datetime(2026, 7, 1, 8, 0, 0)  # 9:00am in London (summer time)


@pytest.mark.parametrize(
    ("until", "said"),
    [
        (NOW + timedelta(seconds=1), "Try again in 1 second."),
        (NOW + timedelta(seconds=30), "Try again in 30 seconds."),
        (NOW + timedelta(minutes=15), "Try again at 9:15am."),
        (NOW + timedelta(minutes=15, seconds=20), "Try again at 9:16am."),  # never too early
        (NOW + timedelta(hours=4), "Try again at 1:00pm."),
        (datetime(2026, 1, 5, 11, 59), "Try again at 11:59am."),  # winter: London is UTC
    ],
)
def test_when_to_try_again_is_said_as_a_person_reads_it(until, said):
    now = NOW if until > NOW else until - timedelta(minutes=5)
    assert try_again(until, now) == said
