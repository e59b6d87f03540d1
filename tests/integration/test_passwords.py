"""Passwords follow the NCSC's guidance: 12 characters or more (and at most 256), not on a list
of common passwords, not the user's own email address, and no rules about what characters they
hold. The same rules wherever a password is set; "Change your password" asks for the current
one, and ends every other session of the user's."""

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_PASSWORD, FINANCE, LAMBETH_GRANTEE, OFFICER, VIEWER, Browser
from tests.integration.test_sessions import is_signed_in, sid_of
from tests.reading import error_beside, soup_of, user_audit_events
from tracker.models import SessionEndReason, SignInAttempt, User, UserSession
from tracker.services.errors import RuleBroken
from tracker.services.password_policy import check_password, common_passwords
from tracker.services.passwords import verify_password

NEW_PASSWORD = "a fresh pass phrase for tests"
COMMON = "Choose a password that is harder to guess: this one is on a list of common passwords"


def user(session, email: str) -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.email == email))


def refusal(password: str, email: str | None = None) -> str | None:
    try:
        check_password(password, email=email)
    except RuleBroken as error:
        assert error.field == "password"
        return error.message
    return None


# --- the rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("elevenchars", "Password must be 12 characters or more"),
        ("x" * 257, "Password must be 256 characters or fewer"),
        ("qwerty123456", COMMON),
        ("QWERTY123456", COMMON),
        ("1q2w3e4r5t6y", COMMON),
        ("officer@demo.gov.uk", "Password must not be the email address"),
        ("OFFICER@demo.gov.uk", "Password must not be the email address"),
    ],
)
def test_a_password_is_refused_for_the_right_reason(password, message, reliability):
    assert refusal(password, email="officer@demo.gov.uk") == message
    reliability.record("sessions and passwords", "passwords refused for a reason", 1)


@pytest.mark.parametrize(
    "password",
    [
        "twelve-chars",  # exactly 12
        "x" * 256,
        "all lower case words",  # no digit, capital or symbol is needed
        "123412341234x",
        "pässwörter mit ümläuten",
    ],
)
def test_any_long_enough_password_not_on_the_list_is_accepted(password, reliability):
    assert refusal(password, email="officer@demo.gov.uk") is None
    reliability.record("sessions and passwords", "passwords accepted", 1)


def test_the_common_password_list_is_the_full_one():
    listed = common_passwords()
    assert len(listed) > 19_000
    assert "password" in listed
    assert all(entry == entry.lower() for entry in listed)


# --- changing your own password --------------------------------------------------------------


def change(visitor: Browser, current=DEMO_PASSWORD, new=NEW_PASSWORD, confirm=None):
    return visitor.post(
        "/account/password",
        {"current_password": current, "new_password": new, "confirm_password": confirm or new},
    )


@pytest.mark.parametrize("email", [OFFICER, VIEWER, LAMBETH_GRANTEE])
def test_every_signed_in_user_changes_their_password_and_signs_in_with_the_new_one(
    app, signed_in, transaction, email
):
    visitor = signed_in(email)
    response = change(visitor)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "Your password has been changed" in visitor.text("/account")
    assert verify_password(user(transaction, email).password_hash, NEW_PASSWORD)
    [event] = user_audit_events(transaction, "password changed", user(transaction, email).id)
    assert event.actor_id == user(transaction, email).id
    assert NEW_PASSWORD not in str(event.after)
    assert Browser(app.test_client()).sign_in(email).status_code == 200  # the old one fails
    assert Browser(app.test_client()).sign_in(email, NEW_PASSWORD).status_code == 302


def test_changing_your_password_ends_your_other_sessions_but_not_this_one(
    signed_in, clock, transaction, reliability
):
    phone, laptop = signed_in(FINANCE), signed_in(FINANCE)
    assert change(laptop).status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    finance_id = user(transaction, FINANCE).id
    reasons = transaction.scalars(
        select(UserSession.ended_reason).where(UserSession.user_id == finance_id)
    ).all()
    assert SessionEndReason.PASSWORD_CHANGED in reasons
    live = transaction.scalars(
        select(UserSession).where(UserSession.user_id == finance_id, UserSession.ended_at.is_(None))
    ).all()
    assert len(live) == 1
    assert sid_of(laptop) is not None
    reliability.record("sessions and passwords", "other sessions ended by a password change", 1)


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"current": ""}, "current_password", "Enter your current password"),
        (
            {"current": "not-my-password"},
            "current_password",
            "Your current password is not correct",
        ),
        ({"new": "", "confirm": ""}, "new_password", "Enter a new password"),
        ({"new": "elevenchars"}, "new_password", "Password must be 12 characters or more"),
        ({"new": "qwertyuiop123"}, "new_password", COMMON),
        ({"new": OFFICER}, "new_password", "Password must not be the email address"),
        (
            {"confirm": "something else entirely"},
            "confirm_password",
            "The passwords do not match: enter the same one twice",
        ),
    ],
)
def test_a_change_of_password_that_breaks_a_rule_is_refused_beside_the_field(
    signed_in, transaction, answers, field, message
):
    officer = signed_in(OFFICER)
    before = user(transaction, OFFICER).password_hash
    response = change(officer, **answers)
    assert response.status_code == 200
    assert error_beside(response, field) == f"Error: {message}"
    assert soup_of(response).title.text.startswith("Error: Change your password")
    assert NEW_PASSWORD not in response.get_data(as_text=True)
    assert user(transaction, OFFICER).password_hash == before
    assert is_signed_in(officer)


def test_a_wrong_current_password_counts_as_a_failed_sign_in_and_is_throttled(
    app, signed_in, transaction
):
    officer = signed_in(OFFICER)
    limit = app.config["SIGN_IN_FREE_FAILURES"]
    for _ in range(limit):
        change(officer, current="not-my-password")
    failures = transaction.scalar(
        select(func.count(SignInAttempt.id)).where(
            SignInAttempt.email == OFFICER, SignInAttempt.succeeded.is_(False)
        )
    )
    assert failures == limit
    response = change(officer)  # even the right password must wait now
    assert response.status_code == 200
    assert "There have been too many wrong passwords" in soup_of(response).get_text()
    assert not verify_password(user(transaction, OFFICER).password_hash, NEW_PASSWORD)
