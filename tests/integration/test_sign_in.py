"""Signing in and out, throttling, the session, CSRF, redirects, the audit trail of sign-ins, and
the security headers every response carries."""

import re

import pytest
from bs4 import BeautifulSoup
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
from tests.reading import user_audit_events
from tracker.models import AuditEvent, Invitation, SignInAttempt, User

WRONG_DETAILS = "Enter a correct email address and password"


def user(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def title_of(response) -> str:
    return " ".join(
        BeautifulSoup(response.get_data(as_text=True), "html.parser").title.text.split()
    )


def session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie was set"
    return cookies[-1]


# --- signing in and out ----------------------------------------------------------------------


def test_an_anonymous_visitor_sees_the_sign_in_form(browser):
    response = browser.get("/sign-in")
    assert response.status_code == 200
    page = text_of(response)
    assert "Sign in" in page
    assert "Email address" in page
    assert "Password" in page


@pytest.mark.parametrize("email", [OFFICER, FINANCE, VIEWER, ADMIN, LAMBETH_GRANTEE])
def test_a_demo_user_signs_in_and_is_named_on_the_page_they_land_on(browser, transaction, email):
    response = browser.sign_in(email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    # Grantees' home is their organisation's page: /home may send them on to it.
    home = browser.get("/home", follow_redirects=True)
    assert home.status_code == 200
    assert f"Signed in as {user(transaction, email).name}" in text_of(home)


def test_the_email_address_is_matched_whatever_its_case_and_surrounding_spaces(browser):
    response = browser.sign_in("  Officer@Demo.GOV.uk ")
    assert response.status_code == 302
    assert browser.get("/home").status_code == 200


def test_signing_in_records_when_the_user_last_signed_in(browser, transaction):
    officer = user(transaction, OFFICER_2)
    officer.last_signed_in_at = None
    transaction.flush()
    browser.sign_in(OFFICER_2)
    transaction.expire_all()
    assert user(transaction, OFFICER_2).last_signed_in_at is not None


def test_a_signed_in_user_signs_out_and_can_no_longer_see_signed_in_pages(signed_in):
    officer = signed_in(OFFICER)
    response = officer.post("/sign-out", form_page="/home")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert "You have been signed out" in text_of(officer.get("/sign-in"))
    home = officer.get("/home")
    assert home.status_code == 302
    assert home.headers["Location"].startswith("/sign-in")


def test_signing_out_needs_a_post_so_a_link_cannot_sign_someone_out(signed_in):
    officer = signed_in(OFFICER)
    assert officer.get("/sign-out").status_code == 405
    assert officer.get("/home").status_code == 200


def test_a_wrong_password_is_refused_and_the_user_stays_signed_out(browser):
    response = browser.sign_in(OFFICER, "not-the-password")
    assert response.status_code == 200
    page = text_of(response)
    assert WRONG_DETAILS in page
    assert title_of(response).startswith("Error: Sign in")
    assert browser.get("/home").status_code == 302


def test_an_unknown_email_gets_the_same_message_as_a_wrong_password(browser):
    response = browser.sign_in("nobody@demo.gov.uk", DEMO_PASSWORD)
    assert response.status_code == 200
    assert WRONG_DETAILS in text_of(response)


def test_the_password_is_never_sent_back_in_the_page(browser):
    response = browser.sign_in(OFFICER, "a-distinctive-wrong-password")
    body = response.get_data(as_text=True)
    assert "a-distinctive-wrong-password" not in body
    assert OFFICER in body  # the email is kept so it need not be typed again


def test_an_empty_form_asks_for_the_email_and_password(browser):
    response = browser.post("/sign-in", {"email": "", "password": ""})
    assert response.status_code == 200
    page = text_of(response)
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert title_of(response).startswith("Error: Sign in")


def test_an_inactive_user_cannot_sign_in(browser, transaction):
    user(transaction, FINANCE).active = False
    transaction.flush()
    response = browser.sign_in(FINANCE)
    assert response.status_code == 200
    assert WRONG_DETAILS in text_of(response)
    assert browser.get("/home").status_code == 302


def test_a_user_made_inactive_is_signed_out_on_their_next_page(signed_in, transaction):
    finance = signed_in(FINANCE)
    assert finance.get("/home").status_code == 200
    user(transaction, FINANCE).active = False
    transaction.flush()
    response = finance.get("/home")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


# --- the session -----------------------------------------------------------------------------


def test_the_session_cookie_is_httponly_samesite_lax_and_secure(browser):
    response = browser.sign_in(OFFICER)
    cookie = session_cookie(response)
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert "httponly" in attributes
    assert attributes["samesite"].strip() == "SameSite=Lax"
    assert "secure" in attributes


def test_signing_in_starts_a_new_session_with_nothing_carried_over(app, transaction):
    visitor = Browser(app.test_client())
    first_page = visitor.get("/sign-in")
    before = session_cookie(first_page)
    with visitor.client.session_transaction() as session:
        session["planted"] = "by someone else"
    signed = visitor.sign_in(OFFICER)
    assert session_cookie(signed) != before
    with visitor.client.session_transaction() as session:
        assert "planted" not in session
        first_sid = session["sid"]
    visitor.post("/sign-out", form_page="/home")
    visitor.sign_in(OFFICER)
    with visitor.client.session_transaction() as session:
        assert session["sid"] != first_sid


def test_a_form_posted_without_its_csrf_token_is_refused_kindly_and_nothing_is_saved(
    signed_in, transaction
):
    admin = signed_in(ADMIN)
    response = admin.client.post(
        "/team/invite",
        data={"email": "forged@demo.gov.uk", "name": "Forged", "role": "admin", "organisation": ""},
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Your form has expired" in page
    assert "Nothing was saved" in page
    assert user(transaction, "forged@demo.gov.uk") is None
    assert not transaction.scalar(
        select(func.count(Invitation.id)).where(Invitation.email == "forged@demo.gov.uk")
    )


def test_a_sign_in_without_its_csrf_token_is_refused_and_not_counted(browser, transaction):
    response = browser.client.post("/sign-in", data={"email": OFFICER, "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert "Your form has expired" in text_of(response)
    assert browser.get("/home").status_code == 302
    assert (
        transaction.scalar(
            select(func.count(SignInAttempt.id)).where(SignInAttempt.email == OFFICER)
        )
        == 0
    )


def test_a_csrf_token_from_another_session_is_refused(app, browser, transaction):
    other = Browser(app.test_client())
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', other.get("/sign-in").text)
    response = browser.client.post(
        "/sign-in", data={"csrf_token": token.group(1), "email": OFFICER, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 400
    assert "Your form has expired" in text_of(response)


# --- where sign-in leads ---------------------------------------------------------------------


def test_sign_in_returns_the_user_to_the_page_they_asked_for(browser):
    asked = browser.get("/streams")
    assert asked.status_code == 302
    sign_in_url = asked.headers["Location"]
    assert sign_in_url == "/sign-in?next=/streams"
    response = browser.post(sign_in_url, {"email": OFFICER, "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/streams"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/streams",
        "///evil.example",
        "https://evil.example",
        "http:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_sign_in_never_redirects_off_the_site(browser, target):
    response = browser.client.get("/sign-in", query_string={"next": target})
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text).group(1)
    signed = browser.client.post(
        "/sign-in",
        query_string={"next": target},
        data={"csrf_token": token, "email": OFFICER, "password": DEMO_PASSWORD},
    )
    assert signed.status_code == 302
    assert signed.headers["Location"] == "/home"


# --- the audit trail -------------------------------------------------------------------------


def test_every_sign_in_is_written_to_the_audit_trail(browser, transaction):
    officer = user(transaction, OFFICER)
    before = len(user_audit_events(transaction, "signed in", officer.id))
    browser.sign_in(OFFICER)
    recorded = user_audit_events(transaction, "signed in", officer.id)
    assert len(recorded) == before + 1
    assert recorded[-1].actor_id == officer.id
    assert recorded[-1].remote_address == "127.0.0.1"


def test_every_failed_sign_in_to_an_account_is_written_to_the_audit_trail(browser, transaction):
    officer = user(transaction, OFFICER)
    before = len(user_audit_events(transaction, "sign-in failed", officer.id))
    browser.sign_in(OFFICER, "not-the-password")
    browser.sign_in(OFFICER, "still-not-the-password")
    recorded = user_audit_events(transaction, "sign-in failed", officer.id)
    assert len(recorded) == before + 2
    assert recorded[-1].actor_id is None
    assert recorded[-1].after == {"email": OFFICER, "active": True}
    assert recorded[-1].remote_address == "127.0.0.1"


def test_a_failed_sign_in_to_an_unknown_email_is_stored_as_an_attempt(browser, transaction):
    browser.sign_in("nobody@demo.gov.uk", "anything-at-all")
    attempt = transaction.scalar(
        select(SignInAttempt).where(SignInAttempt.email == "nobody@demo.gov.uk")
    )
    assert attempt is not None
    assert attempt.succeeded is False
    assert attempt.remote_address == "127.0.0.1"
    audited = transaction.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "sign-in failed", AuditEvent.object_id.is_(None)
        )
    ).all()
    assert [event.after for event in audited][-1] == {"email": "nobody@demo.gov.uk"}


def test_signing_out_is_written_to_the_audit_trail(signed_in, transaction):
    officer = signed_in(OFFICER)
    officer_id = user(transaction, OFFICER).id
    before = len(user_audit_events(transaction, "signed out", officer_id))
    officer.post("/sign-out", form_page="/home")
    assert len(user_audit_events(transaction, "signed out", officer_id)) == before + 1


# --- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/streams", "/home", "/admin/users"])
def test_signed_in_pages_are_never_cached(signed_in, url):
    visitor = signed_in(ADMIN if url.startswith("/admin") else OFFICER)
    response = visitor.get(url)
    assert response.status_code == 200
    assert "no-store" in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/", "/sign-in", "/accessibility", "/no-such-page"])
def test_every_page_carries_the_security_headers(browser, url):
    response = browser.get(url)
    csp = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert any(source.startswith("'nonce-") for source in directives["script-src"])
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_each_page_gets_a_fresh_script_nonce(browser):
    def nonce():
        csp = browser.get("/sign-in").headers["Content-Security-Policy"]
        return re.search(r"'nonce-([^']+)'", csp).group(1)

    assert nonce() != nonce()


def test_https_responses_tell_browsers_to_keep_using_https(browser):
    response = browser.client.get("/sign-in", base_url="https://localhost")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in browser.get("/sign-in").headers


@pytest.mark.parametrize("url", ["/sign-in", "/no-such-page"])
def test_every_page_tells_browsers_to_send_no_path_to_other_sites(browser, url):
    assert browser.get(url).headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_the_policy_allows_no_inline_style_and_images_only_from_here_or_data(browser):
    """data: images are for the two-factor QR code, drawn on the server as an SVG."""
    csp = browser.get("/sign-in").headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["default-src"] == ["'self'"]


def test_signed_in_https_pages_carry_hsts_and_plain_http_ones_do_not(signed_in):
    officer = signed_in(OFFICER)
    secure = officer.client.get("/home", base_url="https://localhost")
    assert secure.status_code == 200
    assert "includeSubDomains" in secure.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in officer.get("/home").headers
