"""A grant's whole life through the screens only, from nothing to its unspent money recovered
(issue 15): the officer makes an allocation and sets up its delivery (project, targets,
milestone, schedule); a second officer finds it on their home page and approves and offers it;
money asked for before acceptance is refused, saying why; the council's certifier reads the
offer letter and accepts it; the grantee finds the generated return on theirs, fills and
submits it; the officer finds it to review; finance approves the payment and a second finance
officer records it paid; the certifier finds the final return owed and submits it; the officer
closes the grant, raising a recovery of what was paid but not spent; finance records the money
received, in part and then in full. Each person starts from their home page; where a form is
refused, the error is beside the field and the other answers are kept. Axe runs on every page
at 1280 pixels, and on each home page at 320 too."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page, sign_in
from tests.browser.test_officer_journey import fill_date
from tests.browser.test_return_journey import (  # noqa: F401 (a fixture)
    sign_out,
    small_pdf,
    success_banner,
    uploads_outside_instance,
)
from tests.conftest import FINANCE, FINANCE_2, OFFICER, OFFICER_2

pytestmark = pytest.mark.browser

STREAM = "CSA Support Services Transformation Fund"
ORGANISATION = "Bristol City Council"
GRANTEE = "grantee@bristol-city-council.demo.org.uk"
CERTIFIER = "certifier@bristol-city-council.demo.org.uk"
TITLE = "Journey test: support after sexual abuse in Bristol"
PROJECT = "Journey test: therapeutic group work"
MILESTONE = "First groups running"
PERIOD = "1 April 2020 to 30 June 2020"
RETURN_LINK = f"{ORGANISATION}: {PROJECT}, {PERIOD}"


def at_home(page, who: str) -> None:
    """Signs in and checks the home page, wide and narrow."""
    sign_in(page, who)
    expect(page.locator("#waiting-for-you")).to_be_visible()
    check_page(page)
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    check_page(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def queue(page, key: str):
    return page.locator(f"#queue-{key}")


def change_status(page, action: str) -> None:
    page.get_by_role("link", name="Change status").click()
    page.get_by_role("radio", name=action).check()
    check_page(page)
    page.get_by_role("button", name="Continue").click()
    expect(success_banner(page)).to_be_visible()


def milestone_id(live_server, title: str) -> int:
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Milestone

    with live_server.app.app_context():
        return db.session.scalars(select(Milestone.id).where(Milestone.title == title)).one()


def test_a_grant_made_in_the_service_lives_from_offer_to_money_recovered(
    page,
    live_server,
    tmp_path,
    uploads_outside_instance,  # noqa: F811
):
    page.set_viewport_size({"width": 1280, "height": 800})
    # 1. The officer makes the allocation.
    at_home(page, OFFICER)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Funding streams").click()
    page.get_by_role("link", name=STREAM).click()
    page.get_by_role("link", name="Allocate money").click()
    # The organisation picker: GOV.UK's accessible autocomplete, once it has replaced the select.
    page.locator("input#organisation").fill("Bristol")
    page.get_by_role("option", name=re.compile(ORGANISATION)).first.click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Amount awarded").fill("120000")
    fill_date(page, "Award date", "1", "4", "2020")
    fill_date(page, "Planned start date", "1", "4", "2020")
    fill_date(page, "Planned end date", "30", "6", "2020")  # one quarter: one return
    page.get_by_role("button", name="Save as draft").click()
    expect(success_banner(page)).to_contain_text("saved as a draft")
    allocation_url = page.url

    # 2. ...and sets up its delivery from the task list.
    page.get_by_role("link", name=re.compile("^Set up delivery")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up delivery")
    check_page(page)
    page.get_by_role("link", name="Add the first project").click()
    page.get_by_label("Project title").fill(PROJECT)
    page.get_by_label("Summary").fill("Weekly therapeutic groups for young people.")
    page.get_by_label("Intervention type").fill("Therapeutic group work")
    page.get_by_role("radio", name="Promising").check()
    page.get_by_label("Location").fill("Bristol")
    check_page(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Targets for this project")
    targets = page.locator("form input[name^=indicator_]")
    for n in range(targets.count()):
        targets.nth(n).fill("25")
    check_page(page)
    page.get_by_role("button", name="Save targets").click()
    page.get_by_role("link", name=f"Milestones for {PROJECT}").click()
    page.get_by_label("What will be delivered").fill(MILESTONE)
    fill_date(page, "Milestone date", "30", "6", "2020")
    page.get_by_label("Payment when it is delivered (optional)").fill("5000")
    check_page(page)
    page.get_by_role("button", name="Add milestone").click()
    page.get_by_role("link", name="Reporting schedule").click()
    fill_date(page, "Reporting starts", "1", "4", "2020")
    page.get_by_label("Working days after each period ends that a return is due").fill("20")
    check_page(page)
    page.get_by_role("button", name="Save schedule").click()
    statuses = page.locator(".govuk-task-list__status")
    expect(statuses).to_have_text(["Completed"] * 4)
    check_page(page)
    sign_out(page)

    # 3. The second officer finds it waiting for them, and approves and offers it.
    at_home(page, OFFICER_2)
    queue(page, "to-approve").get_by_role("link", name=f"£120,000.00 to {ORGANISATION}").click()
    expect(page).to_have_url(allocation_url)
    change_status(page, "Approve and offer")
    page.get_by_role("link", name="The grant offer letter").click()
    expect(page.locator("#offer-waiting")).to_be_visible()
    check_page(page)
    # Money follows acceptance: recording the milestone as done (its page is not linked before
    # the grant is active, so it is typed) asks for its payment, and is refused, saying why.
    page.goto(f"/milestones/{milestone_id(live_server, MILESTONE)}/complete")
    page.get_by_role("button", name="Record as completed").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"No payment can be requested until {ORGANISATION}"
    )
    check_page(page)
    sign_out(page)

    # 3a. The council's certifier reads the offer letter and accepts it: first without the
    # declaration (refused, beside the field, the name kept), then properly.
    sign_in(page, CERTIFIER)
    page.goto(allocation_url.replace("/allocations/", "/organisation/allocations/"))
    page.get_by_role("link", name="Read the offer and accept it").click()
    expect(page.locator("#offer-letter")).to_contain_text("£120,000.00")
    fingerprint = page.locator("#offer-sha256").inner_text()
    assert len(fingerprint) == 64
    check_page(page)
    page.get_by_label("Your full name").fill("Chris Certifier")
    page.get_by_label("Your job title").fill("Chief finance officer")
    page.get_by_role("button", name="Accept the offer").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.get_by_label("Your full name")).to_have_value("Chris Certifier")
    check_page(page)
    page.get_by_label("I am authorised to accept this offer").check()
    page.get_by_role("button", name="Accept the offer").click()
    expect(success_banner(page)).to_be_visible()
    page.get_by_role("link", name="The grant offer letter").click()
    expect(page.locator("#offer-accepted")).to_contain_text(
        "Chris Certifier, Chief finance officer"
    )
    assert page.locator("#offer-sha256").inner_text() == fingerprint
    check_page(page)
    sign_out(page)

    # 3b. The second officer makes it active.
    sign_in(page, OFFICER_2)
    page.goto(allocation_url)
    change_status(page, "Make active")
    expect(page.get_by_text("Active").first).to_be_visible()
    sign_out(page)

    # 4. The grantee finds the generated return on their home page and fills it in.
    at_home(page, GRANTEE)
    queue(page, "overdue").get_by_role("link", name=RETURN_LINK).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Return for {PERIOD}")
    check_page(page)

    def section(name: str) -> None:
        page.get_by_role("link", name=name, exact=True).click()
        check_page(page)

    def save() -> None:
        page.get_by_role("button", name="Save and return to the task list").click()
        expect(success_banner(page)).to_be_visible()

    section("Spend in the period")
    page.get_by_label("Staff").fill("1000")
    for category in ("Delivery", "Overheads", "Capital"):
        page.get_by_label(category).fill("0")
    save()
    section("Forecast of remaining spend")
    boxes = page.locator("form").get_by_role("textbox")
    for n in range(boxes.count()):
        boxes.nth(n).fill("1000")
    save()
    section("Outputs")
    boxes = page.locator("form").get_by_role("textbox")
    for n in range(boxes.count()):
        boxes.nth(n).fill("3")
    save()
    section("Milestones")
    page.get_by_role("group", name=f"Has “{MILESTONE}” been completed?").get_by_role(
        "radio", name="Yes"
    ).check()
    page.get_by_label(re.compile(r"Progress on “")).fill("Two groups running.")
    save()
    section("Progress and risks")
    page.get_by_label("What progress was made in this period?").fill("Two groups started.")
    page.get_by_label("What are the risks to delivery").fill("Referrals are slow.")
    save()
    section("Overall status (RAG)")
    page.get_by_role("radio", name="Green: on track").check()
    save()
    section("Evidence")
    evidence = tmp_path / "register.pdf"
    evidence.write_bytes(small_pdf())
    page.get_by_label("Upload a file").set_input_files(evidence)
    page.get_by_role("button", name="Upload file").click()
    expect(success_banner(page)).to_contain_text("register.pdf has been uploaded")
    page.get_by_role("button", name="Mark this section as done").click()
    page.get_by_role("button", name="Check your answers and submit").click()
    check_page(page)
    page.get_by_label("Your full name").fill("Sam Example")
    page.get_by_role("checkbox", name=re.compile(r"^I confirm that the information")).check()
    page.get_by_role("button", name="Submit the return").click()
    expect(page.locator("#return-status")).to_have_text("Submitted")
    sign_out(page)

    # 5. The officer finds it to review on their home page, and approves it.
    at_home(page, OFFICER)
    queue(page, "to-review").get_by_role("link", name=RETURN_LINK).click()
    page.get_by_role("button", name="Review this return").click()
    check_page(page)
    page.get_by_role("radio", name="Approve the return").check()
    page.get_by_role("group", name="Your RAG rating of the project").get_by_role(
        "radio", name="Green: on track"
    ).check()
    page.get_by_role("button", name="Save decision").click()
    expect(success_banner(page)).to_contain_text("Return approved")
    sign_out(page)

    # 6. Finance finds the payment from their home page, approves it and records it paid.
    at_home(page, FINANCE)
    waiting = queue(page, "payments-to-approve")
    mine = waiting.get_by_role("link", name=f"£1,000.00 to {ORGANISATION}")
    if mine.count() == 0:  # more than the first few are waiting: the whole list, newest first
        waiting.get_by_role("link", name=re.compile("^See all")).click()
        check_page(page)
        page.get_by_role("row").filter(has_text=PROJECT).get_by_role("link").first.click()
    else:
        mine.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Payment to {ORGANISATION}")
    expect(page.locator(".govuk-summary-list")).to_contain_text(PROJECT)
    page.get_by_role("button", name="Approve payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the payment before you approve it"
    )
    check_page(page)
    page.get_by_role("button", name="Approve payment").click()
    expect(success_banner(page)).to_contain_text("Payment approved")
    # The approver may not record it as paid: requester, approver and payer are three people.
    expect(page.get_by_role("button", name="Record it as paid")).to_have_count(0)

    # 7. A second finance officer finds it waiting to be paid and records it.
    at_home(page, FINANCE_2)
    to_pay = queue(page, "payments-to-pay")
    mine = to_pay.get_by_role("link", name=f"£1,000.00 to {ORGANISATION}")
    if mine.count() == 0:
        to_pay.get_by_role("link", name=re.compile("^See all")).click()
        check_page(page)
        page.get_by_role("row").filter(has_text=PROJECT).get_by_role("link").first.click()
    else:
        mine.first.click()
    page.get_by_role("button", name="Record it as paid").click()
    today = date.today()
    fill_date(page, "Date paid", str(today.day), str(today.month), str(today.year))
    page.get_by_label("Payment reference").fill("BACS-JOURNEY-1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check before you record the payment as paid"
    )
    check_page(page)
    page.get_by_role("button", name="Record as paid").click()
    expect(success_banner(page)).to_contain_text("Payment marked as paid")
    check_page(page)
    sign_out(page)

    # 8. The council's certifier finds the final return owed (the grant ended on 30 June 2020)
    # and submits it: first with no lessons, refused beside the field and the rest kept.
    at_home(page, CERTIFIER)
    queue(page, "final-returns-owed").get_by_role("link", name=f"Final return: {TITLE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Final return: {TITLE}")
    check_page(page)
    targets = page.locator("input[name^=target_]")
    for n in range(targets.count()):
        targets.nth(n).fill("20")
    spent = page.get_by_label("Total spent on eligible costs over the whole grant")
    spent.fill("800")
    page.get_by_label("Evidence").fill("The statement of grant expenditure, signed by the CFO")
    statement = tmp_path / "statement.pdf"
    statement.write_bytes(small_pdf())
    page.get_by_label("Attach a file (optional)").set_input_files(statement)
    page.get_by_role("button", name="Submit the final return").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("#lessons-error")).to_contain_text("Enter the lessons learned")
    expect(spent).to_have_value("800")
    expect(page.locator("#file-hint")).to_contain_text("Choose the file again")
    check_page(page)
    page.get_by_label("Lessons learned").fill("Book group rooms before referrals start")
    page.get_by_label("Attach a file (optional)").set_input_files(statement)
    page.get_by_role("button", name="Submit the final return").click()
    expect(success_banner(page)).to_contain_text("Your final return has been submitted")
    check_page(page)
    sign_out(page)

    # 9. The officer finds it to review and closes the grant: of the £1,000 paid, £800 was
    # spent on eligible costs, so £200 is to be recovered (first without the date to pay by).
    at_home(page, OFFICER)
    queue(page, "final-returns").get_by_role("link", name=re.compile(re.escape(TITLE))).click()
    expect(page.locator("#closure-money")).to_contain_text("£200.00")
    expect(page.locator("#final-return-files")).to_contain_text("statement.pdf")
    check_page(page)
    close = page.get_by_role("radio", name="Accept the final return and close the grant")
    close.check()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator("#due_on-error")).to_contain_text("Enter the date the money is to be")
    check_page(page)
    close.check()
    due = date.today() + timedelta(days=60)
    fill_date(page, "Date to pay back by", str(due.day), str(due.month), str(due.year))
    page.get_by_role("button", name="Save the decision").click()
    expect(success_banner(page)).to_contain_text("a recovery has been raised")
    expect(page.locator("p:has(#closure-link)")).to_contain_text("(closed)")
    check_page(page)
    sign_out(page)

    # 10. Finance finds the money to recover and records it received: £50, then the £150 left.
    at_home(page, FINANCE)
    queue(page, "recoveries").get_by_role("link", name=re.compile(r"£200\.00")).click()
    check_page(page)
    for pounds, left in (("50", "£150.00"), ("150", "£0.00")):
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
