"""Sessions kept on the server: they end after 30 minutes idle and 12 hours at most (the clock
is moved, never waited for), when the user signs out (a copied cookie is then worth nothing),
when they are deactivated or change their password; sign-in always starts a new one."""

import hashlib

import pytest
from sqlalchemy import func, select

from tests.conftest import (
    ADMIN,
    DEMO_PASSWORD,
    FINANCE,
    OFFICER,
    OFFICER_2,
    VIEWER,
    Browser,
    csrf_token_from,
    text_of,
)
from tests.reading import user_audit_events
from tracker.models import SessionEndReason, User, UserSession

IDLE_MESSAGE = "You have been signed out because you were inactive for 30 minutes"
EXPIRED_MESSAGE = "You have been signed out because you have been signed in for 12 hours"


def user(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def sid_of(visitor: Browser) -> str | None:
    with visitor.client.session_transaction() as cookie:
        return cookie.get("sid")


def row_of(session, token: str) -> UserSession | None:
    session.expire_all()
    return session.scalar(
        select(UserSession).where(
            UserSession.token_hash == hashlib.sha256(token.encode()).hexdigest()
        )
    )


def live_sessions(session, email: str) -> int:
    session.expire_all()
    return session.scalar(
        select(func.count(UserSession.id)).where(
            UserSession.user_id == user(session, email).id, UserSession.ended_at.is_(None)
        )
    )


def is_signed_in(visitor: Browser) -> bool:
    response = visitor.get("/home")
    return response.status_code == 200


def copy_of(app, visitor: Browser) -> Browser:
    """A fresh browser holding a copy of this one's session cookie, as a thief would."""
    thief = Browser(app.test_client())
    thief.client.set_cookie("session", visitor.client.get_cookie("session").value)
    return thief


@pytest.fixture
def officer(signed_in, clock) -> Browser:
    return signed_in(OFFICER)


# --- timing out ------------------------------------------------------------------------------


def test_a_session_idle_for_30_minutes_ends_and_the_user_is_told_why(officer, clock, transaction):
    token = sid_of(officer)
    clock.advance(minutes=29, seconds=59)
    assert is_signed_in(officer)
    clock.advance(minutes=30)
    response = officer.get("/streams")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/streams"
    page = officer.get(response.headers["Location"])
    assert IDLE_MESSAGE in text_of(page)
    assert "Signed in as" not in text_of(page)
    assert not is_signed_in(officer)
    ended = row_of(transaction, token)
    assert ended.ended_reason == SessionEndReason.IDLE
    assert ended.ended_at == clock.moment
    [event] = [
        e
        for e in user_audit_events(transaction, "session ended", user(transaction, OFFICER).id)
        if e.after["reason"] == "idle"
    ][-1:]
    assert event.actor_id is None


def test_using_the_service_keeps_a_session_alive_but_never_beyond_12_hours(
    officer, clock, transaction, reliability
):
    token = sid_of(officer)
    requests = 0
    for _ in range(35):  # every 20 minutes for 11 hours 40 minutes
        clock.advance(minutes=20)
        assert is_signed_in(officer), f"signed out after {clock.moment}"
        requests += 1
    clock.advance(minutes=20)
    response = officer.get("/home")
    assert response.status_code == 302
    assert EXPIRED_MESSAGE in text_of(officer.get(response.headers["Location"]))
    assert row_of(transaction, token).ended_reason == SessionEndReason.EXPIRED
    reliability.record("sessions and passwords", "requests in a 12-hour session checked", requests)


def test_a_form_sent_from_a_timed_out_session_changes_nothing(officer, clock, transaction):
    before = user(transaction, OFFICER).password_hash
    form = {
        "current_password": DEMO_PASSWORD,
        "new_password": "a brand new pass phrase",
        "confirm_password": "a brand new pass phrase",
    }
    token = csrf_token_from(officer.get("/account/password"))
    clock.advance(minutes=31)
    response = officer.client.post("/account/password", data={**form, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/account/password"
    transaction.expire_all()
    assert user(transaction, OFFICER).password_hash == before


def test_the_limits_are_settings(app, officer, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    clock.advance(minutes=5)
    response = officer.get("/home")
    assert response.status_code == 302
    page = text_of(officer.get(response.headers["Location"]))
    assert "You have been signed out because you were inactive for 5 minutes" in page


def test_a_timed_out_session_on_a_public_page_just_says_so(officer, clock):
    clock.advance(hours=1)
    response = officer.get("/accessibility")
    assert response.status_code == 200
    assert IDLE_MESSAGE in text_of(response)
    assert "Signed in as" not in text_of(response)


def test_last_seen_is_written_at_most_once_a_minute_so_most_requests_only_read(
    officer, clock, transaction
):
    token = sid_of(officer)
    signed_in_at = row_of(transaction, token).last_seen_at
    clock.advance(seconds=59)
    assert is_signed_in(officer)
    assert row_of(transaction, token).last_seen_at == signed_in_at
    clock.advance(seconds=1)
    assert is_signed_in(officer)
    assert row_of(transaction, token).last_seen_at == clock.moment


# --- signing out -----------------------------------------------------------------------------


def test_a_copied_cookie_works_only_until_its_owner_signs_out(app, officer, transaction):
    token = sid_of(officer)
    assert is_signed_in(copy_of(app, officer))  # the copy is a faithful one
    replay = copy_of(app, officer)
    assert officer.post("/sign-out", form_page="/home").status_code == 302
    response = replay.get("/home")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    assert "Signed in as" not in replay.text("/accessibility")
    ended = row_of(transaction, token)
    assert ended.ended_reason == SessionEndReason.SIGNED_OUT


def test_sign_in_sets_no_remember_me_cookie(app, clock, transaction):
    response = Browser(app.test_client()).sign_in(OFFICER)
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert [c for c in cookies if c.startswith("session=")]
    assert not [c for c in cookies if c.startswith("remember_token=")]


def test_the_database_keeps_only_a_hash_of_the_session_id(officer, transaction):
    token = sid_of(officer)
    assert len(token) >= 40
    stored = row_of(transaction, token)
    assert stored is not None
    assert token not in {stored.token_hash}
    assert transaction.scalar(select(UserSession).where(UserSession.token_hash == token)) is None


def test_a_cookie_naming_another_users_session_signs_nobody_in(app, signed_in, transaction):
    """The session row must belong to the user the cookie names."""
    finance_token = sid_of(signed_in(FINANCE))
    officer = signed_in(OFFICER)
    with officer.client.session_transaction() as cookie:
        cookie["sid"] = finance_token
    assert not is_signed_in(officer)


# --- a new session at each sign-in ------------------------------------------------------------


def test_signing_in_never_takes_up_a_session_id_the_browser_offered(app, clock, transaction):
    visitor = Browser(app.test_client())
    visitor.get("/sign-in")
    with visitor.client.session_transaction() as cookie:
        cookie["sid"] = "planted-by-someone-else-before-sign-in"
    assert visitor.sign_in(OFFICER).status_code == 302
    token = sid_of(visitor)
    assert token != "planted-by-someone-else-before-sign-in"
    assert row_of(transaction, token).user_id == user(transaction, OFFICER).id
    assert row_of(transaction, "planted-by-someone-else-before-sign-in") is None


def test_signing_in_again_replaces_the_browsers_session(app, signed_in, clock, transaction):
    visitor = signed_in(OFFICER)
    first = sid_of(visitor)
    assert visitor.sign_in(OFFICER_2).status_code == 302
    second = sid_of(visitor)
    assert second != first
    assert row_of(transaction, first).ended_reason == SessionEndReason.REPLACED
    assert row_of(transaction, second).live
    assert "Signed in as" in visitor.text("/home")


def test_each_sign_in_of_one_user_is_its_own_session(signed_in, transaction):
    laptop, other_laptop = signed_in(VIEWER), signed_in(VIEWER)
    assert sid_of(laptop) != sid_of(other_laptop)
    assert live_sessions(transaction, VIEWER) >= 2


# --- ended by what others do -----------------------------------------------------------------


def test_deactivating_a_user_ends_their_sessions_at_once(signed_in, clock, transaction):
    finance = signed_in(FINANCE)
    assert is_signed_in(finance)
    person = user(transaction, FINANCE)
    admin = signed_in(ADMIN)
    response = admin.post(
        f"/admin/users/{person.id}/edit",
        {"name": person.name, "role": "finance", "organisation": ""},
    )
    assert response.status_code == 302
    assert live_sessions(transaction, FINANCE) == 0
    ended = transaction.scalars(
        select(UserSession.ended_reason).where(UserSession.user_id == person.id)
    ).all()
    assert SessionEndReason.USER_DEACTIVATED in ended
    assert not is_signed_in(finance)


@pytest.mark.parametrize("reason", list(SessionEndReason))
def test_a_session_ended_for_any_reason_lets_nobody_in_again(
    officer, clock, transaction, reason, reliability
):
    row = row_of(transaction, sid_of(officer))
    row.ended_at, row.ended_reason = clock.moment, reason
    transaction.flush()
    response = officer.get("/streams")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/streams"
    assert "Signed in as" not in officer.text("/accessibility")
    reliability.record("sessions and passwords", "ways a session ends, each refused after", 1)
