"""The forgotten-password journey and following an invitation, in a real browser: from the
sign-in page, ask for a link, follow the emailed link (read from the outbox, as the email would
carry it), choose a new password and sign in with it. Every page is axe-clean at desktop and
phone widths."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page, sign_in
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "copper meadow violin atlas"  # noqa: S105


def make_user(live_server, email: str) -> None:
    """A user of the test's own, so no other test's password changes."""
    from tracker.data import users as user_data
    from tracker.extensions import db
    from tracker.models import Role
    from tracker.services import users as user_service
    from tracker.services.audit import SYSTEM

    with live_server.app.app_context():
        if user_data.user_by_email(email) is None:
            user_service.create_user(
                SYSTEM,
                email=email,
                name="Fran Forgetful",
                role=Role.FINANCE,
                password=DEMO_PASSWORD,
            )
            db.session.commit()


def emailed_link(live_server, email: str) -> str:
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import OutboxMessage

    with live_server.app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.to_address == email, OutboxMessage.kind == "password reset")
            .order_by(OutboxMessage.id.desc())
        ).first()
    return re.search(r"https?://[^/\s]+(/sign-in/reset-password\?token=\S+)", body).group(1)


@pytest.mark.parametrize("width", [1280, 320])
def test_someone_who_forgot_their_password_resets_it_by_email_and_signs_in(
    page, watch, live_server, width
):
    watch.allow(r"status of 404")  # the used link, at the end
    email = f"forgetful.{width}@demo.gov.uk"
    make_user(live_server, email)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    check_page(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    check_page(page)

    link = emailed_link(live_server, email)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    check_page(page)
    page.get_by_label("New password", exact=True).fill("too short")
    page.get_by_label("Confirm new password").fill("too short")
    page.get_by_role("button", name="Reset password").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_page(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_text("Your password has been reset")).to_be_visible()

    sign_in(page, email, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")

    page.goto(link)  # used once: the link says so
    expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")


@pytest.mark.parametrize("width", [1280, 320])
def test_the_invitation_page_is_accessible_and_sets_the_persons_own_password(
    page, live_server, width
):
    """Following an emailed invitation (read from the outbox), at desktop and phone widths."""
    from sqlalchemy import select

    from tracker.data import users as user_data
    from tracker.extensions import db
    from tracker.infrastructure import clock
    from tracker.models import OutboxMessage, Role
    from tracker.services import invitations
    from tracker.services.audit import Actor

    email = f"invited.{width}@demo.gov.uk"
    with live_server.app.test_request_context(method="POST"):
        invitations.invite(
            Actor(user_data.user_by_email("admin@demo.gov.uk"), "test"),
            email=email,
            name="Ines Invited",
            role=Role.VIEWER,
            organisation=None,
            now=clock.now(),
            link_for=lambda token: f"http://localhost/invitation?token={token}",
        )
        db.session.commit()
        body = db.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.to_address == email)
        ).one()
    link = re.search(r"http://localhost(/invitation\?token=\S+)", body).group(1)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    check_page(page)
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_page(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your account is ready")).to_be_visible()
    sign_in(page, email, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
