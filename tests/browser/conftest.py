"""Browser tests: the real app served over HTTP on a free 127.0.0.1 port (a werkzeug server in a
daemon thread) against its own fresh database, migrated and seeded, driven by Debian's headless
Chromium through Playwright. Every page a test opens is watched: a console error, an uncaught
script error, a Content-Security-Policy violation or a 5xx response fails the test."""

import hashlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import DEMO_PASSWORD, build_app, migrate_and_seed

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Runs in every document before the page's own scripts. Scripts added through
# page.add_init_script are injected by the DevTools protocol and are not subject to the page's
# Content-Security-Policy in Chromium (test_watchers.py checks that this one runs on a page with
# our strict policy, and that it reports nothing of its own). It sends each violation to Python
# through a binding (also outside the CSP) and keeps a copy on window for the tests to read.
REPORT_CSP_VIOLATIONS = """
(() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    const violation = {
      directive: event.effectiveDirective || event.violatedDirective,
      blocked: event.blockedURI,
      source: event.sourceFile,
      line: event.lineNumber,
      sample: event.sample,
      page: document.location.href,
    };
    window.__cspViolations.push(violation);
    if (window.__reportCspViolation) {
      window.__reportCspViolation(violation);
    }
  }, true);
})();
"""


class QuietHandler(WSGIRequestHandler):
    """No line per request in the test output; errors are still logged."""

    def log_request(self, *args, **kwargs):
        pass


@dataclass
class LiveServer:
    url: str
    app: object


@pytest.fixture(scope="session")
def live_server(make_database):
    """The real app on a fresh database (migrated and seeded), served over HTTP on 127.0.0.1."""
    # Every browser signs in from 127.0.0.1 (the address's throttle would make them wait on each
    # other's mistakes: the throttle page's test makes five on purpose).
    application = build_app(make_database(), SIGN_IN_ADDRESS_FREE_FAILURES=1000)
    # The test settings (ENV "test") mark the session cookie Secure; Chromium keeps Secure
    # cookies from http://127.0.0.1 (a potentially trustworthy origin), so nothing is changed.
    migrate_and_seed(application)
    server = make_server("127.0.0.1", 0, application, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=application)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        from tracker.extensions import db

        with application.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="session")
def chromium(playwright_driver):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: `make system-packages` installs Debian's")
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@dataclass
class Watch:
    """What went wrong in the browser during one test, and what the test said to expect."""

    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Expect a console error matching `pattern` (a 404 page logs its own status)."""
        self.allowed.append(re.compile(pattern))

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(a.search(p) for a in self.allowed)]


@pytest.fixture
def watch():
    return Watch()


@pytest.fixture(scope="module")
def module_context(chromium, live_server):
    """One browser context for a test module: its cache of the stylesheets, scripts and fonts
    is shared by the module's tests (a context of its own cost each test a fifth of a second
    and every asset fetched again)."""
    ctx = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def context(module_context):
    """The module's browser context with no cookies: each test starts signed out, with no
    cookie choice made, as in a browser of its own."""
    module_context.clear_cookies()
    yield module_context
    module_context.clear_cookies()


_WATCHES: dict = {}


@pytest.fixture
def page(context, watch):
    """A new tab (with its own cookies) that fails the test on any console error, uncaught
    error, CSP violation or server error, on any page it opened."""
    tab = context.new_page()
    tab.expose_function(
        "__reportCspViolation",
        lambda v: watch.add(
            f"CSP violation on {v.get('page')}: {v.get('directive')} blocked "
            f"{v.get('blocked')!r} (from {v.get('source')}:{v.get('line')}, "
            f"sample {v.get('sample')!r})"
        ),
    )
    tab.add_init_script(REPORT_CSP_VIOLATIONS)
    _WATCHES[tab] = watch
    tab.on(
        "console",
        lambda message: (
            watch.add(f"console error on {tab.url}: {message.text} ({message.location})")
            if message.type == "error"
            else None
        ),
    )
    tab.on("pageerror", lambda error: watch.add(f"uncaught error on {tab.url}: {error}"))
    tab.on(
        "response",
        lambda response: (
            watch.add(f"server error {response.status} for {response.url}")
            if response.status >= 500
            else None
        ),
    )
    yield tab
    _WATCHES.pop(tab, None)
    # Let late events (a violation reported as the last page settled) arrive before judging.
    if not tab.is_closed():
        tab.wait_for_timeout(50)
        tab.close()
    unexpected = watch.unexpected()
    if unexpected:
        pytest.fail("Problems in the browser:\n" + "\n".join(f"- {p}" for p in unexpected))


# --- helpers the tests share ----------------------------------------------------------------

NOT_STARTED = """[...document.querySelectorAll("[data-module]")]
  .filter((el) => !el.hasAttribute(`data-${el.dataset.module}-init`))
  .map((el) => el.outerHTML.slice(0, 120))"""


# A fingerprint of the page as axe reads it: the markup (less what differs between two showings
# of one page and axe does not read: CSRF tokens, script nonces), the element in focus, and the
# window's width (the layout in which axe measures contrast and overlap).
FINGERPRINT = """(() => {
  const copy = document.documentElement.cloneNode(true);
  copy.querySelectorAll("[nonce]").forEach((el) => el.removeAttribute("nonce"));
  copy.querySelectorAll("input[name=csrf_token]").forEach((el) => el.removeAttribute("value"));
  const focused = document.activeElement;
  return [window.innerWidth, focused && focused.outerHTML.slice(0, 200), copy.outerHTML].join(" ");
})()"""
# The pages axe has passed in this run: the same markup at the same width gets the same
# answer from axe, so it is asked once (the crawl and the page-by-page tests show many pages
# twice). Only passes are kept: a violation fails its test.
_AXE_PASSED: set[str] = set()


def axe_check(page) -> None:
    """Run axe-core (bundled with axe-playwright-python, no network) on the page as it is now and
    fail with a readable list if it finds any violation. A page whose markup axe passed before
    in this run, at the same window width, is not asked again."""
    from axe_playwright_python.sync_playwright import Axe

    fingerprint = hashlib.sha256(page.evaluate(FINGERPRINT).encode()).hexdigest()
    if fingerprint in _AXE_PASSED:
        return
    results = Axe().run(page)
    violations = results.response["violations"]
    if not violations:
        _AXE_PASSED.add(fingerprint)
        return
    lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(
            f"* {violation['id']} ({violation['impact']}): {violation['help']}"
            f" - {violation['helpUrl']}"
        )
        for node in violation["nodes"][:10]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {' '.join(node['html'].split())[:300]}")
            messages = [
                check["message"] for kind in ("any", "all", "none") for check in node.get(kind, [])
            ]
            for message in messages[:3]:
                lines.append(f"       - {message}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
    pytest.fail("\n".join(lines))


def assert_govuk_frontend_started(page) -> None:
    """GOV.UK Frontend's JavaScript ran: the template's inline script (allowed by the CSP nonce)
    adds `govuk-frontend-supported` to the body, and initAll() in our module marks every
    component it starts with `data-<module>-init` (a component that fails to start is only
    logged by initAll, so this is how we would notice)."""
    page.wait_for_load_state("load")
    classes = page.evaluate("document.body.className")
    assert "govuk-frontend-supported" in classes.split(), f"body classes: {classes!r}"
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(f"({NOT_STARTED}).length === 0", timeout=5_000)
    except PlaywrightTimeout:
        pytest.fail(f"GOV.UK components not started on {page.url}: {page.evaluate(NOT_STARTED)}")


def assert_no_browser_problems(page) -> None:
    """Fail now (not only at the end of the test) if anything went wrong in the browser so far."""
    watch = _WATCHES.get(page)
    if watch is None:
        return
    unexpected = watch.unexpected()
    if unexpected:
        watch.problems.clear()  # reported here, so not again when the test ends
        pytest.fail("Problems in the browser:\n" + "\n".join(f"- {p}" for p in unexpected))


def check_page(page) -> None:
    """Everything each page must pass: GOV.UK JS started, exactly one h1, no axe violation, and
    no console error, uncaught error, CSP violation or server error so far."""
    assert_govuk_frontend_started(page)
    assert_no_browser_problems(page)
    assert page.locator("h1").count() == 1, f"not exactly one h1 on {page.url}"
    axe_check(page)


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the sign-in page, as a person would."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    # Where each role lands differs (home, or a grantee's own overview): anywhere but here.
    page.wait_for_url(lambda url: urlsplit(url).path != "/sign-in")


# The cookies the sign-in form gave each demo user `signed_in_as` signed in, in this run (the
# same Chromium, so the same User-Agent that the session is bound to): only the sign-in's own,
# not (say) a cookie choice.
SIGN_IN_COOKIES = {"session", "known_browser"}
_SIGNED_IN: dict[str, list] = {}


def signed_in_as(page, email: str) -> None:
    """Signed in as `email`, landed where the sign-in form lands them: with the cookies the form
    gave them earlier in this run, or through the form the first time (and whenever that
    session has ended since: signed out, or ended by another test). For the tests that are not
    about signing in, as demo users without a second factor; the form itself is proved by the
    journeys and the sign-in tests."""
    cookies = _SIGNED_IN.get(email)
    if cookies:
        page.context.add_cookies(cookies)
        page.goto("/home")
        if urlsplit(page.url).path != "/sign-in":
            return
        page.context.clear_cookies()
    sign_in(page, email)
    _SIGNED_IN[email] = [c for c in page.context.cookies() if c["name"] in SIGN_IN_COOKIES]
