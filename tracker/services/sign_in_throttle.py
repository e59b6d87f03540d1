"""Sign-in throttling that slows a guesser without handing anyone a button that locks the real
owner out (the README's "Signing in" says why, against the NCSC's guidance).

Every attempt (a password, a second-factor code, a current password on changing it) is counted
as a failure *before* it is checked, in a short transaction of its own that the caller commits at
once; one found right is then taken back. So a burst of fifty at once is counted as fifty, and
nothing slow (a password hash) ever runs while a lock is held. An attempt that must wait is not
checked at all: it is answered at once with the time to try again, never by sleeping.

Three kinds of counter:
- **the account**, for attempts from browsers that have never signed in to it: a few failures
  free, then a wait that doubles with each failure (30 seconds, a minute, … at most 15 minutes);
- **a browser that has signed in to the account before** (it carries a signed cookie saying so:
  `tracker/web/known_browser.py`) has a counter of its own for that account, paced the same, so
  failures elsewhere never hold up the owner at their own browser;
- **an address**, for attempts from browsers unknown to the account they try (password spraying,
  and the CPU a flood of password hashes costs): a few failures free, then a short wait that
  doubles (2 seconds, … at most a minute), so an office behind one address is slowed, never
  locked out, and its people at their own browsers not even slowed.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tracker.data import sign_in_throttle as counters

UK = ZoneInfo("Europe/London")
# An address's waits: short, so an office behind one address is slowed, never locked out.
ADDRESS_FIRST_WAIT = timedelta(seconds=2)
ADDRESS_FORGET_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Pace:
    """How one kind of counter slows attempts: `free` failures before any wait, then a wait of
    `first_wait` that doubles with each further failure up to `longest_wait`. Failures are
    forgotten `forget_after` after the last one."""

    free: int
    first_wait: timedelta
    longest_wait: timedelta
    forget_after: timedelta

    def wait_after(self, failures: int) -> timedelta:
        if failures < self.free or self.first_wait <= timedelta(0):
            return timedelta(0)
        doublings = min(failures - self.free, 40)
        return min(self.first_wait * 2**doublings, self.longest_wait)


@dataclass(frozen=True)
class Rules:
    account: Pace  # an account (and each browser that has signed in to it, on its own)
    address: Pace  # one address, for browsers unknown to the account they try


def rules_from(config: Mapping) -> Rules:
    """The throttle the settings describe (the README's SIGN_IN_… settings)."""
    return Rules(
        account=Pace(
            free=config["SIGN_IN_FREE_FAILURES"],
            first_wait=timedelta(seconds=config["SIGN_IN_FIRST_WAIT_SECONDS"]),
            longest_wait=timedelta(minutes=config["SIGN_IN_LONGEST_WAIT_MINUTES"]),
            forget_after=timedelta(hours=config["SIGN_IN_FORGET_HOURS"]),
        ),
        address=Pace(
            free=config["SIGN_IN_ADDRESS_FREE_FAILURES"],
            first_wait=ADDRESS_FIRST_WAIT,
            longest_wait=timedelta(seconds=config["SIGN_IN_ADDRESS_LONGEST_WAIT_SECONDS"]),
            forget_after=ADDRESS_FORGET_AFTER,
        ),
    )


def try_again(until: datetime | None, now: datetime) -> str:
    """When to try again, as a person reads it: "Try again in 30 seconds." for a short wait,
    else "Try again at 9:16am." in UK time (the clock is UTC)."""
    seconds = max(1, round((until - now).total_seconds())) if until else 60
    if seconds < 60:
        return f"Try again in {seconds} second{'s' if seconds != 1 else ''}."
    local = (until + timedelta(seconds=59)).replace(tzinfo=UTC).astimezone(UK)
    hour = local.hour % 12 or 12
    return f"Try again at {hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}."


@dataclass(frozen=True)
class Claim:
    """One attempt, counted. `allowed`: it may be checked now; otherwise `wait_until` says when
    the next may be."""

    attempt_id: int
    allowed: bool
    wait_until: datetime | None
    account_key: str
    address_key: str | None
    address_free: int = 0


def counter_keys(email: str, remote_address: str, known_browser: str | None) -> tuple[str, ...]:
    """The counters an attempt at `email` counts on: its browser's own for that account when
    the browser has signed in to it before; else the account's and the address's."""
    if known_browser:
        return (f"browser:{known_browser}:{email}",)
    return (f"account:{email}", f"address:{remote_address}")


def claim(
    email: str, remote_address: str, known_browser: str | None, rules: Rules, now: datetime
) -> Claim:
    """Stores the attempt and counts it as a failure on each of its counters, unless one of them
    must still wait: then nothing is counted, the attempt is stored as refused, and the claim
    says until when. The caller commits straight after (transactions.committed_at_once), before
    it checks anything."""
    keys = counter_keys(email, remote_address, known_browser)
    paces = {key: rules.address if key.startswith("address:") else rules.account for key in keys}
    forget_before = {key: now - paces[key].forget_after for key in keys}
    # Most of a burst must wait: one read says so (the count below re-checks the others).
    waiting = counters.waiting_until(forget_before, now)
    counted = {} if waiting else counters.count_failures(forget_before, now)
    if not counted:
        attempt_id = counters.add_attempt(email, remote_address, now, refused=True)
        waiting = waiting or counters.waiting_until(forget_before, now)
        return Claim(attempt_id, False, waiting, keys[0], None)
    for key, failures in counted.items():
        wait = paces[key].wait_after(failures)
        counters.wait_before_next(key, now + wait if wait else None)
    attempt_id = counters.add_attempt(email, remote_address, now)
    address_key = keys[1] if len(keys) > 1 else None
    return Claim(attempt_id, True, None, keys[0], address_key, rules.address.free)


def passed(attempt: Claim) -> None:
    """The attempt was right: the account's (or this browser's) failures are forgotten, and the
    address's count gives back the failure it was counted as, and the wait that counting it
    began (a wait the address's own failures call for stands: one right password does not vouch
    for everyone else behind the address)."""
    counters.mark_succeeded(attempt.attempt_id)
    counters.forget_failures(attempt.account_key)
    if attempt.address_key:
        counters.take_back_failure(attempt.address_key, free=attempt.address_free)

