"""The allocations export uploaded back through the import page: the preview shows every row
as unchanged and names the columns it leaves out, and passes the page checks (axe
included) at full width and at 320 px."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page, signed_in_as
from tests.conftest import OFFICER


def screenshot(page, name: str) -> None:
    """With BROWSER_SCREENSHOTS=<directory>, keep a picture of the page to look at."""
    directory = os.environ.get("BROWSER_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_exported_allocations_preview_as_no_change(page, kind):
    signed_in_as(page, OFFICER)
    page.goto("/allocations/import")
    exported = bytes(  # downloaded by the page itself, in its own session
        page.evaluate(
            "async (url) => Array.from(new Uint8Array(await (await fetch(url)).arrayBuffer()))",
            f"/exports/allocations.{kind}",
        )
    )
    page.locator("input[type=file]").set_input_files(
        files=[{"name": f"allocations.{kind}", "mimeType": "text/csv", "buffer": exported}]
    )
    page.get_by_role("button", name="Upload and check the file").click()
    expect(page.locator("h1")).to_have_text("Check the allocations to import")
    rows = page.locator("tr[data-row]")
    assert rows.count() > 0
    assert rows.count() == page.locator("tr[data-outcome='unchanged']").count()
    for outcome in ("create", "update", "error"):
        expect(page.locator(f"#count-{outcome}")).to_have_text("0")
    expect(page.locator("#ignored-columns")).to_contain_text("Status")
    expect(page.locator("#nothing-to-import")).to_contain_text("would change nothing")
    check_page(page)
    screenshot(page, f"import-round-trip-{kind}-1280")
    page.set_viewport_size({"width": 320, "height": 900})
    check_page(page)
    screenshot(page, f"import-round-trip-{kind}-320")
