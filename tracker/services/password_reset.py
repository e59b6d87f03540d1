"""Forgotten passwords: a single-use link by email, valid for an hour, stored only as the
SHA-256 of its random token.

Asking for one answers the same whether or not the address has an account (no account
enumeration): the email is sent only to an account that exists and is active, and nothing on the
page or in the timing says which. Requests are throttled in the database like sign-in
(`sign_in_throttle`'s counters, under keys of their own): per address asked about, so nobody's
inbox can be flooded, and per IP address, so nobody can try address after address. The counts do
not depend on whether the account exists, so being made to wait says nothing either.

Following the link the person sets a new password (the password policy applies); every session
of theirs ends, every other reset link of theirs stops working, and they sign in again (with
their second factor, if they have one: a reset never gets round it)."""

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from tracker.data import account_links as links
from tracker.data import sign_in_throttle as counters
from tracker.data import users as user_data
from tracker.data.audit import lock_chain
from tracker.data.store import save
from tracker.models import PasswordReset, SessionEndReason
from tracker.services import audit, notify, sessions
from tracker.services.auth import MustWait
from tracker.services.password_policy import check_password
from tracker.services.passwords import hash_password
from tracker.services.sign_in_throttle import Pace
from tracker.web.transactions import committed_at_once

VALID_FOR = timedelta(hours=1)
# An inbox gets a few links an hour at most; one IP address may ask about many accounts (an
# office), but not about address after address.
ACCOUNT_PACE = Pace(
    free=3,
    first_wait=timedelta(minutes=5),
    longest_wait=timedelta(hours=1),
    forget_after=timedelta(hours=1),
)
ADDRESS_PACE = Pace(
    free=10,
    first_wait=timedelta(minutes=1),
    longest_wait=timedelta(hours=1),
    forget_after=timedelta(hours=1),
)


class LinkNotUsable(Exception):
    """The link is unknown (tampered, truncated), used, replaced or expired."""


def token_hash(token: str) -> str:
    """What is stored of a reset link's token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def _count_request(email: str, remote_address: str, now: datetime) -> None:
    """Counts the request on both counters, in a transaction of its own committed at once (so a
    refused request still counts); raises MustWait when either must wait."""
    paces = {
        f"reset-account:{email}": ACCOUNT_PACE,
        f"reset-address:{remote_address}": ADDRESS_PACE,
    }
    forget_before = {key: now - pace.forget_after for key, pace in paces.items()}
    with committed_at_once():
        waiting = counters.waiting_until(forget_before, now)
        counted = {} if waiting else counters.count_failures(forget_before, now)
        if not counted:
            waiting = waiting or counters.waiting_until(forget_before, now)
        for key, requests in counted.items():
            wait = paces[key].wait_after(requests)
            counters.wait_before_next(key, now + wait if wait else None)
    if not counted:
        raise MustWait(waiting)


def request_reset(
    email: str, remote_address: str, now: datetime, link_for: Callable[[str], str]
) -> None:
    """Sends a reset link to `email` if it is an active account's; says nothing either way.
    `link_for(token)` makes the link's address. Raises MustWait when throttled."""
    email = email.strip().lower()[:254]
    _count_request(email, remote_address, now)
    lock_chain()
    user = user_data.user_by_email(email)
    if user is None or not user.active:
        return
    token = secrets.token_urlsafe(32)
    save(
        PasswordReset(
            token_hash=token_hash(token), user=user, created_at=now, expires_at=now + VALID_FOR
        )
    )
    notify.queue_email(
        user.email,
        "Reset your password for the Hidden Harms grant tracker",
        f"Dear {user.name},\n\n"
        "Someone (we hope you) asked to reset the password for your account. To choose a new "
        f"password, open this link within the next hour:\n\n{link_for(token)}\n\n"
        "The link works once. If you did not ask for it you can ignore this email: your "
        "password has not changed.\n",
        kind="password reset",
    )
    audit.record(audit.Actor(None, remote_address), "password reset requested", user)


def usable_reset(token: str, now: datetime) -> PasswordReset:
    """The reset a link names, if it can still be used; else LinkNotUsable."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise LinkNotUsable
    found = links.reset_by_token_hash(token_hash(token))
    if found is None or not found.usable(now) or not found.user.active:
        raise LinkNotUsable
    return found


def reset_password(token: str, new_password: str, remote_address: str, now: datetime) -> None:
    """Sets the new password the link's owner chose and ends every session of theirs. Used
    once: of two uses racing, one wins (a conditional update) and the other is told the link
    has been used. The new password is hashed before any lock is taken."""
    reset = usable_reset(token, now)
    reset_id, user_id = reset.id, reset.user_id
    check_password(new_password, email=reset.user.email, field="new_password")
    new_hash = hash_password(new_password)
    lock_chain()
    if not links.claim_reset(reset_id, now):
        raise LinkNotUsable
    # Any other link of theirs stops working too.
    links.retire_resets_of(user_id, now)
    user = user_data.user_by_id(user_id)
    user.password_hash = new_hash
    save(user)
    ended = sessions.end_all(user, SessionEndReason.PASSWORD_CHANGED, now)
    audit.record(
        audit.Actor(None, remote_address),
        "password reset",
        user,
        after={"sessions_ended": ended},
    )
