"""Stylesheets and scripts are linked by addresses that name their content, and a browser may
keep them for a year; any other address of an asset is asked about each time."""

import hashlib
import re
from pathlib import Path

import pytest

from tests.conftest import OFFICER

YEAR = "max-age=31536000"


def linked_assets(html: str) -> dict[str, str]:
    """/assets/<file> -> the version in its address, for every stylesheet and script."""
    found = re.findall(r'(?:href|src)="/assets/([^"?]+)\?v=([0-9a-f]+)"', html)
    return dict(found)


def test_every_stylesheet_and_script_on_a_page_is_linked_by_its_contents(app, signed_in):
    page = signed_in(OFFICER).get("/summary")
    html = page.get_data(as_text=True)
    linked = linked_assets(html)
    assert {"govuk/govuk-frontend.min.css", "css/tracker.css", "js/tracker.mjs"} <= set(linked)
    assert "js/plotly.min.js" in linked
    unversioned = re.findall(r'(?:href|src)="(/assets/[^"?]+\.(?:css|m?js))"', html)
    assert unversioned == []
    for filename, version in linked.items():
        content = (Path(app.static_folder) / filename).read_bytes()
        assert version == hashlib.sha256(content).hexdigest()[:12], filename


def test_an_asset_at_its_versioned_address_is_kept_for_a_year(app, browser):
    html = browser.get("/sign-in").get_data(as_text=True)
    filename, version = next(iter(linked_assets(html).items()))
    response = browser.get(f"/assets/{filename}?v={version}")
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert YEAR in cache and "immutable" in cache and "public" in cache
    assert "no-cache" not in cache
    assert response.get_data() == (Path(app.static_folder) / filename).read_bytes()


@pytest.mark.parametrize("query", ["", "?v=000000000000", "?v="])
def test_an_asset_at_any_other_address_is_asked_about_each_time(browser, query):
    response = browser.get(f"/assets/css/tracker.css{query}")
    assert response.status_code == 200
    assert YEAR not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("name", ["../tracker/config.py", "no-such-file.css", "%2e%2e/setup.cfg"])
def test_a_version_for_a_name_outside_the_assets_is_not_found(browser, name):
    response = browser.get(f"/assets/{name}?v=000000000000")
    assert response.status_code == 404
    assert YEAR not in response.headers.get("Cache-Control", "")


def test_a_signed_in_visitor_s_assets_are_cacheable_and_their_pages_are_not(signed_in):
    visitor = signed_in(OFFICER)
    page = visitor.get("/home")
    assert "no-store" in page.headers["Cache-Control"]
    filename, version = next(iter(linked_assets(page.get_data(as_text=True)).items()))
    asset = visitor.get(f"/assets/{filename}?v={version}")
    assert "no-store" not in asset.headers["Cache-Control"]
    assert YEAR in asset.headers["Cache-Control"]


def test_a_font_named_by_its_hash_is_kept_for_a_year(app, browser):
    fonts = sorted((Path(app.static_folder) / "fonts").glob("*.woff2"))
    assert fonts, "GOV.UK Frontend's fonts are built into the static folder"
    response = browser.get(f"/assets/fonts/{fonts[0].name}")
    assert response.status_code == 200
    assert YEAR in response.headers["Cache-Control"]
