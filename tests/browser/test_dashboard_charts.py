"""Charts people can read: on every dashboard and the minister's summary, each chart's value
axis, as the browser drew it, starts at 0, is labelled in GOV.UK style (£800k, £1.2m; whole
numbers for counts), reaches just past the largest figure of the table beside it, and no tick
label is cut off by the chart's edge. And the organisation picker: GOV.UK's accessible
autocomplete finds an organisation by part of its name, under the strict CSP, axe-clean.

At 1280 and 375 px no page is wider than the screen; with TRACKER_SCREENSHOTS=<folder>,
each page and each of its charts is also saved at both widths."""

import json
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page, signed_in_as
from tests.conftest import OFFICER, VIEWER

pytestmark = pytest.mark.browser

PAGES = {
    "portfolio": "/dashboards",
    "spend-over-time": "/dashboards/spend-over-time",
    "grantees": "/dashboards/grantees",
    "returns": "/dashboards/returns",
    "outputs": "/dashboards/outputs",
    "regions": "/dashboards/regions",
    "evidence": "/dashboards/evidence",
    "year-end": "/dashboards/year-end",
    "summary": "/summary",
}
SCALE = {"": 1, "k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}
LABEL = re.compile(r"^£(\d[\d,]*(?:\.\d+)?)(k|m|bn)?$")


def tick_value(label: str) -> Decimal:
    match = LABEL.match(label.replace("\u2212", "-").strip())
    assert match, f"a money tick that is not in GOV.UK style: {label!r}"
    return Decimal(match.group(1).replace(",", "")) * SCALE[match.group(2) or ""]


def money(cell: str) -> Decimal | None:
    # An amount the source gives only roughly reads "about £20,000,000": the chart draws it too.
    text = cell.strip().removeprefix("about").strip()
    if not text.startswith("£"):
        return None
    return Decimal(text.removeprefix("£").replace(",", ""))


def count(cell: str) -> Decimal | None:
    text = cell.strip().replace(",", "")
    return Decimal(text) if text.isdigit() else None


def count_tick(label: str) -> Decimal:
    assert label.replace(",", "").isdigit(), f"a count tick that is not a whole number: {label!r}"
    return Decimal(label.replace(",", ""))


def charts_on(page) -> list[str]:
    return page.eval_on_selector_all("[data-chart]", "els => els.map(e => e.id)")


def check_value_axis(page, chart_id: str) -> None:
    slug = chart_id.removeprefix("chart-")
    figure = json.loads(page.locator(f"#{chart_id}-data").text_content())
    layout = figure["layout"]
    axis = "x" if "tickvals" in layout.get("xaxis", {}) else "y"
    if "tickvals" not in layout.get(f"{axis}axis", {}):
        return  # no value axis of ours
    in_money = layout[f"{axis}axis"]["ticktext"][0].startswith("£")
    read_tick, read_cell = (tick_value, money) if in_money else (count_tick, count)
    chart = page.locator(f"#{chart_id}")
    chart.locator(".main-svg").first.wait_for()
    ticks = chart.locator(f"g.{axis}axislayer-above g.{axis}tick text")
    labels = [t.strip() for t in ticks.all_text_contents()]
    assert labels, f"no ticks drawn on {chart_id}"
    values = [read_tick(label) for label in labels]
    assert values[0] == 0 and values == sorted(values), (chart_id, labels)
    # The axis reaches just past the largest figure charted, as the table beside it says.
    names = {trace["name"] for trace in figure["data"]}
    headers = page.locator(f"#table-{slug} thead th").all_text_contents()
    columns = [i for i, header in enumerate(headers) if header.strip() in names]
    largest = Decimal(0)
    for row in page.locator(f"#table-{slug} tbody tr").all():
        cells = row.locator("th, td").all_text_contents()
        for i in columns:
            value = read_cell(cells[i])
            if value is not None:
                largest = max(largest, value)
    assert values[-1] >= largest, f"{chart_id}: the axis ends at {labels[-1]}, below {largest}"
    if largest > 0 and len(values) > 1:
        assert values[-2] < largest, f"{chart_id}: the axis runs far past {largest}: {labels}"
    # Every tick label lies inside the chart: none is clipped by its edge.
    box = chart.bounding_box()
    for tick in ticks.all():
        tick_box = tick.bounding_box()
        assert tick_box["x"] >= box["x"] - 1, f"a tick label cut off on the left of {chart_id}"
        assert tick_box["x"] + tick_box["width"] <= box["x"] + box["width"] + 1


def check_widths(page, name: str) -> None:
    """At 1280 and 375 px nothing makes the page wider than the screen (a wide table scrolls in
    its own box); with TRACKER_SCREENSHOTS set, the page and each chart panel are saved."""
    folder = os.environ.get("TRACKER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(400)  # plotly redraws on resize
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        if folder:
            page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
            for n, panel in enumerate(page.locator(".tracker-panel").all()):
                panel.screenshot(path=f"{folder}/{name}-{width}-panel-{n}.png")
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("name", PAGES)
def test_every_value_axis_is_readable_and_agrees_with_its_table(page, name):
    signed_in_as(page, VIEWER)
    page.goto(PAGES[name])
    check_page(page)
    charts = charts_on(page)
    assert charts, f"no chart on {name}"
    for chart_id in charts:
        check_value_axis(page, chart_id)
    check_widths(page, name)


def test_the_organisation_picker_finds_an_organisation_by_part_of_its_name(page):
    signed_in_as(page, OFFICER)
    page.goto("/streams")
    page.get_by_role("link", name="Social workers in schools").click()
    page.get_by_role("link", name="Allocate money").click()
    # The enhanced text input, not the <select> it replaces (also a combobox until the script runs).
    picker = page.get_by_role("combobox", name="Organisation").and_(page.locator("input"))
    expect(picker).to_be_visible()
    picker.fill("brist")
    option = page.get_by_role("option", name=re.compile("Bristol City Council"))
    expect(option).to_be_visible()
    check_page(page)  # axe on the open list, and no CSP violation from the widget
    option.click()
    expect(picker).to_have_value(re.compile("Bristol City Council"))
    # The select behind it (which works without JavaScript) holds the choice the form sends.
    chosen = page.eval_on_selector(
        "select[data-tracker-autocomplete]", "s => s.options[s.selectedIndex].text"
    )
    assert "Bristol City Council" in chosen
