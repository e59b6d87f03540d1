"""Sign-in, with throttling counted in the database so it holds across gunicorn workers:
after a few failures each attempt is slowed; after more, the account or address is refused
for the rest of the window. A wrong second-factor code is a failure like a wrong password."""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from tracker.data import users as user_data
from tracker.data.store import save
from tracker.models import SignInAttempt, User
from tracker.models.base import utcnow
from tracker.services import audit, two_factor
from tracker.services.errors import RuleBroken
from tracker.services.passwords import verify_password


@dataclass(frozen=True)
class Throttle:
    window_minutes: int
    slow_after: int
    slowdown_seconds: float
    max_per_account: int
    max_per_address: int


class SignInRefused(Exception):
    def __init__(self, message: str, throttled: bool = False):
        super().__init__(message)
        self.message = message
        self.throttled = throttled


WRONG_DETAILS = "Enter a correct email address and password"


def check_throttle(email: str, remote_address: str, throttle: Throttle, now: datetime) -> None:
    """Refuses (SignInRefused, throttled) an account or address with too many recent failures,
    and slows one with a few."""
    since = now - timedelta(minutes=throttle.window_minutes)
    account_failures = user_data.count_failed_sign_ins(since, email=email)
    address_failures = user_data.count_failed_sign_ins(since, remote_address=remote_address)
    if account_failures >= throttle.max_per_account or address_failures >= throttle.max_per_address:
        raise SignInRefused(
            "There have been too many attempts to sign in. "
            f"Wait {throttle.window_minutes} minutes and try again.",
            throttled=True,
        )
    recent = max(account_failures, address_failures)
    if recent >= throttle.slow_after and throttle.slowdown_seconds > 0:
        time.sleep(min(throttle.slowdown_seconds * (recent - throttle.slow_after + 1), 5))


def record_attempt(email: str, remote_address: str, now: datetime, succeeded: bool) -> None:
    save(
        SignInAttempt(
            email=email, remote_address=remote_address, attempted_at=now, succeeded=succeeded
        )
    )


def sign_in(
    email: str, password: str, remote_address: str, throttle: Throttle, now: datetime | None = None
) -> User:
    """Returns the user whose email and password these are, or raises SignInRefused.
    Inactive users are refused with the same message as wrong details. The caller finishes the
    sign-in (finish_sign_in) now, or after a second factor."""
    now = now or utcnow()
    email = email.strip().lower()
    check_throttle(email, remote_address, throttle, now)
    user = user_data.user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    succeeded = bool(ok and user and user.active)
    record_attempt(email, remote_address, now, succeeded)
    if not succeeded:
        # Unknown addresses are audited too (with no object): a run of them is an attack.
        audit.record(
            audit.Actor(None, remote_address),
            "sign-in failed",
            user,
            object_type="app_user",
            after={"email": email, "active": user.active} if user else {"email": email},
        )
        raise SignInRefused(WRONG_DETAILS)
    return user


def finish_sign_in(user: User, remote_address: str, now: datetime) -> None:
    user.last_signed_in_at = now
    save(user)
    audit.record(audit.Actor(user, remote_address), "signed in", user)


def sign_in_with_code(
    user: User, code: str, remote_address: str, throttle: Throttle, now: datetime
) -> None:
    """The second step for a user with two-factor authentication: the code from their app.
    A wrong or reused code is a failed attempt, throttled like a wrong password. The caller
    then finishes the sign-in (finish_sign_in)."""
    check_throttle(user.email, remote_address, throttle, now)
    try:
        two_factor.accept_code(user, code, now)
    except RuleBroken as refusal:
        record_attempt(user.email, remote_address, now, succeeded=False)
        audit.record(
            audit.Actor(None, remote_address),
            "two-factor code refused",
            user,
            after={"reason": "reused" if refusal.message == two_factor.USED_CODE else "wrong"},
        )
        raise SignInRefused(refusal.message) from refusal
