"""Hostile values in the query strings of the pages that filter, search, page and download:
no 5xx (a NUL byte must not reach PostgreSQL), and nothing given comes back as markup."""

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ADMIN, LAMBETH_GRANTEE, OFFICER, VIEWER
from tests.hostile.posting import raw_payloads_in
from tests.hostile.strategies import SCRIPT, hostile_text
from tracker.models import Role
from tracker.web.access import declared_access

# Every name a page of ours reads from its query string.
PARAMETERS = [
    "q",
    "stream",
    "status",
    "rag",
    "year",
    "funder",
    "region",
    "page",
    "dashboard",
    "panel",
    "show",
    "next",
    "person",
    "organisation",
    "object",
    "object_id",
    "action",
    "since",
    "until",
    "sign_ins",
    "after",
    "before",
]
ROLES = {Role.OFFICER: OFFICER, Role.ADMIN: ADMIN, Role.GRANTEE: LAMBETH_GRANTEE}
SKIPPED = {"static", "auth.sign_out", "main.health"}


def pages(app) -> list[tuple[str, str]]:
    """(path, the email of a role it admits) for every page without URL parameters."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint in SKIPPED:
            continue
        admitted = declared_access(app.view_functions[rule.endpoint])
        who = next((email for role, email in ROLES.items() if role in admitted), None)
        if who is None and admitted:
            who = VIEWER if Role.VIEWER in admitted else None
        if who is not None or not admitted:
            found.append((rule.rule, who or OFFICER))
    return sorted(found)


@pytest.fixture
def visitor(signed_in, who):
    """Signed in once for all of a test's examples (reading pages writes nothing to undo)."""
    return signed_in(who)


@pytest.mark.parametrize("who", [OFFICER, ADMIN, LAMBETH_GRANTEE])
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_query_strings_never_break_a_page(
    app, visitor, transaction, reliability, who, data
):
    own = [path for path, email in pages(app) if email == who]
    path = data.draw(st.sampled_from(own), label="page")
    names = data.draw(
        st.lists(st.sampled_from(PARAMETERS), min_size=1, max_size=3, unique=True), label="names"
    )
    query = {name: data.draw(hostile_text(), label=name) for name in names}

    response = visitor.get(f"{path}?{urlencode(query)}")

    reliability.record("hostile input", "query strings tried", 1)
    assert response.status_code < 500, f"{path}?{query}: {response.status_code}"
    if response.mimetype == "text/html":
        assert not raw_payloads_in(response, query), f"{path}: a payload shown raw"
    transaction.rollback()


@pytest.mark.parametrize("value", ["\x00", "a\x00b", SCRIPT, "9" * 30, "-1"])
@pytest.mark.parametrize("who", [OFFICER, ADMIN, LAMBETH_GRANTEE])
def test_every_parameter_of_every_page_at_once_never_breaks_it(
    app, visitor, transaction, reliability, who, value
):
    """Every page, with every parameter given the same awkward value: PostgreSQL refuses a NUL
    in text, so one that reached a query would be a 500 there."""
    query = urlencode({name: value for name in PARAMETERS})
    for path in [path for path, email in pages(app) if email == who]:
        response = visitor.get(f"{path}?{query}")
        assert response.status_code < 500, f"{path}: {response.status_code}"
        if response.mimetype == "text/html":
            assert SCRIPT not in response.get_data(as_text=True), path
        reliability.record("hostile input", "query strings tried", 1)


def pages_read_by(app, role: Role) -> list[str]:
    """Every page without URL parameters that this role may read."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and rule.endpoint not in SKIPPED
        and role in declared_access(app.view_functions[rule.endpoint])
    )


READERS_BY_EMAIL = {OFFICER: Role.OFFICER, VIEWER: Role.VIEWER, LAMBETH_GRANTEE: Role.GRANTEE}


def year_shaped() -> st.SearchStrategy[str]:
    """What a year filter might be given: a financial year label or a calendar year, from
    year 0 to beyond 9999 (FinancialYear(9999).end is in year 10000: a 500 before issue 14),
    consistent or not, with either separator."""
    year = st.integers(min_value=0, max_value=99_999)
    return st.one_of(
        st.sampled_from(["9999-00", "0000-01", "9998-99", "0001-02", "1899-00", "2100-01"]),
        year.map(lambda y: f"{y:04d}-{(y + 1) % 100:02d}"),
        year.map(lambda y: f"{y:04d}/{(y + 1) % 100:02d}"),
        year.map(str),
        st.tuples(year, st.integers(0, 99)).map(lambda p: f"{p[0]:04d}-{p[1]:02d}"),
    )


@pytest.mark.parametrize("who", [OFFICER, VIEWER, LAMBETH_GRANTEE])
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_year_out_of_range_on_any_page_is_refused_or_ignored_never_a_500(
    app, visitor, transaction, reliability, who, data
):
    """Every filter of every page the role reads, with a year-shaped value in `year` and the
    other filters drawn as well: a 400 with a message, or the filter ignored; never a 5xx."""
    own = pages_read_by(app, READERS_BY_EMAIL[who])
    path = data.draw(st.sampled_from(own), label="page")
    query = {"year": data.draw(year_shaped(), label="year")}
    for name in data.draw(st.lists(st.sampled_from(PARAMETERS), max_size=2, unique=True)):
        query.setdefault(name, data.draw(st.one_of(year_shaped(), hostile_text()), label=name))

    response = visitor.get(f"{path}?{urlencode(query)}")

    reliability.record("hostile input", "year filters tried", 1)
    assert response.status_code < 500, f"{path}?{urlencode(query)}: {response.status_code}"
    if response.status_code == 400 and response.mimetype == "text/html":
        assert "year" in response.get_data(as_text=True).lower(), "a 400 says what was wrong"
    transaction.rollback()


@pytest.mark.parametrize("year", ["9999-00", "0000-01", "9999", "0", "123456789", "2100-01"])
@pytest.mark.parametrize("who", [OFFICER, VIEWER, LAMBETH_GRANTEE])
def test_every_page_with_an_impossible_year_is_never_a_500(
    app, visitor, transaction, reliability, who, year
):
    for path in pages_read_by(app, READERS_BY_EMAIL[who]):
        response = visitor.get(f"{path}?{urlencode({'year': year})}")
        assert response.status_code < 500, f"{path}?year={year}: {response.status_code}"
        reliability.record("hostile input", "year filters tried", 1)
