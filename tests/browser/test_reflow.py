"""WCAG 2.2 1.4.10 reflow: at 320 CSS pixels wide no page scrolls sideways (a wide table scrolls
inside its own container), and axe is still clean."""

import pytest

from tests.browser.conftest import check_page, signed_in_as
from tests.browser.test_pages_accessible import delivery
from tests.conftest import FINANCE, LAMBETH_GRANTEE, OFFICER

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 800}


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("who", [LAMBETH_GRANTEE, OFFICER, FINANCE])
def test_the_home_page_and_its_work_queues_reflow_at_320_pixels(page, who):
    signed_in_as(page, who)
    page.set_viewport_size(NARROW)
    page.reload()
    assert page.locator("#waiting-for-you").is_visible()
    assert page_width(page) <= 320
    check_page(page)


def test_the_delivery_task_list_reflows_at_320_pixels(page):
    signed_in_as(page, OFFICER)
    delivery(page)
    page.set_viewport_size(NARROW)
    page.reload()
    assert page_width(page) <= 320
    check_page(page)
