"""An officer allocates money from a funding stream, in a real browser, through the pages a
person would use: sign in, find the stream, fill the allocation form (getting it wrong once),
save it, and see the money counted in the stream's figures. Every page is checked with axe."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page
from tests.conftest import DEMO_PASSWORD, OFFICER

pytestmark = pytest.mark.browser

STREAM = "CSA Support Services Transformation Fund"
STREAM_CODE = "CSA-STF"
ORGANISATION = "Bristol City Council"
TITLE = "Support for children after abuse: Bristol hub"
AMOUNT_TYPED, AMOUNT_PENCE = "£45,000.50", 4_500_050


def screenshot(page, name: str) -> None:
    """With BROWSER_SCREENSHOTS=<directory>, keep a picture of the page to look at."""
    directory = os.environ.get("BROWSER_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


def pence(text: str) -> int:
    """'£2,800,000.00' as 280000000."""
    match = re.fullmatch(r"£([\d,]+)\.(\d\d)", text.strip())
    assert match, f"not an amount in pounds and pence: {text!r}"
    return int(match.group(1).replace(",", "")) * 100 + int(match.group(2))


def stream_row_figures(page) -> dict[str, int]:
    row = page.locator(f'#stream-totals tr[data-stream="{STREAM_CODE}"]')
    return {
        column: pence(row.locator(f'[data-column="{column}"]').inner_text())
        for column in ("budget", "allocated", "remaining")
    }


def fill_date(page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def error_summary_targets_exist(page) -> list[str]:
    """The href of every link in the error summary that points at nothing on the page."""
    return page.evaluate(
        """[...document.querySelectorAll('.govuk-error-summary a')]
             .map((a) => a.getAttribute('href'))
             .filter((href) => !href.startsWith('#') || !document.getElementById(href.slice(1)))"""
    )


def test_an_officer_allocates_money_and_sees_it_counted_in_the_stream(page):
    # The start page, then sign in through the form.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Track Hidden Harms grants")
    check_page(page)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/sign-in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    check_page(page)
    page.get_by_label("Email address").fill(OFFICER)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/home$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    expect(page.get_by_text("Signed in as")).to_contain_text("Officer")
    check_page(page)

    # Funding streams, from the service navigation.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Funding streams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Funding streams")
    check_page(page)
    before = stream_row_figures(page)
    assert before["remaining"] >= AMOUNT_PENCE, before
    screenshot(page, "streams-list")

    page.get_by_role("link", name=STREAM).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(STREAM)
    check_page(page)
    assert pence(page.locator("#figure-allocated").inner_text()) == before["allocated"]

    # The allocation form: first with a missing title and an amount that is not money.
    page.get_by_role("link", name="Allocate money").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"New allocation from {STREAM}")
    check_page(page)
    # The organisation picker (GOV.UK's accessible autocomplete): type part of the name.
    # The enhanced text input, not the <select> it replaces (also a combobox until the script runs).
    organisation = page.get_by_role("combobox", name="Organisation").and_(page.locator("input"))
    expect(organisation).to_have_value("")
    organisation.fill(ORGANISATION[:6])
    page.get_by_role("option", name=re.compile(ORGANISATION)).first.click()
    page.get_by_label("Title").fill("")
    page.get_by_label("Amount awarded").fill("lots")
    fill_date(page, "Award date", "27", "7", "2020")
    fill_date(page, "Planned start date", "1", "9", "2020")
    fill_date(page, "Planned end date", "31", "3", "2021")
    page.get_by_role("button", name="Save as draft").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: New allocation from"))
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    # GOV.UK Frontend moves focus to the summary, so a screen reader reads it first.
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    title_error = summary.get_by_role("link", name="Enter a title for the allocation")
    amount_error = summary.get_by_role("link", name=re.compile(r"^Enter the amount"))
    expect(title_error).to_be_visible()
    expect(amount_error).to_be_visible()
    assert error_summary_targets_exist(page) == []
    # Each field shows its own message too.
    expect(page.locator("#title-error")).to_contain_text("Enter a title for the allocation")
    expect(page.locator("#amount-error")).to_contain_text("Enter the amount")
    # What was typed is kept.
    expect(page.get_by_label("Amount awarded")).to_have_value("lots")
    expect(organisation).to_have_value(re.compile(ORGANISATION))
    expect(page.get_by_role("group", name="Award date").get_by_label("Day")).to_have_value("27")
    check_page(page)
    screenshot(page, "allocation-form-with-errors")

    # A link in the summary takes focus to its field.
    title_error.click()
    expect(page.get_by_label("Title")).to_be_focused()
    amount_error.click()
    expect(page.get_by_label("Amount awarded")).to_be_focused()

    # Put it right and save.
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Amount awarded").fill(AMOUNT_TYPED)
    page.get_by_role("button", name="Save as draft").click()

    expect(page).to_have_url(re.compile(r"/allocations/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"The allocation to {ORGANISATION} has been saved as a draft"
    )
    details = page.locator(".govuk-summary-list")
    expect(details).to_contain_text("£45,000.50")
    expect(details).to_contain_text("27 July 2020")
    expect(details).to_contain_text("1 September 2020 to 31 March 2021")
    check_page(page)

    # Back to the stream: the money is counted.
    page.locator(".govuk-back-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(STREAM)
    assert pence(page.locator("#figure-allocated").inner_text()) == (
        before["allocated"] + AMOUNT_PENCE
    )
    assert pence(page.locator("#figure-remaining").inner_text()) == (
        before["remaining"] - AMOUNT_PENCE
    )
    expect(page.locator("#allocations")).to_contain_text(TITLE)
    check_page(page)

    # And in the list of streams.
    page.get_by_role("link", name="All funding streams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Funding streams")
    after = stream_row_figures(page)
    assert after == {
        "budget": before["budget"],
        "allocated": before["allocated"] + AMOUNT_PENCE,
        "remaining": before["remaining"] - AMOUNT_PENCE,
    }
    check_page(page)
