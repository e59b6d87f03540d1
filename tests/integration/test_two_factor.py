"""A second factor for civil servants: set up from their account page with a QR code, turned on
only by a right code; then sign-in asks for a code after the password, and nobody is signed in
until it is right. Wrong codes are throttled like wrong passwords, a used code is refused, the
half-way state expires, and an administrator can turn it off. Grantees are not offered it."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import (
    ADMIN,
    DEMO_PASSWORD,
    FINANCE,
    LAMBETH_GRANTEE,
    OFFICER,
    OFFICER_2,
    VIEWER,
    Browser,
    text_of,
)
from tests.reading import error_beside, soup_of, user_audit_events
from tracker.models import SignInAttempt, User, UserSession
from tracker.services import two_factor

TOO_MANY = "Too many attempts to sign in"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def user(session, email: str) -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.email == email))


def with_two_factor(session, email: str) -> str:
    person = user(session, email)
    person.totp_secret, person.totp_last_step = SECRET, None
    session.flush()
    return SECRET


def code(clock, steps: int = 0, secret: str = SECRET) -> str:
    return two_factor.code_at(secret, clock.moment + timedelta(seconds=30 * steps))


def wrong_code(clock, secret: str = SECRET) -> str:
    right = {code(clock, steps, secret) for steps in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def live_sessions(session, email: str) -> int:
    return session.scalar(
        select(func.count(UserSession.id)).where(
            UserSession.user_id == user(session, email).id, UserSession.ended_at.is_(None)
        )
    )


def password_step(app, email: str, path: str = "/sign-in") -> Browser:
    visitor = Browser(app.test_client())
    response = visitor.post(path, {"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in/two-factor"
    return visitor


def enter(visitor: Browser, value: str):
    return visitor.post("/sign-in/two-factor", {"code": value})


# --- setting it up ---------------------------------------------------------------------------


def test_a_civil_servant_sets_up_two_factor_and_it_is_on_only_after_a_right_code(
    signed_in, clock, transaction
):
    officer = signed_in(OFFICER)
    account = officer.text("/account")
    assert "Two-factor authentication Off" in account
    page = officer.get("/account/two-factor")
    assert page.status_code == 200
    qr = soup_of(page).find("img", class_="tracker-qr-code")
    assert qr["src"].startswith("data:image/svg+xml")
    assert qr["alt"]
    shown = soup_of(page).find(id="secret-key").get_text().split()
    assert all(len(group) == 4 for group in shown)
    secret = "".join(shown)
    assert len(secret) == 32
    # Shown again (after a mistake, or a reload) it is the same secret: the app has it already.
    assert (
        "".join(soup_of(officer.get("/account/two-factor")).find(id="secret-key").text.split())
        == secret
    )

    refused = officer.post("/account/two-factor", {"code": wrong_code(clock, secret)})
    assert refused.status_code == 200
    assert error_beside(refused, "code") == (
        "Error: The code is not correct. Enter the code your app shows now"
    )
    assert user(transaction, OFFICER).totp_secret is None

    done = officer.post("/account/two-factor", {"code": code(clock, secret=secret)})
    assert done.status_code == 302
    assert done.headers["Location"] == "/account"
    assert user(transaction, OFFICER).totp_secret == secret
    assert "Two-factor authentication is on" in officer.text("/account")
    [event] = user_audit_events(transaction, "two-factor turned on", user(transaction, OFFICER).id)
    assert event.after == {"two_factor": True}
    assert secret not in str(event.after)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the 6-digit code from your authenticator app"),
        ("12345", "Enter the code as 6 digits, like 123456"),
        ("1234567", "Enter the code as 6 digits, like 123456"),
        ("12345a", "Enter the code as 6 digits, like 123456"),
    ],
)
def test_a_code_that_is_not_6_digits_is_refused_beside_the_field(
    signed_in, transaction, typed, message
):
    response = signed_in(FINANCE).post("/account/two-factor", {"code": typed})
    assert response.status_code == 200
    assert error_beside(response, "code") == f"Error: {message}"
    assert user(transaction, FINANCE).totp_secret is None


def test_a_code_typed_with_a_space_as_apps_show_it_is_accepted(signed_in, clock, transaction):
    viewer = signed_in(VIEWER)
    secret = "".join(soup_of(viewer.get("/account/two-factor")).find(id="secret-key").text.split())
    right = code(clock, secret=secret)
    assert (
        viewer.post("/account/two-factor", {"code": f"{right[:3]} {right[3:]}"}).status_code == 302
    )
    assert user(transaction, VIEWER).totp_secret == secret


@pytest.mark.parametrize("email", [OFFICER, FINANCE, VIEWER, ADMIN])
def test_every_civil_servant_is_offered_it(signed_in, email):
    visitor = signed_in(email)
    assert "Two-factor authentication" in visitor.text("/account")
    assert visitor.get("/account/two-factor").status_code == 200


def test_a_grantee_is_not_offered_it_and_cannot_reach_the_set_up_page(signed_in):
    grantee = signed_in(LAMBETH_GRANTEE)
    account = grantee.get("/account")
    assert account.status_code == 200
    assert "Two-factor" not in text_of(account)
    assert grantee.get("/account/two-factor").status_code == 403


def signed_in_with_code(app, clock, email: str) -> Browser:
    visitor = password_step(app, email)
    assert enter(visitor, code(clock)).status_code == 302
    return visitor


def test_setting_it_up_again_while_it_is_on_is_refused(app, clock, transaction):
    with_two_factor(transaction, OFFICER_2)
    officer = signed_in_with_code(app, clock, OFFICER_2)
    response = officer.get("/account/two-factor")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "Two-factor authentication is already on" in officer.text("/account")
    assert user(transaction, OFFICER_2).totp_secret == SECRET


# --- signing in with a code ------------------------------------------------------------------


def test_sign_in_asks_for_the_code_and_signs_in_only_when_it_is_right(app, clock, transaction):
    with_two_factor(transaction, OFFICER)
    sessions_before = live_sessions(transaction, OFFICER)
    signed_in_before = len(
        user_audit_events(transaction, "signed in", user(transaction, OFFICER).id)
    )
    visitor = password_step(app, OFFICER, "/sign-in?next=/streams")
    page = visitor.get("/sign-in/two-factor")
    assert page.status_code == 200
    assert "Enter the code from your authenticator app" in text_of(page)
    # Half-way: not signed in, no session, no "signed in" in the audit trail.
    home = visitor.get("/home")
    assert home.status_code == 302
    assert home.headers["Location"].startswith("/sign-in")
    assert live_sessions(transaction, OFFICER) == sessions_before
    officer_id = user(transaction, OFFICER).id
    assert len(user_audit_events(transaction, "signed in", officer_id)) == signed_in_before

    clock.advance(minutes=1)
    response = enter(visitor, code(clock))
    assert response.status_code == 302
    assert response.headers["Location"] == "/streams"
    assert visitor.get("/streams").status_code == 200
    assert live_sessions(transaction, OFFICER) == sessions_before + 1
    assert len(user_audit_events(transaction, "signed in", officer_id)) == signed_in_before + 1
    assert user(transaction, OFFICER).last_signed_in_at == clock.moment


def test_a_wrong_code_is_refused_beside_the_field_and_counted(app, clock, transaction):
    with_two_factor(transaction, FINANCE)
    visitor = password_step(app, FINANCE)
    response = enter(visitor, wrong_code(clock))
    assert response.status_code == 200
    assert error_beside(response, "code") == (
        "Error: The code is not correct. Enter the code your app shows now"
    )
    assert soup_of(response).title.text.startswith("Error: Enter the code")
    assert visitor.get("/home").status_code == 302
    failed = transaction.scalar(
        select(func.count(SignInAttempt.id)).where(
            SignInAttempt.email == FINANCE, SignInAttempt.succeeded.is_(False)
        )
    )
    assert failed == 1
    [event] = user_audit_events(
        transaction, "two-factor code refused", user(transaction, FINANCE).id
    )
    assert event.after == {"reason": "wrong"}
    # The right code still works afterwards.
    assert enter(visitor, code(clock)).status_code == 302


def test_a_code_is_accepted_once_only(app, clock, transaction, reliability):
    with_two_factor(transaction, VIEWER)
    first = password_step(app, VIEWER)
    used = code(clock)
    assert enter(first, used).status_code == 302
    again = password_step(app, VIEWER)
    response = enter(again, used)
    assert response.status_code == 200
    assert error_beside(response, "code") == (
        "Error: That code has already been used. "
        "Wait for your app to show a new code, then enter it"
    )
    assert again.get("/home").status_code == 302
    # Nor is the code of the step before it, though it is within the allowed drift.
    assert enter(again, code(clock, -1)).status_code == 200
    clock.advance(seconds=30)
    assert enter(again, code(clock)).status_code == 302
    assert again.get("/home").status_code == 200
    reliability.record("sessions and passwords", "second-factor codes refused as reused", 2)


@pytest.mark.parametrize(("steps", "accepted"), [(-2, False), (-1, True), (1, True), (2, False)])
def test_a_code_from_a_step_either_side_is_accepted_but_no_further(
    app, clock, transaction, steps, accepted
):
    with_two_factor(transaction, ADMIN)
    visitor = password_step(app, ADMIN)
    response = enter(visitor, code(clock, steps))
    assert (response.status_code == 302) is accepted


def test_wrong_codes_are_throttled_like_wrong_passwords(app, clock, transaction, reliability):
    with_two_factor(transaction, OFFICER_2)
    visitor = password_step(app, OFFICER_2)
    limit = app.config["SIGN_IN_FREE_FAILURES"]
    for _ in range(limit):
        assert enter(visitor, wrong_code(clock)).status_code == 200
    response = enter(visitor, code(clock))
    assert response.status_code == 429
    assert TOO_MANY in text_of(response)
    assert visitor.get("/home").status_code == 302
    # The password step must wait too (this browser has never signed in to the account).
    refused = Browser(app.test_client()).sign_in(OFFICER_2)
    assert refused.status_code == 429
    reliability.record("sessions and passwords", "wrong codes before the account is refused", limit)


def test_the_half_signed_in_state_expires_after_5_minutes(app, clock, transaction):
    with_two_factor(transaction, OFFICER)
    visitor = password_step(app, OFFICER)
    clock.advance(minutes=5, seconds=1)
    # Even the right code is too late now.
    late = visitor.post("/sign-in/two-factor", {"code": code(clock)}, form_page="/sign-in")
    assert late.status_code == 302
    assert late.headers["Location"] == "/sign-in"
    page = text_of(visitor.get("/sign-in"))
    assert "Sign in again: the code must be entered within 5 minutes" in page
    assert visitor.get("/home").status_code == 302
    assert visitor.get("/sign-in/two-factor").headers["Location"] == "/sign-in"
    assert user(transaction, OFFICER).totp_last_step is None  # the code was never accepted


def test_just_inside_5_minutes_the_code_is_still_asked_for(app, clock, transaction):
    with_two_factor(transaction, OFFICER)
    visitor = password_step(app, OFFICER)
    clock.advance(minutes=4, seconds=59)
    assert enter(visitor, code(clock)).status_code == 302
    assert visitor.get("/home").status_code == 200


def test_the_code_page_without_a_password_just_given_sends_you_to_sign_in(browser):
    response = browser.get("/sign-in/two-factor")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"


def test_a_user_without_two_factor_signs_in_with_the_password_alone(browser):
    response = browser.sign_in(OFFICER)
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"


# --- an administrator turning it off ---------------------------------------------------------


def test_an_admin_turns_off_a_users_second_factor_and_it_is_audited(
    app, signed_in, clock, transaction
):
    with_two_factor(transaction, FINANCE)
    finance = user(transaction, FINANCE)
    admin = signed_in(ADMIN)
    assert "Two-factor authentication On" in admin.text(f"/admin/users/{finance.id}")
    page = admin.get(f"/admin/users/{finance.id}/two-factor")
    assert page.status_code == 200
    assert f"Turn off two-factor authentication for {FINANCE}" in text_of(page)
    response = admin.post(f"/admin/users/{finance.id}/two-factor")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{finance.id}"
    assert user(transaction, FINANCE).totp_secret is None
    [event] = user_audit_events(transaction, "two-factor turned off", finance.id)
    assert event.actor_id == user(transaction, ADMIN).id
    assert event.before == {"two_factor": True}
    assert Browser(app.test_client()).sign_in(FINANCE).headers["Location"] == "/home"


def test_turning_off_a_second_factor_that_is_not_on_changes_nothing(signed_in, transaction):
    viewer = user(transaction, VIEWER)
    admin = signed_in(ADMIN)
    response = admin.post(f"/admin/users/{viewer.id}/two-factor")
    assert response.status_code == 302
    assert "does not have two-factor authentication turned on" in admin.text(
        f"/admin/users/{viewer.id}"
    )
    assert user_audit_events(transaction, "two-factor turned off", viewer.id) == []


# --- required in production ------------------------------------------------------------------


def test_where_it_is_required_a_civil_servant_must_set_it_up_first(
    app, signed_in, clock, transaction, monkeypatch
):
    monkeypatch.setitem(app.config, "REQUIRE_TWO_FACTOR", True)
    officer = signed_in(OFFICER)
    for path in ["/home", "/streams", "/account"]:
        response = officer.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/two-factor"
    page = officer.get("/account/two-factor")
    assert "You need to set up two-factor authentication" in text_of(page)
    secret = "".join(soup_of(page).find(id="secret-key").text.split())
    assert (
        officer.post("/account/two-factor", {"code": code(clock, secret=secret)}).status_code == 302
    )
    assert officer.get("/home").status_code == 200


def test_where_it_is_required_grantees_are_not_asked(app, signed_in, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_TWO_FACTOR", True)
    grantee = signed_in(LAMBETH_GRANTEE)
    response = grantee.get("/home")
    assert response.headers["Location"] != "/account/two-factor"
    assert grantee.get("/account").status_code == 200
