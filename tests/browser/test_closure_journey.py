"""Closing a grant through the screens (issue 15, item 3), after the delivery journey's offer,
acceptance and returns: the council's certifier finds the final return owed on their home page
and submits it (first with a mistake, refused beside the field, their answers kept); the officer
finds it to review and closes the grant, raising a recovery of what was paid but not spent
(first without the date to pay back by); finance finds the money to recover and records it
received, in part and then in full. Axe runs on every page.

The grant is the demo's Sheffield Trusted Relationship Fund grant (ended 31 March 2021), whose
returns are set to approved and £280,000 paid beforehand: the state a grant is closed in, which
no other browser test uses."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.browser.test_delivery_journey import at_home, queue
from tests.browser.test_officer_journey import fill_date
from tests.browser.test_return_journey import sign_out, success_banner
from tests.conftest import FINANCE, OFFICER

pytestmark = pytest.mark.browser

SHEFFIELD_TRF = "360G-HHT-DEMO-TRF-SHF"
CERTIFIER = "certifier@sheffield-city-council.demo.org.uk"
PAID_POUNDS = 280_000


@pytest.fixture
def ready_to_close(live_server):
    """Every return of the grant approved and £280,000 of it paid, as rows."""
    from sqlalchemy import select

    from tests.factories import approve_every_return
    from tracker.extensions import db
    from tracker.models import Allocation, Payment, PaymentStatus

    with live_server.app.app_context():
        grant = db.session.scalars(
            select(Allocation).where(Allocation.identifier == SHEFFIELD_TRF)
        ).one()
        approve_every_return(grant)
        db.session.add(
            Payment(
                allocation_id=grant.id,
                amount_pence=PAID_POUNDS * 100,
                status=PaymentStatus.PAID,
                paid_on=date(2021, 4, 30),
            )
        )
        db.session.commit()
        return grant.id, grant.title


def test_a_grant_is_closed_and_its_unspent_money_recovered(page, ready_to_close):
    _, title = ready_to_close
    page.set_viewport_size({"width": 1280, "height": 800})

    # 1. The certifier submits the final return: first with no lessons, then whole.
    at_home(page, CERTIFIER)
    queue(page, "final-returns-owed").get_by_role("link", name=f"Final return: {title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Final return: {title}")
    check_page(page)
    targets = page.locator("input[name^=target_]")
    for n in range(targets.count()):
        targets.nth(n).fill("25")
    page.get_by_label("Total spent on eligible costs over the whole grant").fill("250,000")
    page.get_by_label("Evidence").fill("The statement of grant expenditure, signed by the CFO")
    page.get_by_role("button", name="Submit the final return").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("#lessons-error")).to_contain_text("Enter the lessons learned")
    expect(page.get_by_label("Total spent on eligible costs over the whole grant")).to_have_value(
        "250,000"
    )
    check_page(page)
    page.get_by_label("Lessons learned").fill("Recruit trusted adults before referrals start")
    page.get_by_role("button", name="Submit the final return").click()
    expect(success_banner(page)).to_contain_text("Your final return has been submitted")
    check_page(page)
    sign_out(page)

    # 2. The officer closes the grant: £30,000 paid but not spent is to be recovered.
    at_home(page, OFFICER)
    queue(page, "final-returns").get_by_role("link", name=re.compile(re.escape(title))).click()
    expect(page.locator("#closure-money")).to_contain_text("£30,000.00")
    check_page(page)
    page.get_by_role("radio", name="Accept the final return and close the grant").check()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator("#due_on-error")).to_contain_text("Enter the date the money is to be")
    check_page(page)
    page.get_by_role("radio", name="Accept the final return and close the grant").check()
    due = date.today() + timedelta(days=60)
    fill_date(page, "Date to pay back by", str(due.day), str(due.month), str(due.year))
    page.get_by_role("button", name="Save the decision").click()
    expect(success_banner(page)).to_contain_text("a recovery has been raised")
    expect(page.locator("p:has(#closure-link)")).to_contain_text("(closed)")
    check_page(page)
    sign_out(page)

    # 3. Finance records the money received: £10,000, then the £20,000 left.
    at_home(page, FINANCE)
    queue(page, "recoveries").get_by_role("link", name=re.compile("£30,000.00")).click()
    check_page(page)
    for pounds, left in (("10,000", "£20,000.00"), ("20,000", "£0.00")):
        page.get_by_role("link", name="Record money received").click()
        check_page(page)
        page.get_by_label("Amount received").fill(pounds)
        today = date.today()
        fill_date(page, "Date received", str(today.day), str(today.month), str(today.year))
        page.get_by_role("button", name="Record it").click()
        expect(success_banner(page)).to_be_visible()
        expect(page.locator("#recovery")).to_contain_text(left)
        check_page(page)
    expect(page.locator("#recovery")).to_contain_text("Settled")
    page.get_by_role("link", name="Recoveries", exact=True).first.click()
    check_page(page)
