"""Sign-in throttling that slows a guesser without handing anyone a lock-out button (issues 20
and 14, item 12).

- An account: five failures free, then each attempt must wait, 30 seconds doubling with each
  failure up to 15 minutes; an attempt that must wait is answered at once (429, a page saying
  when to try again, Retry-After), stored, and never checked.
- A browser that has signed in to the account before counts on its own counter: nobody else's
  failures, from anywhere, hold the owner up there.
- An address: five failures free (from browsers unknown to the accounts tried), then waits from
  2 seconds doubling to a minute, never more; right passwords never count against it.
- Attempts racing each other are all counted, and the password is checked with no transaction
  open."""

import re
import threading
import time

import pytest
from sqlalchemy import func, select, text

from tests.conftest import (
    DEMO_PASSWORD,
    FINANCE,
    OFFICER,
    OFFICER_2,
    VIEWER,
    Browser,
    build_app,
    csrf_token_from,
    migrate_and_seed,
    text_of,
)
from tests.integration.test_concurrency import run_together
from tests.reading import user_audit_events
from tracker.data.audit import CHAIN_LOCK_KEY
from tracker.extensions import db
from tracker.models import AuditEvent, SignInAttempt, User

WRONG_DETAILS = "Enter a correct email address and password"
TOO_MANY = "Too many attempts to sign in"
FREE = 5
ELSEWHERE = {"environ_base": {"REMOTE_ADDR": "203.0.113.66"}}
OFFICE = {"environ_base": {"REMOTE_ADDR": "198.51.100.20"}}


def user(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def try_password(visitor: Browser, email: str, password: str = "not-the-password", **where):  # noqa: S107
    return visitor.post("/sign-in", {"email": email, "password": password}, **where)


def fail(visitor: Browser, email: str, times: int = 1, **where) -> None:
    for _ in range(times):
        response = try_password(visitor, email, **where)
        assert response.status_code == 200, text_of(response)
        assert WRONG_DETAILS in text_of(response)


def must_wait(response) -> int:
    """The seconds a refused attempt was told to wait."""
    assert response.status_code == 429, text_of(response)
    assert TOO_MANY in text_of(response)
    return int(response.headers["Retry-After"])


def signed_in_before(app, email: str, **where) -> Browser:
    """A browser its owner has signed in from (and out of again)."""
    owner = Browser(app.test_client())
    assert owner.sign_in(email).status_code == 302
    assert owner.post("/sign-out", form_page="/home").status_code == 302
    return owner


# --- an account ------------------------------------------------------------------------------


def test_after_five_failures_the_next_attempt_is_answered_at_once_and_not_checked(
    app, clock, browser, transaction
):
    fail(browser, OFFICER_2, FREE)
    response = browser.sign_in(OFFICER_2)  # the right password, but it must wait
    assert must_wait(response) == 30
    assert "Try again in 30 seconds." in text_of(response)
    assert browser.get("/home").status_code == 302
    attempts = transaction.scalars(
        select(SignInAttempt).where(SignInAttempt.email == OFFICER_2).order_by(SignInAttempt.id)
    ).all()
    assert [(a.succeeded, a.refused) for a in attempts] == [(False, False)] * FREE + [
        (False, True)
    ]
    officer = user(transaction, OFFICER_2)
    assert len(user_audit_events(transaction, "sign-in failed", officer.id)) == FREE


def test_four_failures_leave_the_right_password_working_and_forget_them(app, clock, browser):
    fail(browser, OFFICER_2, FREE - 1)
    assert browser.sign_in(OFFICER_2).status_code == 302
    # The account's count starts again from nothing (tried from elsewhere: this address's own
    # count still holds its four failures).
    fail(Browser(app.test_client()), OFFICER_2, FREE - 1, **ELSEWHERE)
    assert Browser(app.test_client()).sign_in(OFFICER_2).status_code == 302


def test_each_further_failure_doubles_the_wait_up_to_fifteen_minutes(app, clock, browser):
    fail(browser, OFFICER_2, FREE)
    waits = []
    for _ in range(8):
        waits.append(must_wait(try_password(browser, OFFICER_2)))
        clock.advance(seconds=waits[-1])
        fail(browser, OFFICER_2)
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]
    clock.advance(minutes=15)
    assert browser.sign_in(OFFICER_2).status_code == 302


def test_an_accounts_failures_are_forgotten_a_day_after_the_last(app, clock, browser):
    fail(browser, OFFICER_2, FREE)
    clock.advance(seconds=30)
    fail(browser, OFFICER_2)  # the sixth: the next waits a minute
    clock.advance(hours=23)
    fail(browser, OFFICER_2)  # the seventh, still remembered: the next waits two minutes
    assert must_wait(try_password(browser, OFFICER_2)) == 120
    clock.advance(hours=24, seconds=1)
    fail(browser, OFFICER_2, FREE - 1)  # forgotten: free again
    assert browser.sign_in(OFFICER_2).status_code == 302


def test_the_wait_is_per_account(app, clock, browser):
    fail(browser, OFFICER_2, FREE, **ELSEWHERE)
    assert must_wait(try_password(browser, OFFICER_2, **ELSEWHERE))
    assert browser.sign_in(FINANCE).status_code == 302


# --- no lock-out button ----------------------------------------------------------------------


def test_no_one_elses_failures_hold_the_owner_up_at_a_browser_they_have_signed_in_from(
    app, clock, transaction, reliability
):
    owner = signed_in_before(app, OFFICER_2)
    attacker = Browser(app.test_client())
    for _ in range(50):
        try_password(attacker, OFFICER_2, **ELSEWHERE)
    assert must_wait(attacker.sign_in(OFFICER_2)) > 0  # the attacker waits, even when right
    assert owner.sign_in(OFFICER_2).status_code == 302  # the owner does not
    assert owner.get("/home").status_code == 200
    refused = transaction.scalar(
        select(func.count(SignInAttempt.id)).where(
            SignInAttempt.email == OFFICER_2, SignInAttempt.refused.is_(True)
        )
    )
    reliability.record("sign-in throttle", "attacker's attempts at one account", 51)
    reliability.record("sign-in throttle", "of them checked", 51 - refused)
    reliability.record("sign-in throttle", "owner at their own browser held up", 0)


def test_a_known_browser_that_guesses_is_slowed_on_its_own_counter(app, clock, transaction):
    owner = signed_in_before(app, OFFICER_2)
    fail(owner, OFFICER_2, FREE)
    assert must_wait(owner.sign_in(OFFICER_2)) == 30
    # Its failures are its own: a browser that tries for the first time is not held up.
    assert Browser(app.test_client()).sign_in(OFFICER_2).status_code == 302


def test_a_browser_is_known_only_to_the_accounts_signed_in_from_it(app, clock, transaction):
    shared = signed_in_before(app, FINANCE)
    attacker = Browser(app.test_client())
    fail(attacker, OFFICER_2, FREE, **ELSEWHERE)
    assert must_wait(shared.sign_in(OFFICER_2))


def test_a_forged_known_browser_cookie_is_ignored(app, clock, transaction):
    forger = Browser(app.test_client())
    forger.client.set_cookie("known_browser", "eyJicm93c2VyIjoieCIsImFjY291bnRzIjpbXX0.forged")
    fail(forger, OFFICER_2, FREE)
    assert must_wait(forger.sign_in(OFFICER_2))


# --- an address ------------------------------------------------------------------------------


def test_an_address_is_slowed_for_a_minute_at_most_never_locked_out(app, clock, transaction):
    sprayer = Browser(app.test_client())
    for n in range(FREE):
        fail(sprayer, f"person{n}@demo.gov.uk", **OFFICE)
    refused = try_password(sprayer, VIEWER, DEMO_PASSWORD, **OFFICE)
    assert must_wait(refused) == 2
    assert "Try again in 2 seconds." in text_of(refused)
    waits = []
    for n in range(10):
        waits.append(must_wait(try_password(sprayer, f"other{n}@demo.gov.uk", **OFFICE)))
        clock.advance(seconds=waits[-1])
        fail(sprayer, f"other{n}@demo.gov.uk", **OFFICE)
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60, 60, 60]
    clock.advance(seconds=60)
    assert try_password(sprayer, VIEWER, DEMO_PASSWORD, **OFFICE).status_code == 302


def test_people_behind_a_slowed_address_are_not_slowed_at_their_own_browsers(
    app, clock, transaction
):
    colleague = signed_in_before(app, FINANCE)
    sprayer = Browser(app.test_client())
    for n in range(FREE):
        fail(sprayer, f"person{n}@demo.gov.uk")
    assert must_wait(try_password(sprayer, VIEWER, DEMO_PASSWORD))
    assert colleague.sign_in(FINANCE).status_code == 302


def test_right_passwords_never_count_against_an_address(app, clock, transaction):
    for email in [OFFICER, OFFICER_2, FINANCE, VIEWER] * 3:
        assert Browser(app.test_client()).sign_in(email).status_code == 302
    fail(Browser(app.test_client()), "nobody@demo.gov.uk", FREE - 1)


# --- the other forms that check a password or a code -----------------------------------------


def test_a_wrong_current_password_waits_like_a_wrong_sign_in(signed_in, clock, transaction):
    officer = signed_in(OFFICER)
    for _ in range(FREE):
        response = officer.post(
            "/account/password",
            {
                "current_password": "not-my-password",
                "new_password": "a kettle of otters on the stairs",
                "confirm_password": "a kettle of otters on the stairs",
            },
        )
        assert "Your current password is not correct" in text_of(response)
    response = officer.post(
        "/account/password",
        {
            "current_password": DEMO_PASSWORD,
            "new_password": "a kettle of otters on the stairs",
            "confirm_password": "a kettle of otters on the stairs",
        },
    )
    assert "There have been too many wrong passwords. Try again in 30 seconds." in text_of(
        response
    )


# --- racing, and nothing slow under a lock ---------------------------------------------------


@pytest.fixture(scope="module")
def racing_app(make_database):
    app = build_app(
        make_database(), SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 25}
    )
    migrate_and_seed(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def wrong_sign_in(barrier, app, email: str, address: str) -> int:
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in"))
    barrier.wait()
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": email, "password": "not-the-password"},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def test_twenty_wrong_sign_ins_at_once_are_all_counted_and_five_checked(racing_app, reliability):
    email = "racing@demo.gov.uk"
    statuses = run_together(wrong_sign_in, [(racing_app, email, "192.0.2.1")] * 20)
    assert sorted(statuses) == [200] * FREE + [429] * 15, statuses
    with racing_app.app_context():
        attempts = db.session.scalars(
            select(SignInAttempt).where(SignInAttempt.email == email)
        ).all()
        failed_events = db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.action == "sign-in failed",
                AuditEvent.after["email"].as_string() == email,
            )
        )
    assert len(attempts) == 20
    assert sum(a.refused for a in attempts) == 15
    assert failed_events == FREE
    reliability.record("sign-in throttle", "wrong sign-ins racing at one account", 20)
    reliability.record("sign-in throttle", "of them checked (5 allowed)", 20 - 15)


def test_the_password_is_checked_with_no_lock_held(racing_app, monkeypatch, db_kind):
    """While the password is checked (slowly), another connection can take every lock a
    sign-in might hold: SQLite's write lock, the throttle's and the user's rows, the audit
    chain's lock."""
    from tracker.services import auth

    seen = []
    real_check = auth.verify_password

    def check_while_probing(password_hash, password):
        with racing_app.app_context():
            seen.append(locks_free(db_kind))
        return real_check(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", check_while_probing)
    client = racing_app.test_client()
    token = csrf_token_from(client.get("/sign-in"))
    response = client.post(
        "/sign-in", data={"csrf_token": token, "email": VIEWER, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert seen == [True]


def locks_free(db_kind: str) -> bool:
    """From a connection of its own, without waiting: can it take every lock?"""
    engine = db.engine
    if db_kind == "sqlite":
        raw = engine.raw_connection()
        try:
            raw.execute("PRAGMA busy_timeout=0")
            try:
                raw.execute("BEGIN IMMEDIATE")
            except Exception:  # noqa: BLE001 - "database is locked": a writer holds it
                return False
            raw.execute("ROLLBACK")
            return True
        finally:
            raw.close()
    with engine.connect() as connection:
        connection.execute(text("SET lock_timeout = '1ms'"))
        try:
            connection.execute(text("SELECT id FROM sign_in_throttle FOR UPDATE NOWAIT"))
            connection.execute(text("SELECT id FROM app_user FOR UPDATE NOWAIT"))
            chain = connection.scalar(
                text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY}
            )
        except Exception:  # noqa: BLE001 - "could not obtain lock"
            return False
        finally:
            connection.rollback()
        return bool(chain)


@pytest.mark.postgres_only
def test_sign_in_takes_the_audit_chains_lock_before_it_locks_the_users_row(racing_app):
    """PostgreSQL: every writer takes the chain's lock first and rows after. A sign-in that
    locked the user's row and then waited for the chain, while an administrator editing that
    user held the chain and waited for the row, would be a deadlock."""
    with racing_app.app_context():
        admin_mid_edit = db.engine.connect()
        admin_mid_edit.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
        try:
            answer = {}
            signing_in = threading.Thread(
                target=lambda: answer.update(status=sign_in_as(racing_app, OFFICER)), daemon=True
            )
            signing_in.start()
            assert waits_for_the_chain(admin_mid_edit), "the sign-in never asked for the chain"
            # It holds no lock on the user's row while it waits: the admin can take it.
            admin_mid_edit.execute(
                text("SELECT id FROM app_user WHERE email = :email FOR UPDATE NOWAIT"),
                {"email": OFFICER},
            )
        finally:
            admin_mid_edit.rollback()
            admin_mid_edit.close()
        signing_in.join(30)
    assert answer == {"status": 302}


def sign_in_as(app, email: str) -> int:
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in"))
    return client.post(
        "/sign-in", data={"csrf_token": token, "email": email, "password": DEMO_PASSWORD}
    ).status_code


def waits_for_the_chain(connection) -> bool:
    for _ in range(200):
        waiting = connection.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
        )
        if waiting:
            return True
        time.sleep(0.05)
    return False


def test_the_page_says_when_to_try_again_and_offers_the_form_again(app, clock, browser):
    fail(browser, OFFICER_2, FREE)
    response = try_password(browser, OFFICER_2)
    link = re.search(r'href="([^"]+)">Try again</a>', response.get_data(as_text=True))
    assert link and link.group(1) == "/sign-in"
