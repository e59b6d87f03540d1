"""Grantee organisations: finding them, adding and changing them, their history, and what
happens when someone types something strange or hostile."""

import pytest
from sqlalchemy import select

from tests.conftest import FINANCE, OFFICER, OFFICER_NAME, VIEWER, text_of
from tests.factories import organisation
from tests.reading import count, error_beside, history_rows, soup_of, value_of
from tracker.models import AuditEvent, Organisation, OrganisationType

# --- helpers -----------------------------------------------------------------------------------


def listed_names(response) -> list[str]:
    table = soup_of(response).find("table")
    if table is None:
        return []
    return [row.td.a.get_text(strip=True) for row in table.tbody.find_all("tr")]


def result_count(response) -> str:
    return " ".join(soup_of(response).find(id="result-count").get_text(" ").split())


def answers(**changes) -> dict:
    given = {
        "name": "Safe Futures Trust",
        "type": "charity",
        "org_id": "GB-CHC-1234567",
        "region": "North West",
        "local_authority_code": "",
    }
    given.update(changes)
    return given


@pytest.fixture
def officer(signed_in):
    return signed_in(OFFICER)


# --- finding organisations ---------------------------------------------------------------------


def test_the_list_shows_every_organisation_in_name_order(officer, transaction):
    response = officer.get("/organisations")
    assert response.status_code == 200
    names = listed_names(response)
    total = count(transaction, Organisation)
    assert result_count(response) == f"{total} organisations"
    assert len(names) == total
    assert names == sorted(names)
    assert "London Borough of Lambeth" in names
    row = soup_of(response).find("a", string="London Borough of Lambeth").find_parent("tr")
    assert "GB-LAE-LBH" in row.get_text(" ")
    assert "London" in row.get_text(" ")


@pytest.mark.parametrize("term", ["lambeth", "LAMBETH", "  Borough of Lamb ", "gb-lae-lbh", "LBH"])
def test_searching_finds_an_organisation_by_name_or_identifier_whatever_the_case(officer, term):
    response = officer.get("/organisations", query_string={"q": term})
    assert response.status_code == 200
    assert listed_names(response) == ["London Borough of Lambeth"]
    assert result_count(response) == f"1 organisation matching ‘{term.strip()}’"
    assert value_of(response, "q") == term.strip()


def test_searching_for_part_of_many_names_finds_them_all(officer):
    response = officer.get("/organisations", query_string={"q": "city council"})
    names = listed_names(response)
    assert "Southampton City Council" in names
    assert "Birmingham City Council" in names
    assert "London Borough of Lambeth" not in names
    assert all("city council" in name.lower() for name in names)


def test_searching_for_something_nobody_is_called_finds_nothing(officer):
    response = officer.get("/organisations", query_string={"q": "zzz no such body"})
    assert response.status_code == 200
    assert listed_names(response) == []
    assert result_count(response) == "0 organisations matching ‘zzz no such body’"


@pytest.mark.parametrize("term", ["%", "_", "%%%", "' OR 1=1 --", "\\"])
def test_wildcards_and_quotes_in_a_search_are_not_special(officer, term):
    response = officer.get("/organisations", query_string={"q": f"Lambeth{term}"})
    assert response.status_code == 200
    # "%" and "_" are dropped; a quote or backslash simply matches nothing here.
    assert listed_names(response) in (["London Borough of Lambeth"], [])


def test_the_list_is_split_into_pages_of_fifty(officer, transaction):
    transaction.add_all(
        Organisation(
            name=f"Pagination test charity {n:03}",
            slug=f"pagination-test-charity-{n:03}",
            type=OrganisationType.CHARITY,
            org_id=f"GB-CHC-{9_000_000 + n}",
        )
        for n in range(60)
    )
    transaction.commit()  # a savepoint, rolled back with the rest at the end of the test
    total = count(transaction, Organisation)
    assert total > 50

    first = officer.get("/organisations")
    assert len(listed_names(first)) == 50
    assert f"Page 1 of {-(-total // 50)}" in text_of(first)
    next_link = soup_of(first).find("a", rel="next")
    assert next_link is not None
    assert soup_of(first).find("a", rel="prev") is None

    second = officer.get(next_link["href"])
    assert second.status_code == 200
    assert "Page 2 of" in text_of(second)
    assert soup_of(second).find("a", rel="prev") is not None
    together = listed_names(first) + listed_names(second)
    assert len(set(together)) == len(together) == min(total, 100)
    assert together == sorted(together)

    # Searching keeps to its own results, and the next page keeps the search.
    found = officer.get("/organisations", query_string={"q": "pagination test"})
    assert result_count(found) == "60 organisations matching ‘pagination test’"
    link = soup_of(found).find("a", rel="next")["href"]
    assert "q=pagination" in link
    assert len(listed_names(officer.get(link))) == 10


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999", "999999999999999999999", "²", "١"])
def test_a_strange_page_number_never_breaks_the_list(officer, page):
    response = officer.get("/organisations", query_string={"page": page})
    assert response.status_code == 200


# --- adding an organisation --------------------------------------------------------------------


def test_an_officer_adds_an_organisation_and_it_is_stored_and_audited(officer, transaction):
    response = officer.post(
        "/organisations/new",
        answers(org_id=" gb-chc-1234567 ", type="charity", region="North West"),
    )
    assert response.status_code == 302, text_of(response)[:600]
    added = organisation(transaction, "GB-CHC-1234567")  # kept in its standard form
    assert response.headers["Location"].endswith(f"/organisations/{added.id}")
    assert added.name == "Safe Futures Trust"
    assert added.type == OrganisationType.CHARITY
    assert added.region == "North West"
    assert added.slug == "safe-futures-trust"
    assert added.is_illustrative is False

    page = officer.get(response.headers["Location"])
    assert "Safe Futures Trust has been added" in text_of(page)
    [created] = history_rows(page)
    assert created["sentence"].startswith(
        f"{OFFICER_NAME} added the organisation Safe Futures Trust: the type “charity”"
    )
    assert "the org-id “GB-CHC-1234567”" in created["sentence"]

    event = transaction.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "organisation", AuditEvent.object_id == added.id
        )
    ).one()
    assert event.action == "organisation created"
    assert event.before is None
    assert event.after["org_id"] == "GB-CHC-1234567"
    assert event.after["type"] == "charity"


def test_a_local_authority_with_its_ons_code_is_added(officer, transaction):
    response = officer.post(
        "/organisations/new",
        answers(
            name="Royal Borough of Greenwich",
            type="local authority",
            org_id="GB-LAE-GRE",
            region="London",
            local_authority_code="e09000011",
        ),
    )
    assert response.status_code == 302, text_of(response)[:600]
    assert organisation(transaction, "GB-LAE-GRE").local_authority_code == "E09000011"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"org_id": "GB-LAE-12", "type": "local authority"},
            "org_id",
            "Enter a Local authorities in England identifier in the right shape, like GB-LAE-LBH",
        ),
        (
            {"org_id": "XX-123"},
            "org_id",
            "Enter an identifier that starts with a known scheme",
        ),
        (
            {"org_id": "gb-lae-lbh"},
            "org_id",
            "London Borough of Lambeth already has the identifier GB-LAE-LBH",
        ),
        ({"org_id": "GB-CHC-12345"}, "org_id", "Charity Commission for England and Wales"),
        ({"org_id": ""}, "org_id", "Enter the organisation identifier"),
        ({"name": ""}, "name", "Enter the organisation's name"),
        ({"type": ""}, "type", "Select the type of organisation"),
        (
            {"local_authority_code": "E09000022" + "1234567890123456789012"},
            "local_authority_code",
            "The code must be 9 characters, like E09000022",
        ),
        (
            {"local_authority_code": "X09000022"},
            "local_authority_code",
            "Enter the ONS local authority code as a letter and 8 digits, like E09000022",
        ),
    ],
    ids=[
        "GB-LAE-12",
        "XX-123",
        "duplicate",
        "short charity number",
        "no org-id",
        "no name",
        "no type",
        "31-character ONS code",
        "ONS code of the wrong shape",
    ],
)
def test_an_organisation_with_a_bad_answer_is_refused_beside_the_field_and_nothing_is_stored(
    officer, transaction, changes, field, message
):
    organisations_before = count(transaction, Organisation)
    events_before = count(transaction, AuditEvent)
    given = answers(**changes)
    response = officer.post("/organisations/new", given)
    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert soup_of(response).title.get_text().startswith("Error: ")
    for other in ("name", "org_id", "local_authority_code"):
        if other not in changes:
            assert value_of(response, other) == given[other], other
    if "type" not in changes:
        assert value_of(response, "type") == given["type"]
    assert value_of(response, "region") == "North West"
    assert count(transaction, Organisation) == organisations_before
    assert count(transaction, AuditEvent) == events_before


# --- changing an organisation ------------------------------------------------------------------


def test_the_change_form_starts_with_the_organisations_answers(officer, transaction):
    lambeth = organisation(transaction, "GB-LAE-LBH")
    response = officer.get(f"/organisations/{lambeth.id}/edit")
    assert response.status_code == 200
    assert value_of(response, "name") == "London Borough of Lambeth"
    assert value_of(response, "type") == "local authority"
    assert value_of(response, "org_id") == "GB-LAE-LBH"
    assert value_of(response, "region") == "London"
    assert value_of(response, "local_authority_code") == "E09000022"


def test_an_officer_changes_an_organisation_and_its_history_shows_before_and_after(
    officer, transaction
):
    southampton = organisation(transaction, "GB-LAE-STH")
    response = officer.post(
        f"/organisations/{southampton.id}/edit",
        {
            "name": "Southampton City Council (children's services)",
            "type": "local authority",
            "org_id": "GB-LAE-STH",
            "region": "South East",
            "local_authority_code": "E06000045",
        },
    )
    assert response.status_code == 302, text_of(response)[:600]
    transaction.refresh(southampton)
    assert southampton.name == "Southampton City Council (children's services)"

    page = officer.get(f"/organisations/{southampton.id}")
    assert "The organisation has been updated" in text_of(page)
    rows = history_rows(page)
    assert rows[0]["sentence"] == (
        f"{OFFICER_NAME} changed the organisation Southampton City Council (children's "
        "services): the name from “Southampton City Council” to “Southampton City Council "
        "(children's services)”."
    )
    assert rows[-1]["sentence"].startswith("The service added the organisation Southampton")

    event = transaction.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "organisation", AuditEvent.object_id == southampton.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.action == "organisation changed"
    assert event.actor.email == OFFICER
    assert event.before == {"name": "Southampton City Council"}


def test_changing_an_organisation_to_anothers_identifier_is_refused(officer, transaction):
    southampton = organisation(transaction, "GB-LAE-STH")
    events_before = count(transaction, AuditEvent)
    response = officer.post(
        f"/organisations/{southampton.id}/edit",
        {
            "name": "Southampton City Council",
            "type": "local authority",
            "org_id": "GB-LAE-LBH",
            "region": "South East",
            "local_authority_code": "E06000045",
        },
    )
    assert response.status_code == 200
    assert "London Borough of Lambeth already has the identifier GB-LAE-LBH" in error_beside(
        response, "org_id"
    )
    transaction.refresh(southampton)
    assert southampton.org_id == "GB-LAE-STH"
    assert count(transaction, AuditEvent) == events_before


def test_saving_an_organisation_unchanged_records_no_change(officer, transaction):
    lambeth = organisation(transaction, "GB-LAE-LBH")
    events_before = count(transaction, AuditEvent)
    response = officer.post(
        f"/organisations/{lambeth.id}/edit",
        {
            "name": "London Borough of Lambeth",
            "type": "local authority",
            "org_id": "GB-LAE-LBH",
            "region": "London",
            "local_authority_code": "E09000022",
        },
    )
    assert response.status_code == 302
    assert count(transaction, AuditEvent) == events_before


# --- who may do what ---------------------------------------------------------------------------


def test_finance_can_read_organisations_but_not_add_or_change_them(signed_in, transaction):
    lambeth = organisation(transaction, "GB-LAE-LBH")
    finance = signed_in(FINANCE)
    assert finance.get("/organisations").status_code == 200
    assert "Add an organisation" not in text_of(finance.get("/organisations"))
    assert finance.get(f"/organisations/{lambeth.id}").status_code == 200
    before = count(transaction, Organisation)
    for url in ("/organisations/new", f"/organisations/{lambeth.id}/edit"):
        assert finance.get(url).status_code == 403
        refused = finance.post(url, answers(), form_page="/organisations")
        assert refused.status_code == 403
    assert count(transaction, Organisation) == before
    transaction.refresh(lambeth)
    assert lambeth.name == "London Borough of Lambeth"


def test_the_ministers_office_does_not_see_organisations(signed_in):
    assert signed_in(VIEWER).get("/organisations").status_code == 403


# --- hostile input -----------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_a_name_that_looks_like_html_is_stored_as_typed_and_shown_escaped(officer, transaction):
    response = officer.post("/organisations/new", answers(name=SCRIPT))
    assert response.status_code == 302
    added = organisation(transaction, "GB-CHC-1234567")
    assert added.name == SCRIPT
    for url in (
        response.headers["Location"],
        "/organisations",
        f"/organisations/{added.id}/edit",
        "/organisations?q=" + "%3Cscript%3E",
    ):
        page = officer.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert SCRIPT not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert SCRIPT in text_of(page), url
    # Nothing the page runs came from the name.
    page = officer.get(response.headers["Location"])
    assert all("alert" not in (s.string or "") for s in soup_of(page).find_all("script"))


@pytest.mark.parametrize(
    "name",
    [
        "Evil\x00Org",
        "Bell\x07ringers",
        "Escape\x1b[31m",
        "Back\x08space",
    ],
    ids=["NUL", "BEL", "ESC", "backspace"],
)
def test_a_name_with_control_characters_is_refused_and_nothing_is_stored(
    officer, transaction, name
):
    before = count(transaction, Organisation)
    response = officer.post("/organisations/new", answers(name=name))
    assert response.status_code == 200
    assert "Remove the unusual characters from this answer" in error_beside(response, "name")
    assert count(transaction, Organisation) == before


@pytest.mark.parametrize("length", [201, 5_000, 100_000])
def test_a_very_long_name_is_refused_and_nothing_is_stored(officer, transaction, length):
    before = count(transaction, Organisation)
    response = officer.post("/organisations/new", answers(name="A" * length))
    assert response.status_code == 200
    assert "The name must be 200 characters or fewer" in error_beside(response, "name")
    assert count(transaction, Organisation) == before


def test_a_name_of_exactly_two_hundred_characters_is_accepted(officer, transaction):
    name = "Cyngor Sir Ynys Môn – " + "ŵ" * (200 - len("Cyngor Sir Ynys Môn – "))
    response = officer.post("/organisations/new", answers(name=name))
    assert response.status_code == 302, text_of(response)[:400]
    assert organisation(transaction, "GB-CHC-1234567").name == name


@pytest.mark.parametrize(
    "changes",
    [
        {"org_id": "GB-CHC-1234567\x00"},
        {"org_id": "GB-CHC-" + "1" * 100_000},
        {"org_id": "<script>alert(1)</script>"},
        {"local_authority_code": "E0900\x0002"},
        {"local_authority_code": "E09000022" + "\x00" * 22},
        {"region": "London\x00"},
        {"region": "Atlantis"},
        {"type": "spaceship"},
        {"type": "charity\x00"},
        {"org_id": "GB-LAE-LBH\r\n"},
        {"name": "  \t  "},
    ],
    ids=[
        "NUL in org-id",
        "100k org-id",
        "script org-id",
        "NUL in ONS code",
        "NULs after ONS code",
        "NUL in region",
        "unknown region",
        "unknown type",
        "NUL in type",
        "existing org-id with a line ending",
        "only whitespace",
    ],
)
def test_hostile_answers_never_break_the_page_and_store_nothing(officer, transaction, changes):
    organisations_before = count(transaction, Organisation)
    events_before = count(transaction, AuditEvent)
    response = officer.post("/organisations/new", answers(**changes))
    assert response.status_code == 200
    assert soup_of(response).find(class_="govuk-error-summary") is not None
    assert count(transaction, Organisation) == organisations_before
    assert count(transaction, AuditEvent) == events_before


def test_hostile_answers_when_changing_an_organisation_store_nothing(officer, transaction):
    lambeth = organisation(transaction, "GB-LAE-LBH")
    events_before = count(transaction, AuditEvent)
    for hostile in (
        {"name": "Lambeth\x00"},
        {"name": "L" * 10_000},
        {"org_id": "GB-LAE-\x00BH"},
        {"local_authority_code": "E09000022E09000022E09000022E0900"},
    ):
        given = {
            "name": "London Borough of Lambeth",
            "type": "local authority",
            "org_id": "GB-LAE-LBH",
            "region": "London",
            "local_authority_code": "E09000022",
            **hostile,
        }
        response = officer.post(f"/organisations/{lambeth.id}/edit", given)
        assert response.status_code == 200, hostile
    transaction.refresh(lambeth)
    assert (lambeth.name, lambeth.org_id, lambeth.local_authority_code) == (
        "London Borough of Lambeth",
        "GB-LAE-LBH",
        "E09000022",
    )
    assert count(transaction, AuditEvent) == events_before


@pytest.mark.parametrize(
    "term",
    ["\x00", "Lam\x00beth", "\x1b[2J", "%00", "A" * 5_000, "<script>alert(1)</script>", "🙂"],
    ids=["NUL", "NUL inside", "ESC", "percent-00", "5000 characters", "script", "emoji"],
)
def test_a_hostile_search_never_breaks_the_list(officer, term):
    response = officer.get("/organisations", query_string={"q": term})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/organisations/0",
        "/organisations/2147483648",
        "/organisations/99999999999999999999",
        "/organisations/99999999999999999999/edit",
        "/organisations/-1",
        "/organisations/1e3",
    ],
)
def test_an_organisation_that_does_not_exist_is_not_found(officer, url):
    assert officer.get(url).status_code == 404
