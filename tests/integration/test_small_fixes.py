"""The small things a new user tripped over (issue 17, item 7): the start page's title says the
service's name once; the 360Giving hint shows the stream's own prefix; an import of one row says
"1 row" and "1 allocation"; on a dashboard page only one navigation link is current; a refused
upload names the file (the refusals themselves are in test_imports and test_evidence)."""

from tests.conftest import OFFICER, VIEWER, text_of
from tests.factories import stream
from tests.integration.test_imports import confirm, csv_file, preview_of, row
from tests.reading import soup_of


def test_the_start_page_title_names_the_service_once(browser):
    page = browser.get("/")
    assert soup_of(page).title.get_text() == "Track Hidden Harms grants - GOV.UK"


def test_the_360giving_hint_shows_the_streams_own_prefix(signed_in, transaction):
    trf = stream(transaction, "TRF")
    page = signed_in(OFFICER).get(f"/streams/{trf.id}/allocations/new")
    hint = " ".join(soup_of(page).find(id="identifier-hint").get_text(" ").split())
    assert hint == "Leave blank and one will be made, like 360G-HHT-TRF-1A2B3C4D"


def test_an_import_of_one_row_says_one_row_and_one_allocation(signed_in, transaction):
    officer = signed_in(OFFICER)
    url, _ = preview_of(officer, csv_file([row()]))
    assert confirm(officer, url).status_code == 302
    assert (
        "1 row imported from allocations.csv: 1 allocation created and 0 updated"
        in text_of(officer.get("/allocations"))
    )


def current_links(response) -> list[str]:
    soup = soup_of(response)
    return [
        " ".join(item.get_text(" ").split())
        for item in soup.select(".govuk-service-navigation__item--active")
    ]


def test_on_a_dashboard_page_only_dashboards_is_current_for_the_ministers_office(signed_in):
    viewer = signed_in(VIEWER)
    assert current_links(viewer.get("/dashboards/outputs")) == ["Dashboards"]
    assert current_links(viewer.get("/summary")) == ["Summary"]
    assert current_links(viewer.get("/dashboards")) == ["Dashboards"]
