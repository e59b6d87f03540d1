"""The browser harness itself: the CSP watcher runs on our strict policy without breaking it, and
it does catch a violation (so a silent run of the other browser tests means something)."""

import pytest

from tests.browser.conftest import assert_no_browser_problems, axe_check, check_page

pytestmark = pytest.mark.browser


def test_the_violation_listener_runs_under_our_csp_and_reports_nothing_itself(page, watch):
    response = page.goto("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    # add_init_script is injected by the DevTools protocol, outside the page's CSP: it ran.
    assert page.evaluate("Array.isArray(window.__cspViolations)")
    assert page.evaluate("window.__cspViolations") == []
    check_page(page)
    assert watch.problems == []


def test_a_blocked_inline_script_and_style_are_caught(page, watch):
    page.goto("/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ranAnyway = true";
          document.body.append(script);
          const style = document.createElement("style");
          style.textContent = "body { background: red; }";
          document.head.append(style);
        }"""
    )
    page.wait_for_function("window.__cspViolations.length >= 2")
    assert page.evaluate("window.__ranAnyway === undefined")
    page.wait_for_timeout(100)
    directives = sorted({p.split(": ")[1].split(" ")[0] for p in watch.problems if "CSP" in p})
    assert directives == ["script-src-elem", "style-src-elem"], watch.problems
    # check_page (through this) fails on them; they were provoked on purpose, so expect it.
    with pytest.raises(pytest.fail.Exception, match="CSP violation"):
        assert_no_browser_problems(page)
    assert watch.problems == []


def test_axe_finds_a_violation_it_is_shown(page):
    page.goto("/")
    page.evaluate("document.querySelector('h1').textContent = ''")
    with pytest.raises(pytest.fail.Exception, match="empty-heading"):
        axe_check(page)
