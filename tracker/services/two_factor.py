"""A second factor: a 6-digit code from an authenticator app (TOTP, RFC 6238, with pyotp).

A code is accepted for its own 30-second step and the one either side (phones' clocks drift
and people type slowly), and never twice: the last accepted step is stored, and a code for that
step or an earlier one is refused, so a code seen over someone's shoulder cannot be replayed.
"""

import hmac
from datetime import UTC, datetime

import pyotp
import segno

from tracker.data import users as user_data
from tracker.data.store import save
from tracker.models import TWO_FACTOR_ROLES, User
from tracker.services import audit
from tracker.services.errors import RuleBroken

ISSUER = "Track Hidden Harms grants"
STEPS_EITHER_SIDE = 1
WRONG_CODE = "The code is not correct. Enter the code your app shows now"
USED_CODE = "That code has already been used. Wait for your app to show a new code, then enter it"


def offered_to(user: User) -> bool:
    """Whether this user's role uses a second factor (everyone in government; not grantees)."""
    return user.role in TWO_FACTOR_ROLES


def new_secret() -> str:
    """A new random TOTP secret (base32)."""
    return pyotp.random_base32()


def code_at(secret: str, moment: datetime) -> str:
    """The code an app shows at this moment (naive UTC): for tests and the set-up check."""
    return pyotp.TOTP(secret).at(moment.replace(tzinfo=UTC))


def set_up_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_data_uri(secret: str, email: str) -> str:
    """The set-up address as a QR code, an SVG in a data: URI (the CSP allows data: images)."""
    return segno.make(set_up_uri(secret, email), error="m").svg_data_uri(scale=5, border=4)


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time-step whose code this is, within a step either side of now; else None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now.replace(tzinfo=UTC))
    found = None
    for step in range(current - STEPS_EITHER_SIDE, current + STEPS_EITHER_SIDE + 1):
        # Every step is compared, in constant time, so timing says nothing about which matched.
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def accept_code(user: User, code: str, now: datetime) -> None:
    """Raises RuleBroken (on `code`) unless the code is right and not used before; records
    its step so it cannot be used again."""
    step = matching_step(user.totp_secret or "", code, now) if user.totp_secret else None
    if step is None:
        raise RuleBroken(WRONG_CODE, "code")
    if not user_data.claim_totp_step(user.id, step):
        raise RuleBroken(USED_CODE, "code")


def turn_on(actor: audit.Actor, secret: str, code: str, now: datetime) -> None:
    """The signed-in civil servant proves their app holds the secret with a right code; only
    then is the secret kept and asked for at each sign-in."""
    user = actor.user
    if not offered_to(user):
        raise RuleBroken("Two-factor authentication is for civil servants' accounts")
    if user.has_two_factor:
        raise RuleBroken("Two-factor authentication is already on")
    step = matching_step(secret, code, now)
    if step is None:
        raise RuleBroken(WRONG_CODE, "code")
    user.totp_secret, user.totp_last_step = secret, step
    save(user)
    audit.record(
        actor,
        "two-factor turned on",
        user,
        before={"two_factor": False},
        after={"two_factor": True},
    )


def turn_off(actor: audit.Actor, user: User) -> None:
    """An administrator turns a user's second factor off (a lost phone); they can then sign in
    with their password alone and set it up again."""
    if not user.has_two_factor:
        raise RuleBroken(f"{user.email} does not have two-factor authentication turned on")
    user.totp_secret, user.totp_last_step = None, None
    save(user)
    audit.record(
        actor,
        "two-factor turned off",
        user,
        before={"two_factor": True},
        after={"two_factor": False},
    )
