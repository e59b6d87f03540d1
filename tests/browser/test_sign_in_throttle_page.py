"""The page a throttled sign-in gets (issue 20): answered at once, saying when to try again;
axe finds no violation and nothing breaks in the browser, at desktop and phone widths."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page

pytestmark = pytest.mark.browser

# Nobody has this address: the throttle counts unknown addresses like any other, and no other
# test's account is kept waiting.
NOBODY = "nobody.throttled@demo.gov.uk"


@pytest.mark.parametrize("width", [1280, 320])
def test_the_too_many_attempts_page_is_accessible(page, watch, width):
    watch.allow(r"status of 429")
    page.set_viewport_size({"width": width, "height": 900})
    email = f"{width}.{NOBODY}"
    for _ in range(5):
        page.goto("/sign-in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts to sign in")
    # 30 seconds from the fifth failure (the real clock has moved on a little since).
    expect(page.get_by_text(re.compile(r"^Try again in \d+ seconds\.$"))).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
