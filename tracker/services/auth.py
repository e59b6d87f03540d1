"""Sign-in: a password, then (for users who have one) a second-factor code.

Each attempt is throttled (`tracker/services/sign_in_throttle.py`) in three steps, so that nothing
slow ever runs while a transaction holds a lock and a burst of attempts is counted in full:
1. the attempt is counted, and the user looked up, in a short transaction committed at once;
2. an attempt that must wait is refused there and then (`MustWait`, with the time it may try
   again), without checking anything; otherwise the password is checked with no transaction open;
3. the outcome is written after the audit chain's lock is taken, the order every writer takes
   its locks in (`tracker/web/transactions.py`).
"""

from dataclasses import dataclass
from datetime import datetime

from tracker.data import users as user_data
from tracker.data.audit import lock_chain
from tracker.data.store import save
from tracker.infrastructure import clock
from tracker.models import User
from tracker.services import audit, two_factor
from tracker.services import sign_in_throttle as throttle
from tracker.services.errors import RuleBroken
from tracker.services.passwords import verify_password
from tracker.web.transactions import committed_at_once


class SignInRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class MustWait(Exception):
    """Too many recent failures: the attempt was counted but not checked; `until` is when the
    next may be."""

    def __init__(self, until: datetime | None):
        super().__init__(f"wait until {until}")
        self.until = until


WRONG_DETAILS = "Enter a correct email address and password"


@dataclass(frozen=True)
class _Account:
    """What checking a password needs, read before the attempt's transaction is committed (so
    that nothing has to be loaded again while the password is checked)."""

    user_id: int
    password_hash: str
    active: bool


def counted_attempt(
    email: str, remote_address: str, known_browser: str | None, rules: throttle.Rules, now
) -> throttle.Claim:
    """Counts the attempt in a transaction of its own, committed at once; raises MustWait
    (the attempt stored as refused, nothing checked) when the account, browser or address must
    wait."""
    with committed_at_once():
        claim = throttle.claim(email, remote_address, known_browser, rules, now)
    if not claim.allowed:
        raise MustWait(claim.wait_until)
    return claim


def sign_in(
    email: str,
    password: str,
    remote_address: str,
    rules: throttle.Rules,
    now: datetime | None = None,
    *,
    known_browser: str | None = None,
) -> User:
    """Returns the user whose email and password these are, or raises SignInRefused (or
    MustWait). Inactive users are refused with the same message as wrong details, and an
    unknown email takes as long as a known one. The caller finishes the sign-in
    (finish_sign_in) now, or after a second factor."""
    now = now or clock.now()
    email = email.strip().lower()
    with committed_at_once():
        claim = throttle.claim(email, remote_address, known_browser, rules, now)
        user = user_data.user_by_email(email)
        account = _Account(user.id, user.password_hash, user.active) if user else None
    if not claim.allowed:
        raise MustWait(claim.wait_until)
    right = verify_password(account.password_hash if account else None, password)
    lock_chain()
    user = user_data.user_by_id(account.user_id) if account else None
    if not (right and user is not None and user.active):
        # Unknown addresses are audited too (with no object): a run of them is an attack.
        audit.record(
            audit.Actor(None, remote_address),
            "sign-in failed",
            user,
            object_type="app_user",
            after={"email": email, "active": user.active} if user else {"email": email},
        )
        raise SignInRefused(WRONG_DETAILS)
    throttle.passed(claim)
    return user


def finish_sign_in(user: User, remote_address: str, now: datetime) -> None:
    """Stamps the user's last sign-in and audits it; the caller has checked the password (and
    code)."""
    user.last_signed_in_at = now
    save(user)
    audit.record(audit.Actor(user, remote_address), "signed in", user)


def sign_in_with_code(
    user: User,
    code: str,
    remote_address: str,
    rules: throttle.Rules,
    now: datetime,
    *,
    known_browser: str | None = None,
) -> User:
    """The second step for a user with two-factor authentication: the code from their app.
    A wrong or reused code is a failed attempt, throttled like a wrong password. Returns the
    user (read again after the attempt was counted); the caller then finishes the sign-in
    (finish_sign_in)."""
    user_id, email = user.id, user.email
    claim = counted_attempt(email, remote_address, known_browser, rules, now)
    lock_chain()
    user = user_data.user_by_id(user_id)
    try:
        two_factor.accept_code(user, code, now)
    except RuleBroken as refusal:
        audit.record(
            audit.Actor(None, remote_address),
            "two-factor code refused",
            user,
            after={"reason": "reused" if refusal.message == two_factor.USED_CODE else "wrong"},
        )
        raise SignInRefused(refusal.message) from refusal
    throttle.passed(claim)
    return user
