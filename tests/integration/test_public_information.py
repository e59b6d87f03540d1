"""The accessibility statement, privacy notice and cookies page: public, linked from every
page's footer, and saying what a public-sector service must say (issue 18, item 4)."""

import pytest

from tests.conftest import OFFICER, page_read, text_of


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/accessibility", "Accessibility statement for Track Hidden Harms grants"),
        ("/privacy", "Privacy notice"),
        ("/cookies", "Cookies"),
    ],
)
def test_each_page_is_public_and_linked_from_the_footer(browser, signed_in, url, heading):
    for visitor in (browser, signed_in(OFFICER)):
        response = visitor.get(url)
        assert response.status_code == 200
        assert page_read(response).h1.get_text(strip=True) == heading
    footer = page_read(browser.get("/")).find("footer")
    links = {a.get_text(strip=True): a["href"] for a in footer.find_all("a")}
    assert links["Accessibility statement"] == "/accessibility"
    assert links["Privacy"] == "/privacy"
    assert links["Cookies"] == "/cookies"


def test_the_accessibility_statement_follows_the_gov_uk_model(browser):
    soup = page_read(browser.get("/accessibility"))
    headings = [h.get_text(strip=True) for h in soup.find_all(["h2", "h3"])]
    for required in [
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Non-compliance with the accessibility regulations",
        "Disproportionate burden",
        "Preparation of this accessibility statement",
    ]:
        assert required in headings, required
    status = soup.find(id="compliance-status").get_text(" ", strip=True)
    assert "partially compliant" in status and "2.2" in status
    dates = soup.find(id="statement-dates").get_text(" ", strip=True)
    assert "prepared on 4 December 2026" in dates
    assert "last reviewed on 4 December 2026" in dates
    text = text_of(browser.get("/accessibility"))
    assert "Equality Advisory and Support Service" in text
    assert "different format" in text
    # The known failures say which success criterion they fail, and why.
    assert "1.1.1" in text and "2.2.1" in text
    assert "after 30 minutes without a request" in text


def test_the_contact_address_is_given_where_one_is_set(app, browser):
    app.config["SERVICE_CONTACT_EMAIL"] = "hidden-harms@example.gov.uk"
    try:
        for url in ("/accessibility", "/privacy"):
            hrefs = [a["href"] for a in page_read(browser.get(url)).find_all("a")]
            assert "mailto:hidden-harms@example.gov.uk" in hrefs
    finally:
        app.config["SERVICE_CONTACT_EMAIL"] = ""
    assert "ask your programme officer" in text_of(browser.get("/accessibility"))


def test_the_privacy_notice_names_the_controller_the_data_and_the_rights(browser):
    text = text_of(browser.get("/privacy"))
    assert "Department for Education is the data controller" in text
    assert "IP address" in text
    assert "Article 6(1)(e)" in text
    assert "Information Commissioner" in text


@pytest.mark.sign_in_form
def test_the_cookies_page_lists_every_cookie_the_service_sets(browser):
    """Signing in through the form sets every cookie the service has; each is on the page."""
    assert browser.sign_in(OFFICER).status_code == 302
    browser.get("/home")
    set_by_the_service = {cookie.key for cookie in browser.client._cookies.values()}
    rows = page_read(browser.get("/cookies")).select("#cookies tbody tr")
    listed = {row.find("td").get_text(strip=True) for row in rows}
    assert set_by_the_service == {"session", "known_browser"}
    assert listed == set_by_the_service
