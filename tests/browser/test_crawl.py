"""Every page each kind of user can reach by following links, found by crawling from where they
land after signing in, so that a page added later is checked without being listed anywhere:
axe finds no violation, GOV.UK Frontend starts, nothing breaks the CSP or logs an error, and no
link leads to an error page. One page of each kind is checked (/allocations/1 and
/allocations/2 are one kind); only GET links are followed, so the crawl changes nothing."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser.conftest import check_page, signed_in_as
from tests.conftest import ADMIN, FINANCE, LAMBETH_GRANTEE, OFFICER, VIEWER

pytestmark = pytest.mark.browser

LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"
WHO = [None, OFFICER, FINANCE, VIEWER, ADMIN, LAMBETH_GRANTEE, LAMBETH_CERTIFIER]
MOST_PAGES = 90  # of different kinds, per user: a guard against a crawl that never ends


PROBE = """async (url) => {
  const response = await fetch(url, {method: "HEAD", credentials: "same-origin"});
  return [response.status, response.headers.get("content-type") || ""];
}"""


def kind_of_page(url: str) -> str:
    """/allocations/12/status?page=2 -> /allocations/<id>/status?page"""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/<id>", parts.path)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


def links_on(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href)")
    found = []
    for href in hrefs:
        url = href.split("#", 1)[0]
        if url.startswith(origin + "/") and not urlsplit(url).path.startswith("/assets/"):
            found.append(url)
    return found


@pytest.mark.parametrize("who", WHO, ids=[w.split("@")[0] if w else "anonymous" for w in WHO])
def test_every_page_reached_by_following_links(page, live_server, who):
    origin = live_server.url
    if who:
        signed_in_as(page, who)
    else:
        page.goto("/")
    queue = [page.url]
    seen: set[str] = set()
    checked: list[str] = []
    dead_ends: list[str] = []
    while queue and len(checked) < MOST_PAGES:
        url = queue.pop(0)
        kind = kind_of_page(url)
        if kind in seen:
            continue
        seen.add(kind)
        # Ask first, from the page (the same cookies and browser: the session is bound to the
        # User-Agent, so Playwright's own request client would be signed out), so that a
        # download is not opened as a page.
        status, content_type = page.evaluate(PROBE, url)
        if status >= 400:
            dead_ends.append(f"{url} ({status})")
            continue
        if not content_type.startswith("text/html"):
            continue
        page.goto(url)
        check_page(page)
        checked.append(kind)
        queue.extend(links_on(page, origin))
    assert dead_ends == [], f"links that lead to an error page: {dead_ends}"
    assert len(checked) < MOST_PAGES, f"more than {MOST_PAGES} kinds of page: {checked}"
    print(f"{who or 'anonymous'}: {len(checked)} kinds of page checked: {checked}")
