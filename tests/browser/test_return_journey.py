"""A quarterly return goes all the way round, in a real browser, through the pages each person
would use: the Lambeth grantee fills every section of a Social workers in schools return
(getting the spend wrong once), uploads a PDF and submits it; their certifier signs it off; an
officer sends it back with reasons; the grantee answers and resubmits; the certifier signs it
off again; the officer approves it; finance approves and pays the payment it asked for; and the
grantee sees the return approved and the payment paid. Every page is checked with axe.

The live server's database is shared by every browser test, so the return is the earliest one
of the allocation that nobody has started yet, and everything after is found from it."""

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page, sign_in
from tests.conftest import FINANCE, FINANCE_2, LAMBETH_GRANTEE, OFFICER

pytestmark = pytest.mark.browser

ORGANISATION = "London Borough of Lambeth"
CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"
ALLOCATION = "Social workers in Lambeth schools (illustrative)"
STREAM = "Social workers in schools"

# What the grantee types, and how the service shows it back. A total no other test uses, so
# the payment it asks for is easy to tell apart (the return link on it is still checked).
SPEND = {"Staff": "1,234.56", "Delivery": "500", "Overheads": "99.44", "Capital": "0"}
SPEND_SHOWN = {
    "Staff": "£1,234.56",
    "Delivery": "£500.00",
    "Overheads": "£99.44",
    "Capital": "£0.00",
}
TOTAL_SHOWN = "£1,834.00"
OUTPUTS = {
    "Schools with a placed social worker (schools)": "4",
    "Children supported (children)": "37",
    "Referrals made to children's social care (referrals)": "6",
}
NARRATIVE = "Four social workers placed in Lambeth secondary schools; 37 children supported."
RISKS = "Recruitment for the fifth school is slow; we are advertising again."
REASONS = "The staff spend looks high for one quarter: say how many posts it paid for."
ANSWER = "It paid for four full-time posts for the whole quarter, as the payroll summary shows."
DECLARED_BY = "Alex Example"
PAYMENT_REFERENCE = "BACS-LBH-SWIS-0001"
SECTIONS = [
    "Spend in the period",
    "Forecast of remaining spend",
    "Outputs",
    "Milestones",
    "Progress and risks",
    "Overall status (RAG)",
    "Evidence",
]


def screenshot(page, name: str) -> None:
    """With BROWSER_SCREENSHOTS=<directory>, keep a picture of the page to look at."""
    directory = os.environ.get("BROWSER_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


def govuk_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def small_pdf() -> bytes:
    """A real one-page PDF (header, objects, cross-reference table with true offsets)."""
    stream = b"BT /F1 12 Tf 72 720 Td (Payroll summary, illustrative) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@dataclass(frozen=True)
class ChosenReturn:
    id: int
    period_start: date
    period_end: date

    @property
    def period(self) -> str:
        return f"{govuk_date(self.period_start)} to {govuk_date(self.period_end)}"

    @property
    def heading(self) -> str:
        return f"Return for {self.period}"

    @property
    def expected_pence_shown(self) -> str:
        """The allocation's profile for the financial year (£225,000 in each), shared equally
        between the quarters of that year it runs through: three in 2020-21 (it starts in
        September 2020), four in 2021-22."""
        first_year = self.period_start.year - (self.period_start.month < 4)
        return {2020: "£75,000.00", 2021: "£56,250.00"}[first_year]


def earliest_not_started(app) -> ChosenReturn:
    """The earliest return of the allocation that is still not started. The grantee's tables
    show an overdue return as Overdue, hiding its status, so the choice is made here."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Allocation, MilestoneReturn, Project, ReturnStatus

    with app.app_context():
        found = db.session.execute(
            select(MilestoneReturn.id, MilestoneReturn.period_start, MilestoneReturn.period_end)
            .join(Project, MilestoneReturn.project_id == Project.id)
            .join(Allocation, Project.allocation_id == Allocation.id)
            .where(
                Allocation.title == ALLOCATION,
                MilestoneReturn.status == ReturnStatus.NOT_STARTED,
            )
            .order_by(MilestoneReturn.period_start, MilestoneReturn.id)
            .limit(1)
        ).first()
    if found is None:
        pytest.fail(f"No return of {ALLOCATION!r} is still not started")
    return ChosenReturn(*found)


# --- what every signed-in person does ---------------------------------------------------------


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have been signed out")
    check_page(page)


def summary_value(scope, key: str):
    """The value beside `key` in a GOV.UK summary list inside `scope`."""
    row = scope.locator(".govuk-summary-list__row").filter(
        has=scope.page.locator(".govuk-summary-list__key").get_by_text(key, exact=True)
    )
    return row.locator(".govuk-summary-list__value")


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


def expect_status(page, status: str) -> None:
    expect(page.locator("#return-status")).to_have_text(status)


def open_return_as_grantee(page, chosen: ChosenReturn) -> None:
    """From the organisation page, through the allocation, to the return (both the grantee and
    the certifier go this way)."""
    expect(page).to_have_url(re.compile(r"/organisation$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ORGANISATION)
    check_page(page)
    page.get_by_role("table", name="Your grants").get_by_role("link", name=ALLOCATION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ALLOCATION)
    check_page(page)
    page.get_by_role("table", name="Returns").get_by_role("link", name=chosen.period).click()
    expect(page).to_have_url(re.compile(rf"/returns/{chosen.id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(chosen.heading)
    expect(page.get_by_text(f"{ORGANISATION}: {ALLOCATION}")).to_be_visible()


def task(page, name: str):
    """One row of the task list, by the name of its section."""
    return page.locator(".govuk-task-list__item").filter(
        has=page.get_by_role("link", name=name, exact=True)
    )


def open_section(page, name: str, heading: str | None = None) -> None:
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading or name)
    expect(page.get_by_role("link", name="Back to the return")).to_be_visible()
    check_page(page)


def save_section(page, chosen: ChosenReturn, banner: str, section: str) -> None:
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page).to_have_url(re.compile(rf"/returns/{chosen.id}$"))
    expect(success_banner(page)).to_contain_text(banner)
    expect(task(page, section).locator(".govuk-task-list__status")).to_have_text("Completed")
    check_page(page)


def open_in_returns_queue(page, chosen: ChosenReturn) -> None:
    """An officer: the Returns queue (submitted returns by default), narrowed to the stream."""
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Returns", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Returns")
    expect(page.get_by_label("Status")).to_have_value("submitted")
    check_page(page)
    page.get_by_label("Stream").select_option(label=STREAM)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_label("Stream")).to_have_value(re.compile(r"^\d+$"))
    check_page(page)
    # The visually hidden part is absolutely positioned, so a space may come before its colon.
    link = page.get_by_role(
        "link",
        name=re.compile(rf"^{ORGANISATION}\s*: return for {govuk_date(chosen.period_start)}$"),
    )
    row = page.get_by_role("row").filter(has=link)
    expect(row).to_contain_text(chosen.period)
    expect(row).to_contain_text("Submitted")
    link.click()
    expect(page).to_have_url(re.compile(rf"/returns/{chosen.id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(chosen.heading)
    expect_status(page, "Submitted")
    check_page(page)


def open_review(page, chosen: ChosenReturn) -> None:
    page.get_by_role("button", name="Review this return").click()
    expect(page).to_have_url(re.compile(rf"/returns/{chosen.id}/review$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Review this return")
    variance = page.get_by_role("table", name="Spend against plan")
    expect(variance).to_be_visible()
    profile = variance.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Against the allocation's profile")
    )
    expect(profile.get_by_role("cell")).to_have_text(
        [
            TOTAL_SHOWN,
            chosen.expected_pence_shown,
            re.compile(r"^-9\d\.\d%\s*More than 10% off plan$"),
        ]
    )
    expect(summary_value(page.locator("#answers-spend"), "Total")).to_have_text(TOTAL_SHOWN)
    expect(page.get_by_role("link", name="payroll-summary.pdf")).to_be_visible()
    check_page(page)


def certifier_signs_off(page, chosen: ChosenReturn) -> None:
    sign_in(page, CERTIFIER)
    expect(page.get_by_text("Signed in as")).to_contain_text(f": grantee certifier, {ORGANISATION}")
    open_return_as_grantee(page, chosen)
    expect_status(page, "Awaiting sign-off")
    check_page(page)
    page.get_by_role("button", name="Sign off or send back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign off this return")
    expect(summary_value(page.locator("#answers-spend"), "Total")).to_have_text(TOTAL_SHOWN)
    check_page(page)
    page.get_by_role("radio", name="Yes, sign it off and send it to the department").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(rf"/returns/{chosen.id}$"))
    expect(success_banner(page)).to_contain_text("Return signed off and sent to the department")
    expect_status(page, "Submitted")
    expect(page.get_by_role("button", name="Sign off or send back")).to_have_count(0)
    check_page(page)
    sign_out(page)


def check_and_submit(page, chosen: ChosenReturn) -> None:
    page.get_by_role("button", name="Check your answers and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before you submit"
    )
    expect(page.locator("#missing-sections")).to_have_count(0)
    spend = page.locator("#answers-spend")
    for category, shown in SPEND_SHOWN.items():
        expect(summary_value(spend, category)).to_have_text(shown)
    expect(summary_value(spend, "Total")).to_have_text(TOTAL_SHOWN)
    expect(page.get_by_text(NARRATIVE)).to_be_visible()
    expect(page.get_by_role("link", name="payroll-summary.pdf")).to_be_visible()
    expect(
        page.get_by_text("your organisation's certifier will be asked to sign the return off")
    ).to_be_visible()
    check_page(page)
    screenshot(page, "return-check-answers")
    page.get_by_label("Your full name").fill(DECLARED_BY)
    page.get_by_role("checkbox", name=re.compile(r"^I confirm that the information")).check()
    page.get_by_role("button", name="Submit the return").click()
    expect(page).to_have_url(re.compile(rf"/returns/{chosen.id}$"))
    expect(success_banner(page)).to_contain_text("Return sent to your certifier to sign off")
    expect_status(page, "Awaiting sign-off")
    # Frozen for the grantee now: no task list, no way to submit again.
    expect(page.get_by_role("button", name="Check your answers and submit")).to_have_count(0)
    check_page(page)


# --- the journey ------------------------------------------------------------------------------


@pytest.fixture
def uploads_outside_instance(live_server, tmp_path_factory):
    """Evidence uploaded here goes to a temporary folder, not the developer's instance folder.
    It is not put back afterwards: the database (and its rows naming these files) lives for the
    whole run, and later tests (the crawl) follow the download links."""
    from tracker.config import INSTANCE_PATH

    if live_server.app.config["UPLOAD_FOLDER"] == str(INSTANCE_PATH / "uploads"):
        live_server.app.config["UPLOAD_FOLDER"] = str(tmp_path_factory.mktemp("uploads"))


def test_a_return_is_drafted_signed_off_sent_back_approved_and_paid(
    page, live_server, tmp_path, uploads_outside_instance
):
    chosen = earliest_not_started(live_server.app)
    evidence = tmp_path / "payroll-summary.pdf"
    evidence.write_bytes(small_pdf())
    today = date.today()

    # 1. The grantee signs in and lands on their organisation's page.
    sign_in(page, LAMBETH_GRANTEE)
    expect(page.get_by_text("Signed in as")).to_contain_text(f": grantee user, {ORGANISATION}")
    open_return_as_grantee(page, chosen)
    expect_status(page, "Not started")
    for section in SECTIONS:
        expect(task(page, section).locator(".govuk-task-list__status")).to_have_text("Incomplete")
    check_page(page)

    # Spend: a negative amount first.
    open_section(page, "Spend in the period")
    expect(page.get_by_text(f"What you spent from {chosen.period}, in pounds.")).to_be_visible()
    page.get_by_label("Staff").fill("-100")
    for category in ("Delivery", "Overheads", "Capital"):
        page.get_by_label(category).fill(SPEND[category])
    page.get_by_role("button", name="Save and return to the task list").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: Spend in the period"))
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_be_focused()
    message = "The spend on staff must be £0 or more"
    expect(summary.get_by_role("link")).to_have_text([message])
    expect(page.locator("#staff-error")).to_contain_text(message)
    expect(page.get_by_label("Staff")).to_have_value("-100")
    expect(page.get_by_label("Delivery")).to_have_value(SPEND["Delivery"])
    check_page(page)
    summary.get_by_role("link", name=message).click()
    expect(page.get_by_label("Staff")).to_be_focused()
    # Put it right.
    page.get_by_label("Staff").fill(SPEND["Staff"])
    save_section(page, chosen, "Spend saved", "Spend in the period")
    expect_status(page, "Draft")

    # Forecast: every later quarter (none, if this is the last).
    open_section(page, "Forecast of remaining spend")
    quarters = page.locator("form").get_by_role("textbox")
    for n in range(quarters.count()):
        quarters.nth(n).fill("20000")
    save_section(page, chosen, "Forecast saved", "Forecast of remaining spend")

    open_section(page, "Outputs")
    for label, value in OUTPUTS.items():
        page.get_by_label(label).fill(value)
    save_section(page, chosen, "Outputs saved", "Outputs")

    # Milestones: the quarter's milestone is due in it.
    open_section(page, "Milestones")
    questions = page.get_by_role("group", name=re.compile(r"^Has “.+” been completed\?$"))
    expect(questions).to_have_count(1)
    questions.get_by_role("radio", name="Yes").check()
    page.get_by_label(re.compile(r"Progress on “")).fill("Delivered as planned.")
    save_section(page, chosen, "Milestones saved", "Milestones")

    open_section(page, "Progress and risks")
    page.get_by_label("What progress was made in this period?").fill(NARRATIVE)
    page.get_by_label("What are the risks to delivery").fill(RISKS)
    save_section(page, chosen, "Progress and risks saved", "Progress and risks")

    open_section(page, "Overall status (RAG)")
    page.get_by_role("radio", name="Green: on track").check()
    save_section(page, chosen, "Overall status saved", "Overall status (RAG)")

    # Evidence: a real PDF, listed once uploaded, then the section marked as done.
    open_section(page, "Evidence")
    expect(page.get_by_role("table", name="Files uploaded")).to_have_count(0)
    page.get_by_label("Upload a file").set_input_files(evidence)
    page.get_by_role("button", name="Upload file").click()
    expect(success_banner(page)).to_contain_text("payroll-summary.pdf has been uploaded")
    files = page.get_by_role("table", name="Files uploaded")
    expect(files.get_by_role("link", name="payroll-summary.pdf")).to_be_visible()
    expect(files.get_by_role("button", name="Remove payroll-summary.pdf")).to_be_visible()
    expect(files).to_contain_text(f"{round(evidence.stat().st_size / 1024, 1)} KB")
    check_page(page)
    page.get_by_role("button", name="Mark this section as done").click()
    expect(page).to_have_url(re.compile(rf"/returns/{chosen.id}$"))
    expect(success_banner(page)).to_contain_text("Evidence section marked as done")
    for section in SECTIONS:
        expect(task(page, section).locator(".govuk-task-list__status")).to_have_text("Completed")
    check_page(page)
    screenshot(page, "return-task-list")

    check_and_submit(page, chosen)
    sign_out(page)

    # 2. The certifier signs it off.
    certifier_signs_off(page, chosen)

    # 3. The officer finds it, reviews it and sends it back.
    sign_in(page, OFFICER)
    expect(page).to_have_url(re.compile(r"/home$"))
    check_page(page)
    open_in_returns_queue(page, chosen)
    open_review(page, chosen)
    screenshot(page, "return-review")
    page.get_by_role("radio", name="Send it back for changes").check()
    page.get_by_role("group", name="Your RAG rating of the project").get_by_role(
        "radio", name="Amber: some problems, in hand"
    ).check()
    page.get_by_label("Reasons").fill(REASONS)
    page.get_by_role("button", name="Save decision").click()
    expect(page).to_have_url(re.compile(rf"/returns/{chosen.id}$"))
    expect(success_banner(page)).to_contain_text(
        "Return sent back to the grantee with your reasons"
    )
    expect_status(page, "Changes requested")
    history = page.locator("#review-history")
    expect(history.get_by_role("listitem").first).to_contain_text(
        "asked for changes to this return, rating it amber"
    )
    expect(history.get_by_role("listitem").first).to_contain_text(REASONS)
    check_page(page)
    sign_out(page)

    # 4. The grantee sees the reasons, answers them and resubmits.
    sign_in(page, LAMBETH_GRANTEE)
    open_return_as_grantee(page, chosen)
    expect_status(page, "Changes requested")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        f"The department sent this return back: {REASONS}"
    )
    answer = task(page, "Your answer to the department")
    expect(answer.locator(".govuk-task-list__status")).to_have_text("Incomplete")
    for section in SECTIONS:
        expect(task(page, section).locator(".govuk-task-list__status")).to_have_text("Completed")
    check_page(page)
    open_section(page, "Your answer to the department")
    expect(page.locator("#review-history")).to_contain_text(REASONS)
    page.get_by_label("Your answer to the department").fill(ANSWER)
    save_section(page, chosen, "Your answer has been saved", "Your answer to the department")
    check_and_submit(page, chosen)
    sign_out(page)

    certifier_signs_off(page, chosen)

    # 5. The officer approves it; its payment is requested.
    sign_in(page, OFFICER)
    open_in_returns_queue(page, chosen)
    open_review(page, chosen)
    expect(page.get_by_role("heading", name="The grantee's answer")).to_be_visible()
    expect(page.get_by_text(ANSWER)).to_be_visible()
    expect(page.locator("#review-history")).to_contain_text(REASONS)
    page.get_by_role("radio", name="Approve the return").check()
    page.get_by_role("group", name="Your RAG rating of the project").get_by_role(
        "radio", name="Green: on track"
    ).check()
    page.get_by_role("button", name="Save decision").click()
    expect(page).to_have_url(re.compile(rf"/returns/{chosen.id}$"))
    expect(success_banner(page)).to_contain_text("Return approved")
    expect_status(page, "Approved")
    expect(page.get_by_role("button", name="Review this return")).to_have_count(0)
    expect(page.get_by_role("link", name="Move the due date")).to_have_count(0)
    check_page(page)
    sign_out(page)

    # 6. Finance finds the payment, approves it and records it as paid.
    sign_in(page, FINANCE)
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Payments", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments")
    expect(page.get_by_label("Status")).to_have_value("requested")
    check_page(page)
    # Requested payments to Lambeth of this amount: open each until one pays for this return.
    candidates = (
        page.get_by_role("row")
        .filter(has_text=ORGANISATION)
        .filter(has_text=STREAM)
        .filter(has_text=TOTAL_SHOWN)
    )
    expect(candidates.first).to_contain_text("Requested")
    for n in range(candidates.count()):
        candidates.nth(n).get_by_role("link", name=re.compile(rf"^{ORGANISATION}")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Payment to {ORGANISATION}")
        paid_for = page.get_by_role("link", name="See the return this pays for")
        if (paid_for.get_attribute("href") or "").endswith(f"/returns/{chosen.id}"):
            break
        check_page(page)
        page.go_back()
    else:
        pytest.fail(f"No requested payment of {TOTAL_SHOWN} pays for return {chosen.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Payment to {ORGANISATION}")
    details = page.locator(".govuk-summary-list")
    expect(summary_value(details, "Amount")).to_have_text(TOTAL_SHOWN)
    expect(summary_value(details, "Status")).to_have_text("Requested")
    expect(summary_value(details, "For")).to_have_text(re.compile(r"^\s*The return for "))
    expect(summary_value(details, "Approved")).to_have_text("Not yet")
    check_page(page)
    page.get_by_role("button", name="Approve payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the payment before you approve it"
    )
    check_page(page)
    page.get_by_role("button", name="Approve payment").click()
    expect(success_banner(page)).to_contain_text("Payment approved")
    expect(summary_value(details, "Status")).to_have_text("Approved")
    # The server's clock: the day the journey began, or the next if it ran past midnight.
    days = "|".join(re.escape(govuk_date(d)) for d in (today, date.today()))
    expect(summary_value(details, "Approved")).to_have_text(
        re.compile(rf"^\s*({days}) at \d\d:\d\d\s*$")
    )
    expect(page.get_by_role("button", name="Approve payment")).to_have_count(0)
    # The approver may not record it as paid too: a second finance officer does.
    expect(page.get_by_role("button", name="Record it as paid")).to_have_count(0)
    check_page(page)
    payment_page = page.url
    sign_out(page)
    sign_in(page, FINANCE_2)
    page.goto(payment_page)
    page.get_by_role("button", name="Record it as paid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the payment as paid")
    check_page(page)
    paid_on = page.get_by_role("group", name="Date paid")
    paid_on.get_by_label("Day").fill(str(today.day))
    paid_on.get_by_label("Month").fill(str(today.month))
    paid_on.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Payment reference").fill(PAYMENT_REFERENCE)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check before you record the payment as paid"
    )
    check_page(page)
    page.get_by_role("button", name="Record as paid").click()
    expect(success_banner(page)).to_contain_text("Payment marked as paid")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Payment to {ORGANISATION}")
    expect(summary_value(details, "Status")).to_have_text("Paid")
    expect(summary_value(details, "Paid")).to_have_text(
        f"{govuk_date(today)}, reference {PAYMENT_REFERENCE}"
    )
    expect(page.get_by_role("button", name="Record it as paid")).to_have_count(0)
    check_page(page)
    sign_out(page)

    # 7. The grantee sees the return approved and the payment paid.
    sign_in(page, LAMBETH_GRANTEE)
    expect(page).to_have_url(re.compile(r"/organisation$"))
    returns = page.get_by_role("table", name="Returns")
    row = (
        returns.get_by_role("row")
        .filter(has=page.get_by_role("link", name=chosen.period))
        .filter(has_text=ALLOCATION)
    )
    expect(row.get_by_role("cell").last).to_have_text("Approved")
    payments = page.get_by_role("table", name="Payments")
    paid_row = (
        payments.get_by_role("row")
        .filter(has_text=ALLOCATION)
        .filter(has_text=TOTAL_SHOWN)
        .filter(has_text=govuk_date(today))
    )
    expect(paid_row.first.get_by_role("cell")).to_have_text(
        # The link names the payment to screen readers too: "<allocation>: payment of £…".
        [re.compile(rf"^{re.escape(ALLOCATION)}"), "Paid", govuk_date(today), TOTAL_SHOWN]
    )
    check_page(page)
    row.get_by_role("link", name=chosen.period).click()
    expect_status(page, "Approved")
    expect(page.get_by_role("button", name="Check your answers and submit")).to_have_count(0)
    check_page(page)
