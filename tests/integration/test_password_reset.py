"""Forgotten password: a single-use link by email, valid for an hour, kept only as a hash; the
page answers the same whether or not the address has an account; requests are throttled per
address asked about and per IP address; resetting ends every session. And a user's own list of
where they are signed in, with a way to sign out of all of them."""

import hashlib
import re

from sqlalchemy import func, select

from tests.conftest import LAMBETH_GRANTEE, OFFICER, Browser, text_of
from tests.reading import error_beside
from tracker.models import AuditEvent, OutboxMessage, PasswordReset, User, UserSession

NEW_PASSWORD = "violet tractor harbour spoon"  # noqa: S105
SAME_ANSWER = "If that email address has an account, we have sent it a link"


def reset_emails(session, to: str | None = None) -> list[OutboxMessage]:
    session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.kind == "password reset")
    if to:
        query = query.where(OutboxMessage.to_address == to)
    return list(session.scalars(query.order_by(OutboxMessage.id)))


def link_in(message: OutboxMessage) -> str:
    found = re.search(r"http://[^/\s]+(/sign-in/reset-password\?token=\S+)", message.body)
    assert found, message.body
    return found.group(1)


def ask_for_link(visitor: Browser, email: str):
    return visitor.post("/sign-in/forgotten-password", {"email": email}, follow_redirects=True)


def live_sessions(session, email: str) -> int:
    session.expire_all()
    return session.scalar(
        select(func.count(UserSession.id))
        .join(User)
        .where(User.email == email, UserSession.ended_at.is_(None))
    )


def test_the_sign_in_page_offers_a_way_back_in(browser):
    page = browser.get("/sign-in")
    assert "Forgotten your password?" in text_of(page)
    assert 'href="/sign-in/forgotten-password"' in page.get_data(as_text=True)


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(browser, transaction):
    known = ask_for_link(browser, OFFICER)
    unknown = ask_for_link(browser, "nobody-at-all@demo.gov.uk")
    assert known.status_code == unknown.status_code == 200
    assert SAME_ANSWER in text_of(known)
    assert text_of(known) == text_of(unknown)
    assert [m.to_address for m in reset_emails(transaction)] == [OFFICER]


def test_a_reset_link_sets_a_new_password_ends_every_session_and_works_once(
    app, browser, signed_in, transaction
):
    elsewhere = signed_in(OFFICER)
    assert live_sessions(transaction, OFFICER) == 1
    ask_for_link(browser, OFFICER)
    (message,) = reset_emails(transaction, OFFICER)
    link = link_in(message)
    token = link.split("token=")[1]
    # Only the token's hash is stored.
    stored = transaction.scalars(select(PasswordReset.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in str(stored)

    form = browser.get(link)
    assert "Choose a new password" in text_of(form)
    done = browser.post(
        link,
        {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert "Your password has been reset" in text_of(done)
    assert live_sessions(transaction, OFFICER) == 0
    assert elsewhere.get("/home").status_code == 302

    assert Browser(app.test_client()).sign_in(OFFICER, NEW_PASSWORD).status_code == 302
    assert Browser(app.test_client()).sign_in(OFFICER).status_code == 200  # the old one
    again = browser.get(link)
    assert again.status_code == 404
    assert "This link cannot be used" in text_of(again)
    actions = transaction.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("password reset%"))
    ).all()
    assert actions == ["password reset requested", "password reset"]
    # The audit trail never holds the secret.
    recorded = [repr(event.after) for event in transaction.scalars(select(AuditEvent))]
    assert not [after for after in recorded if token in after]


def test_tampered_truncated_and_missing_tokens_change_nothing(browser, transaction):
    ask_for_link(browser, LAMBETH_GRANTEE)
    link = link_in(reset_emails(transaction, LAMBETH_GRANTEE)[0])
    before = transaction.scalar(select(User.password_hash).where(User.email == LAMBETH_GRANTEE))
    for wrong in (
        link[:-5],
        link[:-1] + ("A" if link[-1] != "A" else "B"),
        "/sign-in/reset-password",
        "/sign-in/reset-password?token=" + "x" * 5000,
    ):
        assert browser.get(wrong).status_code == 404
        posted = browser.post(
            wrong,
            {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
            form_page=link,
        )
        assert posted.status_code == 404
    transaction.expire_all()
    after = transaction.scalar(select(User.password_hash).where(User.email == LAMBETH_GRANTEE))
    assert after == before
    assert browser.get(link).status_code == 200  # the real one still works


def test_an_expired_link_says_so(browser, transaction, clock):
    ask_for_link(browser, OFFICER)
    link = link_in(reset_emails(transaction, OFFICER)[0])
    clock.advance(minutes=61)
    page = browser.get(link)
    assert page.status_code == 404
    assert "has expired, has already been used" in text_of(page)


def test_a_weak_new_password_is_refused_beside_the_field_and_the_link_still_works(
    browser, transaction
):
    ask_for_link(browser, OFFICER)
    link = link_in(reset_emails(transaction, OFFICER)[0])
    refused = browser.post(link, {"new_password": "password", "confirm_password": "password"})
    assert refused.status_code == 200
    assert error_beside(refused, "new_password")
    mismatched = browser.post(
        link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x"}
    )
    assert "do not match" in error_beside(mismatched, "confirm_password")
    assert browser.get(link).status_code == 200


def test_requests_for_one_address_are_throttled_without_saying_whether_it_exists(
    browser, transaction
):
    for email in (OFFICER, "nobody-at-all@demo.gov.uk"):
        answers = [ask_for_link(browser, email).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429], email
    assert len(reset_emails(transaction, OFFICER)) == 3


def test_requests_from_one_ip_address_are_throttled(app, transaction):
    visitor = Browser(app.test_client())
    answers = [
        ask_for_link(visitor, f"someone-{number}@demo.gov.uk").status_code for number in range(11)
    ]
    assert answers == [200] * 10 + [429]
    elsewhere = Browser(app.test_client())
    elsewhere.client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert ask_for_link(elsewhere, "someone-else@demo.gov.uk").status_code == 200


def test_a_user_sees_where_they_are_signed_in_and_can_sign_out_everywhere(signed_in, transaction):
    here, there = signed_in(OFFICER), signed_in(OFFICER)
    page = here.get("/account/sessions")
    text = text_of(page)
    assert text.count("This browser") == 1 and text.count("Another browser") == 1
    done = here.post("/account/sessions/sign-out-everywhere", follow_redirects=True)
    assert "You have been signed out everywhere" in text_of(done)
    assert live_sessions(transaction, OFFICER) == 0
    assert there.get("/home").status_code == 302
    assert here.get("/home").status_code == 302
