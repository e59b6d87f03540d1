"""The route walk: every endpoint declares who may use it, the declaration matches this table,
and each role gets in, is refused (403), or is sent to sign in, exactly as the table says."""

import re

import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.routing import IntegerConverter, UUIDConverter

from tests.conftest import (
    ADMIN,
    FINANCE,
    LAMBETH_GRANTEE,
    OFFICER,
    SOUTHAMPTON_GRANTEE,
    VIEWER,
    Browser,
    text_of,
)
from tracker.access import PUBLIC, declared_access
from tracker.models import Allocation, AllocationStatus, FundingStream, Organisation, Role, User

LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"

EVERYONE = frozenset(Role)
OFFICERS = frozenset({Role.OFFICER})
CIVIL_SERVANTS = frozenset({Role.OFFICER, Role.FINANCE})
READERS = frozenset({Role.OFFICER, Role.FINANCE, Role.VIEWER})
ADMINS = frozenset({Role.ADMIN})
GRANTEES = frozenset({Role.GRANTEE, Role.CERTIFIER})
CERTIFIERS = frozenset({Role.CERTIFIER})
FINANCE_ONLY = frozenset({Role.FINANCE})
# Everyone in government, the minister's office and administrators included: not grantees.
TWO_FACTOR = frozenset({Role.OFFICER, Role.FINANCE, Role.VIEWER, Role.ADMIN})

# Who may use each endpoint. A new endpoint fails the walk until it is added here, on purpose:
# adding it is the moment to decide, and review, who it is for.
ENDPOINT_ACCESS: dict[str, frozenset] = {
    "main.index": PUBLIC,
    "main.home": EVERYONE,
    "main.health": PUBLIC,
    "main.accessibility": PUBLIC,
    "auth.sign_in": PUBLIC,
    "auth.sign_out": EVERYONE,
    # The second step of signing in: nobody is signed in yet; the page itself asks for a
    # right password a few minutes before, and sends anyone else to sign in.
    "auth.two_factor": PUBLIC,
    "account.your_account": EVERYONE,
    "account.change_password": EVERYONE,
    "account.set_up_two_factor": TWO_FACTOR,
    "streams.list_streams": READERS,
    "streams.view_stream": READERS,
    "streams.stream_history": CIVIL_SERVANTS,
    "streams.new_stream": OFFICERS,
    "streams.edit_stream": OFFICERS,
    "streams.set_budget": OFFICERS,
    "organisations.list_organisations": CIVIL_SERVANTS,
    "organisations.new_organisation": OFFICERS,
    "organisations.view_organisation": CIVIL_SERVANTS,
    "organisations.edit_organisation": OFFICERS,
    "allocations.list_allocations": CIVIL_SERVANTS,
    "allocations.new_allocation": OFFICERS,
    "allocations.view_allocation": CIVIL_SERVANTS,
    "allocations.edit_allocation": OFFICERS,
    "allocations.change_status": OFFICERS,
    "imports.upload": OFFICERS,
    "imports.preview": OFFICERS,
    "imports.confirm": OFFICERS,
    "admin.list_users": ADMINS,
    "admin.new_user": ADMINS,
    "admin.view_user": ADMINS,
    "admin.edit_user": ADMINS,
    "admin.turn_off_two_factor": ADMINS,
    "admin.audit_log": ADMINS,
    "admin.outbox": ADMINS,
    "admin.outbox_message": ADMINS,
    "grantee.overview": GRANTEES,
    "grantee.allocation": GRANTEES,
    "returns.queue": CIVIL_SERVANTS,
    "returns.view_return": CIVIL_SERVANTS | GRANTEES,
    "returns.spend": GRANTEES,
    "returns.forecast": GRANTEES,
    "returns.outputs": GRANTEES,
    "returns.milestones": GRANTEES,
    "returns.narrative": GRANTEES,
    "returns.rag": GRANTEES,
    "returns.response": GRANTEES,
    "returns.check_answers": GRANTEES,
    "returns.sign_off": CERTIFIERS,
    "returns.review": OFFICERS,
    "returns.due_date": OFFICERS,
    "evidence.manage": GRANTEES,
    "evidence.mark_done": GRANTEES,
    "evidence.remove": GRANTEES,
    "evidence.download": CIVIL_SERVANTS | GRANTEES,
    "payments.list_payments": CIVIL_SERVANTS,
    "payments.view_payment": CIVIL_SERVANTS | GRANTEES,
    "payments.approve": FINANCE_ONLY,
    "payments.mark_paid": FINANCE_ONLY,
    "payments.hold": FINANCE_ONLY,
    "payments.complete_milestone": OFFICERS,
    "variations.list_variations": CIVIL_SERVANTS,
    "variations.view_variation": CIVIL_SERVANTS | GRANTEES,
    "variations.request_years": GRANTEES,
    "variations.request_categories": GRANTEES,
    "variations.request_end_date": GRANTEES,
    "dashboards.portfolio": READERS,
    "dashboards.spend_over_time": READERS,
    "dashboards.grantees": READERS,
    "dashboards.returns": READERS,
    "dashboards.outputs": READERS,
    "dashboards.regions": READERS,
    "dashboards.evidence": READERS,
    "dashboards.figures_csv": READERS,
    "dashboards.summary": READERS,
    "exports.index": READERS,
    "exports.allocations_csv": READERS,
    "exports.allocations_xlsx": READERS,
    "exports.returns_csv": READERS,
    "exports.returns_xlsx": READERS,
    "exports.payments_csv": READERS,
    "exports.payments_xlsx": READERS,
    "exports.three_sixty_giving_package": READERS,
}
EXEMPT = {"static"}  # files under /assets: no view of ours, nothing to protect
# Pages that send a signed-in role they admit on to another page instead of showing themselves.
REDIRECTS: dict[str, dict[Role, str]] = {
    "main.index": {role: "main.home" for role in Role},
    "main.home": {Role.GRANTEE: "grantee.overview", Role.CERTIFIER: "grantee.overview"},
    # With no password just given, there is no code to ask for (None: an anonymous visitor).
    "auth.two_factor": {who: "auth.sign_in" for who in [None, *Role]},
}

# A demo user of each role (the seed gives each the role in its name).
USERS = {
    Role.OFFICER: OFFICER,
    Role.FINANCE: FINANCE,
    Role.VIEWER: VIEWER,
    Role.ADMIN: ADMIN,
    Role.GRANTEE: LAMBETH_GRANTEE,
    Role.CERTIFIER: LAMBETH_CERTIFIER,
}
VISITORS = ["anonymous", *(role.value for role in USERS)]


def rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in EXEMPT]


def sample_values(session) -> dict[str, int]:
    """A real id for the kinds of URL parameter the seed has rows for; any other is 1, which
    the page must answer without an error (the role check comes before the lookup)."""
    draft = session.scalar(
        select(Allocation)
        .where(Allocation.status == AllocationStatus.DRAFT)
        .order_by(Allocation.id)
    )
    return {
        "stream_id": session.scalar(select(FundingStream.id).order_by(FundingStream.id)),
        "organisation_id": session.scalar(select(Organisation.id).order_by(Organisation.id)),
        "allocation_id": draft.id,
        "user_id": session.scalar(select(User.id).where(User.email == VIEWER)),
    }


def listed_rules(app):
    """The rules the walk visits; one missing from the table fails the test above instead."""
    return [rule for rule in rules(app) if rule.endpoint in ENDPOINT_ACCESS]


def url_for_rule(rule, values: dict[str, int]) -> str:
    return rule.build({name: values.get(name, 1) for name in rule.arguments})[1]


def url_of(app, endpoint: str) -> str:
    with app.test_request_context():
        return url_for(endpoint)


# --- every endpoint declares its access ------------------------------------------------------


def test_every_endpoint_is_in_the_access_table(app):
    unlisted = sorted({rule.endpoint for rule in rules(app)} - ENDPOINT_ACCESS.keys())
    assert not unlisted, f"add these endpoints to ENDPOINT_ACCESS: {unlisted}"


def test_the_access_table_names_no_endpoint_that_is_gone(app):
    registered = {rule.endpoint for rule in rules(app)}
    stale = sorted(ENDPOINT_ACCESS.keys() - registered)
    assert not stale, f"these endpoints no longer exist: {stale}"


def test_every_view_declares_its_access_with_a_decorator(app):
    undeclared = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in EXEMPT and declared_access(view) is None
    )
    assert not undeclared, f"these views carry neither @requires_role nor @public: {undeclared}"


@pytest.mark.parametrize("endpoint", sorted(ENDPOINT_ACCESS))
def test_each_view_admits_exactly_the_roles_in_the_table(app, endpoint):
    assert endpoint in app.view_functions, f"{endpoint} is not registered"
    assert declared_access(app.view_functions[endpoint]) == ENDPOINT_ACCESS[endpoint]


def test_only_the_sign_in_and_information_pages_are_public(app):
    public = sorted(e for e, roles in ENDPOINT_ACCESS.items() if roles == PUBLIC)
    assert public == [
        "auth.sign_in",
        "auth.two_factor",
        "main.accessibility",
        "main.health",
        "main.index",
    ]


def test_grantees_reach_no_page_of_the_departments_own_areas():
    """Streams, all organisations, all allocations and user admin are for civil servants; a
    grantee's pages are their organisation's own (scoped in tracker/data/scoping.py)."""
    departmental = {"streams", "organisations", "allocations", "admin"}
    open_to_grantees = sorted(
        endpoint
        for endpoint, roles in ENDPOINT_ACCESS.items()
        if endpoint.split(".")[0] in departmental and roles & {Role.GRANTEE, Role.CERTIFIER}
    )
    assert not open_to_grantees


# Forms about the user's own sign-in, which every signed-in user has, the read-only too.
OWN_SIGN_IN = {"auth.sign_out", "account.change_password", "account.set_up_two_factor"}


def test_the_ministers_office_can_change_nothing(app):
    changing = sorted(
        rule.endpoint
        for rule in rules(app)
        if "POST" in rule.methods
        and Role.VIEWER in ENDPOINT_ACCESS.get(rule.endpoint, frozenset())
        and rule.endpoint not in OWN_SIGN_IN
    )
    assert not changing, f"these forms admit the read-only viewer: {changing}"


def test_only_an_admin_reaches_the_admin_pages():
    admin_pages = {e: roles for e, roles in ENDPOINT_ACCESS.items() if e.startswith("admin.")}
    assert admin_pages
    assert set(admin_pages.values()) == {ADMINS}


# --- each role gets what the table says ------------------------------------------------------


def expected(app, endpoint: str, role: Role | None, path: str) -> tuple[int, str | None]:
    """The status and Location a visitor in this role gets for a page without parameters."""
    admitted = ENDPOINT_ACCESS[endpoint]
    if role is None:
        if admitted != PUBLIC:
            return 302, f"/sign-in?next={path}"
        target = REDIRECTS.get(endpoint, {}).get(None)
        return (302, url_of(app, target)) if target else (200, None)
    if admitted != PUBLIC and role not in admitted:
        return 403, None
    target = REDIRECTS.get(endpoint, {}).get(role)
    # /home sends grantees to their organisation's page once that page is registered.
    if target is None or target not in app.view_functions:
        return 200, None
    return 302, url_of(app, target)


def visitor_for(app, signed_in, who: str) -> tuple[Browser, Role | None]:
    if who == "anonymous":
        return Browser(app.test_client()), None
    return signed_in(USERS[Role(who)]), Role(who)


@pytest.mark.parametrize("who", VISITORS)
def test_each_page_without_parameters_lets_in_refuses_or_asks_to_sign_in_by_role(
    app, signed_in, transaction, who
):
    visitor, role = visitor_for(app, signed_in, who)
    checked = 0
    for rule in listed_rules(app):
        if "GET" not in rule.methods or rule.arguments:
            continue
        response = visitor.get(rule.rule)
        status, location = expected(app, rule.endpoint, role, rule.rule)
        assert response.status_code == status, f"{who} GET {rule.rule}"
        if location is not None:
            assert response.headers["Location"] == location, f"{who} GET {rule.rule}"
        if status == 403:
            assert "You do not have permission to see this page" in text_of(response)
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("who", VISITORS)
def test_each_page_about_one_thing_lets_in_refuses_or_asks_to_sign_in_by_role(
    app, signed_in, transaction, who
):
    """What an admitted role sees depends on the data (the page, a redirect, or not found);
    it is never a refusal and never an error."""
    visitor, role = visitor_for(app, signed_in, who)
    values = sample_values(transaction)
    checked = 0
    for rule in listed_rules(app):
        if "GET" not in rule.methods or not rule.arguments:
            continue
        path = url_for_rule(rule, values)
        response = visitor.get(path)
        admitted = ENDPOINT_ACCESS[rule.endpoint]
        if role is None:
            assert response.status_code == 302, f"anonymous GET {path}"
            assert response.headers["Location"] == f"/sign-in?next={path}"
        elif role in admitted:
            assert response.status_code in {200, 302, 404}, f"{who} GET {path}"
        else:
            assert response.status_code == 403, f"{who} GET {path}"
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    ("email", "endpoint"),
    [
        (OFFICER, "streams.view_stream"),
        (VIEWER, "streams.view_stream"),
        (FINANCE, "streams.stream_history"),
        (OFFICER, "streams.edit_stream"),
        (OFFICER, "streams.set_budget"),
        (OFFICER, "allocations.new_allocation"),
        (FINANCE, "organisations.view_organisation"),
        (OFFICER, "organisations.edit_organisation"),
        (FINANCE, "allocations.view_allocation"),
        (OFFICER, "allocations.edit_allocation"),
        (OFFICER, "allocations.change_status"),
        (ADMIN, "admin.view_user"),
        (ADMIN, "admin.edit_user"),
    ],
)
def test_an_admitted_role_sees_the_page_about_a_real_thing(
    app, signed_in, transaction, email, endpoint
):
    [rule] = app.url_map.iter_rules(endpoint)
    response = signed_in(email).get(url_for_rule(rule, sample_values(transaction)))
    assert response.status_code == 200


@pytest.mark.parametrize("who", VISITORS)
def test_each_form_refuses_a_post_from_a_role_it_does_not_admit(app, signed_in, transaction, who):
    """The role check guards the POST as well as the GET: a refused role's form is never read."""
    visitor, role = visitor_for(app, signed_in, who)
    values = sample_values(transaction)
    for rule in listed_rules(app):
        admitted = ENDPOINT_ACCESS[rule.endpoint]
        if "POST" not in rule.methods or admitted == PUBLIC or (role in admitted):
            continue
        path = url_for_rule(rule, values)
        # The CSRF token comes from a page the visitor may see, so only the role is in question.
        response = visitor.post(path, {"name": "Not allowed"}, form_page="/sign-in")
        if role is None:
            assert response.status_code == 302, f"anonymous POST {path}"
            assert response.headers["Location"].startswith("/sign-in?next="), path
        else:
            assert response.status_code == 403, f"{who} POST {path}"


@pytest.mark.parametrize(
    "path",
    [
        "/streams/999999",
        "/streams/999999/history",
        "/streams/999999/edit",
        "/organisations/999999",
        "/allocations/999999",
        "/allocations/999999/status",
        "/admin/users/999999",
    ],
)
def test_a_page_about_something_that_does_not_exist_is_not_found(signed_in, path):
    visitor = signed_in(ADMIN if path.startswith("/admin") else OFFICER)
    response = visitor.get(path)
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


def test_a_grantee_cannot_see_another_organisations_allocation(signed_in, transaction):
    southampton = transaction.scalar(
        select(Organisation).where(Organisation.org_id == "GB-LAE-STH")
    )
    theirs = transaction.scalar(
        select(Allocation).where(Allocation.organisation_id == southampton.id)
    )
    assert theirs is not None
    grantee = signed_in(LAMBETH_GRANTEE)
    for path in [f"/allocations/{theirs.id}", f"/allocations/{theirs.id}/status"]:
        response = grantee.get(path)
        assert response.status_code in {403, 404}, path
        page = text_of(response)
        assert southampton.name not in page
        assert theirs.identifier not in page
        assert theirs.title not in page


def test_a_grantee_sees_their_own_allocation_but_another_organisations_is_not_found(
    app, signed_in, transaction
):
    """On the grantee's own pages another organisation's allocation is a 404, never a 403 that
    would confirm it exists."""
    if "grantee.allocation" not in app.view_functions:
        pytest.skip("the grantee blueprint is not registered yet")
    lambeth, southampton = (
        transaction.scalar(select(Organisation).where(Organisation.org_id == org_id))
        for org_id in ("GB-LAE-LBH", "GB-LAE-STH")
    )
    ours, theirs = (
        transaction.scalar(select(Allocation).where(Allocation.organisation_id == org.id))
        for org in (lambeth, southampton)
    )
    with app.test_request_context():
        own_page = url_for("grantee.allocation", allocation_id=ours.id)
        their_page = url_for("grantee.allocation", allocation_id=theirs.id)
    grantee = signed_in(LAMBETH_GRANTEE)
    assert grantee.get(own_page).status_code == 200
    response = grantee.get(their_page)
    assert response.status_code == 404
    assert southampton.name not in text_of(response)
    assert theirs.identifier not in text_of(response)


def test_a_grantee_cannot_list_allocations_or_organisations(signed_in, transaction):
    grantee = signed_in(SOUTHAMPTON_GRANTEE)
    lambeth = transaction.scalar(select(Organisation).where(Organisation.org_id == "GB-LAE-LBH"))
    for path in ["/allocations", "/organisations", f"/organisations/{lambeth.id}", "/streams"]:
        response = grantee.get(path)
        assert response.status_code == 403, path
        assert lambeth.name not in text_of(response)


def test_signing_out_without_being_signed_in_asks_to_sign_in(app, transaction):
    visitor = Browser(app.test_client())
    response = visitor.post("/sign-out", form_page="/sign-in")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


# --- the commit policy -----------------------------------------------------------------------


def test_every_view_that_takes_a_post_commits_through_the_commit_policy(app):
    missing = sorted(
        rule.endpoint
        for rule in rules(app)
        if "POST" in rule.methods
        and not getattr(app.view_functions[rule.endpoint], "commits", False)
    )
    assert not missing, f"these POST views need @commits: {missing}"


def test_no_view_that_only_reads_carries_the_commit_decorator(app):
    methods: dict[str, set[str]] = {}
    for rule in rules(app):
        methods.setdefault(rule.endpoint, set()).update(rule.methods)
    committing = sorted(
        endpoint
        for endpoint, allowed in methods.items()
        if not allowed & {"POST", "PUT", "PATCH", "DELETE"}
        and getattr(app.view_functions[endpoint], "commits", False)
    )
    assert not committing, f"these read-only views must not commit: {committing}"


# --- the shape of URLs -----------------------------------------------------------------------


def test_every_url_parameter_is_typed(app):
    untyped = sorted(
        f"{rule.rule} ({name})"
        for rule in rules(app)
        for name, converter in rule._converters.items()
        if not isinstance(converter, IntegerConverter | UUIDConverter)
    )
    assert not untyped, f"use <int:...> or <uuid:...> for: {untyped}"


def test_every_url_path_is_lower_case_kebab_case(app):
    bad = []
    for rule in rules(app):
        for part in rule.rule.strip("/").split("/"):
            if part.startswith("<") and part.endswith(">"):
                continue
            # A download may end in its file type (/exports/allocations.csv).
            if part and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+)?", part):
                bad.append(rule.rule)
    assert not bad, f"these paths are not kebab-case: {sorted(set(bad))}"


def test_every_url_parameter_is_named_for_what_it_identifies(app):
    badly_named = sorted(
        f"{rule.rule} ({name})"
        for rule in rules(app)
        for name in rule.arguments
        if not re.fullmatch(r"[a-z]+(_[a-z]+)*_id", name)
    )
    assert not badly_named, badly_named
