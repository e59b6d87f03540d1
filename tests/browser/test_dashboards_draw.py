"""Every dashboard and the minister's summary, in a real browser: each chart actually draws
(its SVG holds bars or lines), under the strict CSP, with no axe violations."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page, signed_in_as
from tests.conftest import VIEWER

pytestmark = pytest.mark.browser

PAGES = [
    "/dashboards",
    "/dashboards/spend-over-time",
    "/dashboards/grantees",
    "/dashboards/returns",
    "/dashboards/outputs",
    "/dashboards/regions",
    "/dashboards/evidence",
    "/dashboards/year-end",
    "/summary",
]


@pytest.mark.parametrize("path", PAGES)
def test_each_chart_draws_its_bars_or_lines_with_no_csp_violation(page, live_server, path):
    signed_in_as(page, VIEWER)
    page.goto(live_server.url + path)
    charts = page.locator("[data-chart]")
    expect(charts.first).to_be_attached()
    for index in range(charts.count()):
        chart = charts.nth(index)
        # plotly marks a drawn plot and puts its traces in the SVG: bars as paths, lines as
        # a path in a .scatterlayer.
        expect(chart.locator(".main-svg").first).to_be_attached(timeout=10_000)
        drawn = chart.locator(".barlayer .point path, .scatterlayer .trace path.js-line")
        expect(drawn.first).to_be_attached(timeout=10_000)
    check_page(page)


def test_the_summary_prints_without_navigation_or_filters(page, live_server):
    signed_in_as(page, VIEWER)
    page.goto(live_server.url + "/summary")
    page.emulate_media(media="print")
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator("#headlines")).to_be_visible()
