"""Making and revoking an API token in a real browser: the form's errors, the token shown once
and its revoking, each state axe-clean at desktop and phone widths."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page, signed_in_as
from tests.conftest import FINANCE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 320])
def test_a_token_is_made_shown_once_and_revoked(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    signed_in_as(page, FINANCE)
    page.goto("/account")
    page.get_by_role("link", name="Your API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your API tokens")
    check_page(page)

    page.get_by_role("button", name="Make the token").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator(".govuk-error-message").first).to_contain_text("Enter a name")
    check_page(page)

    name = f"Spend analysis {width}"
    page.get_by_label("Name the token").fill(name)
    page.get_by_label("90 days").check()
    page.get_by_role("button", name="Make the token").click()
    token = page.locator("#token-text")
    expect(token).to_have_text(re.compile(r"^hht_\S{40,}$"))
    check_page(page)

    page.reload()
    expect(page.locator("#token-text")).to_have_count(0)
    row = page.locator("#tokens tr", has_text=name)
    expect(row).to_contain_text("Never")
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("no longer works")
    expect(page.locator("#tokens tr", has_text=name)).to_contain_text("Revoked")
    check_page(page)
    # The list of tokens scrolls inside its own box: the page never gets wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
