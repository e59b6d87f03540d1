"""News reaches the person who must act (issue 17 item 4), in a real browser and through a real
SMTP server on 127.0.0.1: an officer approves a return, which asks for its payment; the email
goes to finance; a finance officer finds it in their messages, follows it to the payment and
approves it. Each page is axe-clean."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import check_page, signed_in_as
from tests.conftest import FINANCE, FINANCE_2, OFFICER
from tests.integration.test_notifications import MailServer, free_port

pytestmark = pytest.mark.browser

MAIL_FROM = "grants-tracker@example.gov.uk"
SUBJECT = "A payment is waiting for approval"


@pytest.fixture
def mail_through(live_server):
    """The live server sends its mail to a real SMTP server for the test, then stops."""
    server = MailServer(free_port())
    server.start()
    config = live_server.app.config
    before = {key: config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_FROM")}
    config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_FROM=MAIL_FROM)
    try:
        yield server
    finally:
        config.update(before)
        server.stop()


def finance_officers(live_server) -> list[str]:
    from tracker.data import users as user_data
    from tracker.domain.roles import Role

    with live_server.app.app_context():
        return sorted(user.email for user in user_data.active_users_with_role(Role.FINANCE))


def submitted_return_with_spend(live_server) -> int:
    """A return of Southampton's, filled in, submitted and signed off through the services, with
    spend to pay: it waits for the officer's review."""
    from tests.conftest import SOUTHAMPTON_GRANTEE
    from tests.integration.test_notifications import (
        SOUTHAMPTON_CERTIFIER,
        actor,
        complete_every_section,
        first_return,
    )
    from tracker.extensions import db
    from tracker.models import MilestoneReturn, ReturnStatus
    from tracker.services import notices
    from tracker.services import returns as return_service

    # The grantee's side is not what this journey is about: no news of it.
    with live_server.app.app_context(), notices.silenced():
        milestone_return = db.session.scalars(
            select(MilestoneReturn).where(MilestoneReturn.id == first_return("GB-LAE-STH").id)
        ).one()
        if milestone_return.status != ReturnStatus.SUBMITTED:
            complete_every_section(milestone_return, SOUTHAMPTON_GRANTEE)
            return_service.submit(
                actor(SOUTHAMPTON_GRANTEE), milestone_return, declared_by_name="Gail Grantee"
            )
            return_service.sign_off(actor(SOUTHAMPTON_CERTIFIER), milestone_return, approve=True)
        return_id = milestone_return.id
        db.session.commit()
    return return_id


def test_a_payment_request_reaches_finance_by_email_and_in_their_messages(
    page, live_server, mail_through
):
    return_id = submitted_return_with_spend(live_server)

    signed_in_as(page, OFFICER)
    page.goto(f"/returns/{return_id}/review")
    page.get_by_role("radio", name="Approve the return").check()
    page.get_by_role("group", name="Your RAG rating of the project").get_by_role(
        "radio", name="Green: on track"
    ).check()
    page.get_by_role("button", name="Save decision").click()
    expect(page).to_have_url(re.compile(rf"/returns/{return_id}$"))
    page.get_by_role("button", name="Sign out").click()

    # The email went out through SMTP, to each finance officer (other tests on this live server
    # may have made more of them), and to nobody else.
    received = [r for r in mail_through.received() if r[1] == SUBJECT]
    assert sorted(to for to, _ in received) == finance_officers(live_server)
    assert {FINANCE, FINANCE_2} <= {to for to, _ in received}

    signed_in_as(page, FINANCE)
    page.goto("/account")
    page.get_by_role("link", name="See the messages sent to you").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your messages")
    news = page.locator("[data-message]").filter(has_text=SUBJECT).first
    expect(news).to_contain_text("Southampton City Council")
    expect(news).to_contain_text(f"{date.today().day} ")  # sent today
    check_page(page)
    news.get_by_role("link", name=re.compile("^Open")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment to Southampton City Council")
    check_page(page)
    page.get_by_role("button", name="Approve payment").click()
    page.get_by_role("button", name="Approve payment").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Payment approved")
    check_page(page)

    # The next finance officer, who may record it paid, hears that it is approved.
    assert (FINANCE_2, "A payment is approved and waiting to be paid") in mail_through.received()
