"""The route walk: one table says what every kind of visitor gets from every route and method;
every endpoint declares who may use it, the declarations match the table, and a walk of the
app's registered routes finds each visitor getting exactly what the table says."""

import re

import pytest
from flask import url_for
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter, UUIDConverter

from tests.conftest import (
    ADMIN,
    FINANCE,
    LAMBETH_GRANTEE,
    OFFICER,
    SOUTHAMPTON_GRANTEE,
    VIEWER,
    Browser,
    csrf_token_from,
    text_of,
)
from tests.integration.access_things import lambeth_things
from tracker.extensions import db
from tracker.models import Allocation, AuditEvent, Organisation, Role
from tracker.web.access import PUBLIC, declared_access

LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"

# What each visitor gets from each route and method. A visitor is anonymous, a grantee or the
# certifier of the owning organisation (Lambeth, which owns every thing a URL names in this walk:
# see access_things.py), a grantee of another organisation (Southampton), or a civil servant of
# each role. What they get:
#   ok    the page (200), or for a POST the form answered (200, with its errors)
#   go    sent on to another page (302) that is not the sign-in page: for a POST, done or
#         refused with a message; for a page about a thing in the wrong state, its summary
#   sign  sent to sign in (302 to /sign-in?next=...)
#   401   the read API asking a program for its token (JSON), where a page would send to sign in
#   403   refused: the role may not use this route
#   404   not found: another organisation's thing, never a 403 that would confirm it exists
# (Lambeth's grantee, the user these URLs name, has no second factor: so turning it off sends
# the admin back to the user's page; with no password just given, the code page sends anyone
# to sign in.)
# A new route fails the walk until it is added here, on purpose: adding it is the moment to
# decide, and review, who it is for. The POSTs carry a valid CSRF token and no answers.
VISITORS = (
    "anonymous",
    "grantee",
    "other grantee",
    "certifier",
    "officer",
    "finance",
    "viewer",
    "admin",
)
ROUTES_TEXT = """
# method endpoint                          anon  grant other cert  offic finan view  admin
GET  admin.audit_log                       sign  403   403   403   403   403   403   ok
GET  admin.audit_csv                       sign  403   403   403   403   403   403   ok
GET  admin.edit_user                       sign  403   403   403   403   403   403   ok
POST admin.edit_user                       sign  403   403   403   403   403   403   ok
GET  admin.list_users                      sign  403   403   403   403   403   403   ok
GET  admin.outbox                          sign  403   403   403   403   403   403   ok
GET  admin.outbox_message                  sign  403   403   403   403   403   403   ok
GET  admin.view_user                       sign  403   403   403   403   403   403   ok
GET  admin.turn_off_two_factor             sign  403   403   403   403   403   403   go
POST admin.turn_off_two_factor             sign  403   403   403   403   403   403   go

GET  account.your_account                  sign  ok    ok    ok    ok    ok    ok    ok
GET  account.change_password               sign  ok    ok    ok    ok    ok    ok    ok
POST account.change_password               sign  ok    ok    ok    ok    ok    ok    ok
GET  account.set_up_two_factor             sign  403   403   403   ok    ok    ok    ok
POST account.set_up_two_factor             sign  403   403   403   ok    ok    ok    ok
GET  account.your_sessions                 sign  ok    ok    ok    ok    ok    ok    ok
GET  account.your_messages                 sign  ok    ok    ok    ok    ok    ok    ok
GET  account.api_tokens_page               sign  ok    ok    ok    ok    ok    ok    ok
POST account.api_tokens_page               sign  ok    ok    ok    ok    ok    ok    ok
POST account.revoke_api_token              sign  go    404   404   404   404   404   404

GET  api.openapi                           ok    ok    ok    ok    ok    ok    ok    ok
GET  api.streams                           401   403   403   403   ok    ok    ok    403
GET  api.allocations                       401   ok    ok    ok    ok    ok    403   403
GET  api.returns                           401   ok    ok    ok    ok    ok    403   403
GET  api.payments                          401   ok    ok    ok    ok    ok    403   403
GET  api.summary                           401   403   403   403   ok    ok    ok    403
POST account.sign_out_everywhere           sign  go    go    go    go    go    go    go

GET  allocations.change_status             sign  403   403   403   ok    403   403   403
POST allocations.change_status             sign  403   403   403   ok    403   403   403
GET  allocations.edit_allocation           sign  403   403   403   go    403   403   403
POST allocations.edit_allocation           sign  403   403   403   go    403   403   403
GET  allocations.list_allocations          sign  403   403   403   ok    ok    403   403
GET  delivery.task_list                   sign  403   403   403   ok    ok    403   403
GET  delivery.new_project                  sign  403   403   403   ok    403   403   403
POST delivery.new_project                  sign  403   403   403   ok    403   403   403
GET  delivery.set_targets                  sign  403   403   403   ok    403   403   403
POST delivery.set_targets                  sign  403   403   403   ok    403   403   403
GET  delivery.new_milestone                sign  403   403   403   ok    403   403   403
POST delivery.new_milestone                sign  403   403   403   ok    403   403   403
GET  delivery.set_schedule                 sign  403   403   403   ok    403   403   403
POST delivery.set_schedule                 sign  403   403   403   ok    403   403   403
GET  allocations.new_allocation            sign  403   403   403   ok    403   403   403
POST allocations.new_allocation            sign  403   403   403   ok    403   403   403
GET  allocations.view_allocation           sign  403   403   403   ok    ok    403   403
GET  allocations.offer_letter              sign  403   403   403   ok    ok    403   403

GET  auth.sign_in                          ok    ok    ok    ok    ok    ok    ok    ok
POST auth.sign_in                          ok    ok    ok    ok    ok    ok    ok    ok
POST auth.sign_out                         sign  go    go    go    go    go    go    go
GET  auth.two_factor                       go    go    go    go    go    go    go    go
POST auth.two_factor                       go    go    go    go    go    go    go    go
GET  auth.forgotten_password               ok    ok    ok    ok    ok    ok    ok    ok
POST auth.forgotten_password               ok    ok    ok    ok    ok    ok    ok    ok
GET  auth.reset_link_sent                  ok    ok    ok    ok    ok    ok    ok    ok
GET  auth.reset_password                   404   404   404   404   404   404   404   404
POST auth.reset_password                   404   404   404   404   404   404   404   404

GET  team.team                             sign  ok    ok    403   ok    403   403   ok
GET  team.invite                           sign  ok    ok    403   ok    403   403   ok
POST team.invite                           sign  ok    ok    403   ok    403   403   ok
POST team.resend_invitation                sign  go    404   403   go    403   403   go
POST team.cancel_invitation                sign  go    404   403   go    403   403   go
POST team.remove_colleague                 sign  go    404   403   403   403   403   403
POST team.change_lead                      sign  403   403   403   go    403   403   go
GET  team.accept_invitation                404   404   404   404   404   404   404   404
POST team.accept_invitation                404   404   404   404   404   404   404   404

GET  closure.final_return                  sign  ok    404   ok    403   403   403   403
POST closure.final_return                  sign  ok    404   ok    403   403   403   403
GET  closure.final_return_file             sign  ok    404   ok    ok    ok    403   403
GET  closure.receipt                       sign  403   403   403   403   ok    403   403
POST closure.receipt                       sign  403   403   403   403   ok    403   403
GET  closure.recoveries                    sign  403   403   403   ok    ok    403   403
GET  closure.recovery                      sign  403   403   403   ok    ok    403   403
GET  closure.review                        sign  403   403   403   ok    ok    403   403
POST closure.review                        sign  403   403   403   ok    403   403   403
GET  closure.write_off                     sign  403   403   403   403   ok    403   403
POST closure.write_off                     sign  403   403   403   403   ok    403   403
GET  closure.write_off_decision            sign  403   403   403   403   ok    403   403
POST closure.write_off_decision            sign  403   403   403   403   ok    403   403

GET  dashboards.evidence                   sign  403   403   403   ok    ok    ok    403
GET  dashboards.figures_csv                sign  403   403   403   ok    ok    ok    403
GET  dashboards.grantees                   sign  403   403   403   ok    ok    ok    403
GET  dashboards.outputs                    sign  403   403   403   ok    ok    ok    403
GET  dashboards.portfolio                  sign  403   403   403   ok    ok    ok    403
GET  dashboards.regions                    sign  403   403   403   ok    ok    ok    403
GET  dashboards.returns                    sign  403   403   403   ok    ok    ok    403
GET  dashboards.spend_over_time            sign  403   403   403   ok    ok    ok    403
GET  dashboards.year_end                   sign  403   403   403   ok    ok    ok    403
GET  dashboards.summary                    sign  403   403   403   ok    ok    ok    403

GET  evidence.download                     sign  ok    404   ok    ok    ok    403   403
GET  evidence.manage                       sign  ok    404   ok    403   403   403   403
POST evidence.manage                       sign  ok    404   ok    403   403   403   403
POST evidence.mark_done                    sign  go    404   go    403   403   403   403
POST evidence.remove                       sign  go    404   go    403   403   403   403

GET  exports.allocations_csv               sign  403   403   403   ok    ok    ok    403
GET  exports.allocations_xlsx              sign  403   403   403   ok    ok    ok    403
GET  exports.index                         sign  403   403   403   ok    ok    ok    403
GET  exports.payments_csv                  sign  403   403   403   ok    ok    ok    403
GET  exports.payments_xlsx                 sign  403   403   403   ok    ok    ok    403
GET  exports.returns_csv                   sign  403   403   403   ok    ok    ok    403
GET  exports.returns_xlsx                  sign  403   403   403   ok    ok    ok    403
GET  exports.three_sixty_giving_package    sign  403   403   403   ok    ok    ok    403

GET  grantee.allocation                    sign  ok    404   ok    403   403   403   403
GET  grantee.offer                         sign  ok    404   ok    403   403   403   403
POST grantee.offer                         sign  go    404   go    403   403   403   403
GET  grantee.overview                      sign  ok    ok    ok    403   403   403   403

POST imports.confirm                       sign  403   403   403   go    403   403   403
GET  imports.preview                       sign  403   403   403   go    403   403   403
GET  imports.template_csv                  sign  403   403   403   ok    403   403   403
GET  imports.template_xlsx                 sign  403   403   403   ok    403   403   403
GET  imports.upload                        sign  403   403   403   ok    403   403   403
POST imports.upload                        sign  403   403   403   ok    403   403   403

GET  main.accessibility                    ok    ok    ok    ok    ok    ok    ok    ok
GET  main.cookies                          ok    ok    ok    ok    ok    ok    ok    ok
GET  main.favicon                          go    go    go    go    go    go    go    go
GET  main.health                           ok    ok    ok    ok    ok    ok    ok    ok
GET  main.home                             sign  go    go    go    ok    ok    ok    ok
GET  main.index                            ok    go    go    go    go    go    go    go
GET  main.privacy                          ok    ok    ok    ok    ok    ok    ok    ok

GET  organisations.edit_organisation       sign  403   403   403   ok    403   403   403
POST organisations.edit_organisation       sign  403   403   403   go    403   403   403
GET  organisations.list_organisations      sign  403   403   403   ok    ok    403   403
GET  organisations.new_organisation        sign  403   403   403   ok    403   403   403
POST organisations.new_organisation        sign  403   403   403   ok    403   403   403
GET  organisations.view_organisation       sign  403   403   403   ok    ok    403   403
GET  organisations.propose_payee           sign  403   403   403   ok    403   403   403
POST organisations.propose_payee           sign  403   403   403   ok    403   403   403
GET  organisations.confirm_payee           sign  403   403   403   403   404   403   403
POST organisations.confirm_payee           sign  403   403   403   403   404   403   403

GET  payments.approve                      sign  403   403   403   403   ok    403   403
POST payments.approve                      sign  403   403   403   403   go    403   403
GET  payments.complete_milestone           sign  403   403   403   ok    403   403   403
POST payments.complete_milestone           sign  403   403   403   ok    403   403   403
GET  payments.hold                         sign  403   403   403   403   ok    403   403
POST payments.hold                         sign  403   403   403   403   ok    403   403
GET  payments.list_payments                sign  403   403   403   ok    ok    403   403
GET  payments.mark_paid                    sign  403   403   403   403   ok    403   403
POST payments.mark_paid                    sign  403   403   403   403   ok    403   403
GET  payments.view_payment                 sign  ok    404   ok    ok    ok    403   403

GET  returns.check_answers                 sign  ok    404   ok    403   403   403   403
POST returns.check_answers                 sign  ok    404   ok    403   403   403   403
GET  returns.due_date                      sign  403   403   403   ok    403   403   403
POST returns.due_date                      sign  403   403   403   ok    403   403   403
GET  returns.forecast                      sign  ok    404   ok    403   403   403   403
POST returns.forecast                      sign  ok    404   ok    403   403   403   403
GET  returns.milestones                    sign  ok    404   ok    403   403   403   403
POST returns.milestones                    sign  ok    404   ok    403   403   403   403
GET  returns.narrative                     sign  ok    404   ok    403   403   403   403
POST returns.narrative                     sign  ok    404   ok    403   403   403   403
GET  returns.outputs                       sign  ok    404   ok    403   403   403   403
POST returns.outputs                       sign  ok    404   ok    403   403   403   403
GET  returns.queue                         sign  403   403   403   ok    ok    403   403
GET  returns.rag                           sign  ok    404   ok    403   403   403   403
POST returns.rag                           sign  ok    404   ok    403   403   403   403
GET  returns.response                      sign  ok    404   ok    403   403   403   403
POST returns.response                      sign  ok    404   ok    403   403   403   403
GET  returns.review                        sign  403   403   403   go    403   403   403
POST returns.review                        sign  403   403   403   go    403   403   403
GET  returns.sign_off                      sign  403   403   go    403   403   403   403
POST returns.sign_off                      sign  403   403   go    403   403   403   403
GET  returns.spend                         sign  ok    404   ok    403   403   403   403
POST returns.spend                         sign  ok    404   ok    403   403   403   403
GET  returns.view_return                   sign  ok    404   ok    ok    ok    403   403

GET  streams.conditions                    sign  403   403   403   ok    403   403   403
POST streams.conditions                    sign  403   403   403   ok    403   403   403
GET  streams.edit_stream                   sign  403   403   403   ok    403   403   403
POST streams.edit_stream                   sign  403   403   403   ok    403   403   403
GET  streams.list_streams                  sign  403   403   403   ok    ok    ok    403
GET  streams.new_stream                    sign  403   403   403   ok    403   403   403
POST streams.new_stream                    sign  403   403   403   ok    403   403   403
GET  streams.set_budget                    sign  403   403   403   ok    403   403   403
POST streams.set_budget                    sign  403   403   403   ok    403   403   403
GET  streams.stream_history                sign  403   403   403   ok    ok    403   403
GET  streams.view_stream                   sign  403   403   403   ok    ok    ok    403

GET  variations.list_variations            sign  403   403   403   ok    ok    403   403
GET  variations.request_categories         sign  ok    404   ok    403   403   403   403
POST variations.request_categories         sign  ok    404   ok    403   403   403   403
GET  variations.request_end_date           sign  ok    404   ok    403   403   403   403
POST variations.request_end_date           sign  ok    404   ok    403   403   403   403
GET  variations.request_years              sign  ok    404   ok    403   403   403   403
POST variations.request_years              sign  ok    404   ok    403   403   403   403
GET  variations.view_variation             sign  ok    404   ok    ok    ok    403   403
POST variations.view_variation             sign  go    404   go    ok    go    403   403
"""


def read_routes(text: str) -> dict[tuple[str, str], dict[str, str]]:
    routes = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        method, endpoint, *outcomes = line.split()
        assert len(outcomes) == len(VISITORS), line
        assert set(outcomes) <= {"ok", "go", "sign", "401", "403", "404"}, line
        assert (method, endpoint) not in routes, f"{method} {endpoint} is listed twice"
        routes[(method, endpoint)] = dict(zip(VISITORS, outcomes, strict=True))
    return routes


ROUTES = read_routes(ROUTES_TEXT)
# The column that speaks for each role: a grantee and a certifier of the owning organisation.
ROLE_COLUMNS = {
    Role.GRANTEE: "grantee",
    Role.CERTIFIER: "certifier",
    Role.OFFICER: "officer",
    Role.FINANCE: "finance",
    Role.VIEWER: "viewer",
    Role.ADMIN: "admin",
}


def admitted_roles(routes) -> dict[str, frozenset]:
    """Who each endpoint admits, read off the table: a role it neither refuses nor sends to
    sign in. An endpoint the anonymous visitor may use is public (PUBLIC, the empty set)."""
    admitted: dict[str, set] = {}
    public: dict[str, bool] = {}
    for (_, endpoint), outcomes in routes.items():
        roles = admitted.setdefault(endpoint, set())
        roles.update(
            role
            for role, column in ROLE_COLUMNS.items()
            if outcomes[column] not in {"403", "sign", "401"}
        )
        # The read API asks a program for its token (401) where a page sends a person to sign in.
        public[endpoint] = public.get(endpoint, True) and outcomes["anonymous"] not in {
            "sign",
            "401",
        }
    return {e: PUBLIC if public[e] else frozenset(roles) for e, roles in admitted.items()}


ENDPOINT_ACCESS: dict[str, frozenset] = admitted_roles(ROUTES)
ADMINS = frozenset({Role.ADMIN})
EXEMPT = {"static"}  # files under /assets: no view of ours, nothing to protect
USERS = {
    "grantee": LAMBETH_GRANTEE,
    "other grantee": SOUTHAMPTON_GRANTEE,
    "certifier": LAMBETH_CERTIFIER,
    "officer": OFFICER,
    "finance": FINANCE,
    "viewer": VIEWER,
    "admin": ADMIN,
}


def rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in EXEMPT]


def routes_of(app) -> set[tuple[str, str]]:
    return {
        (method, rule.endpoint)
        for rule in rules(app)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def url_of(app, endpoint: str) -> str:
    with app.test_request_context():
        return url_for(endpoint)


# --- every endpoint declares its access ------------------------------------------------------


def test_every_route_and_method_is_in_the_access_table(app):
    unlisted = sorted(routes_of(app) - ROUTES.keys())
    assert not unlisted, f"add these routes to ROUTES_TEXT: {unlisted}"


def test_the_access_table_names_no_route_that_is_gone(app):
    stale = sorted(ROUTES.keys() - routes_of(app))
    assert not stale, f"these routes no longer exist: {stale}"


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
        "api.openapi",
        "auth.forgotten_password",
        "auth.reset_link_sent",
        "auth.reset_password",
        "auth.sign_in",
        "auth.two_factor",
        "main.accessibility",
        "main.cookies",
        "main.favicon",
        "main.health",
        "main.index",
        "main.privacy",
        "team.accept_invitation",
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
OWN_SIGN_IN = {
    "account.api_tokens_page",  # one's own read-only tokens: the viewer's too
    "account.revoke_api_token",
    "auth.sign_out",
    "account.change_password",
    "account.set_up_two_factor",
    "account.sign_out_everywhere",
}
# Forms that sign their visitor out: the walk gives the visitor its cookie back after them.
SIGNS_OUT = {"auth.sign_out", "account.sign_out_everywhere"}


def test_the_ministers_office_can_change_nothing(app):
    changing = sorted(
        rule.endpoint
        for rule in rules(app)
        if "POST" in rule.methods
        and Role.VIEWER in ENDPOINT_ACCESS.get(rule.endpoint, frozenset())
        and rule.endpoint not in OWN_SIGN_IN
    )
    assert not changing, f"these forms admit the read-only viewer: {changing}"


def test_another_organisations_things_are_not_found_rather_than_refused(app):
    """Where a grantee may use a route about one of their own things, a grantee of another
    organisation gets 404 for it (never 403, which would confirm it exists); a grantee route
    about no thing in particular shows them their own."""
    parameters = {rule.endpoint: bool(rule.arguments) for rule in rules(app)}
    wrong = sorted(
        f"{method} {endpoint}"
        for (method, endpoint), outcomes in ROUTES.items()
        if outcomes["grantee"] in {"ok", "go"}
        and outcomes["anonymous"] == "sign"
        and outcomes["other grantee"] != ("404" if parameters[endpoint] else outcomes["grantee"])
    )
    assert not wrong, wrong


def test_only_an_admin_reaches_the_admin_pages():
    admin_pages = {e: roles for e, roles in ENDPOINT_ACCESS.items() if e.startswith("admin.")}
    assert admin_pages
    assert set(admin_pages.values()) == {ADMINS}


# --- each visitor gets what the table says ----------------------------------------------------


@pytest.fixture
def visitors(app, transaction) -> dict[str, Browser]:
    visitors = {"anonymous": Browser(app.test_client())}
    for visitor, email in USERS.items():
        visitors[visitor] = Browser(app.test_client())
        assert visitors[visitor].sign_in(email).status_code == 302
    return visitors


def outcome(response) -> str:
    if response.status_code == 302:
        return "sign" if response.headers["Location"].startswith("/sign-in?next=") else "go"
    return "ok" if response.status_code == 200 else str(response.status_code)


def audit_events(session) -> int:
    return session.scalar(select(func.count(AuditEvent.id)))


def test_each_visitor_gets_what_the_table_says_from_every_route_and_method(
    app, transaction, visitors, tmp_path, monkeypatch, reliability
):
    """Every route, by every method, for every kind of visitor, about things of the owning
    organisation. Each request runs in a savepoint that is rolled back, so what one visitor
    does (removing a file, approving a payment) cannot change what the next one gets. A visitor
    refused, sent to sign in or not found changes nothing: every change is audited, and the
    audit trail does not grow. Signing out comes last: it ends the visitor's session."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    things = lambeth_things(transaction, tmp_path)
    tokens = {
        name: csrf_token_from(visitor.get("/sign-in", follow_redirects=True))
        for name, visitor in visitors.items()
    }
    connection = transaction.connection()
    wrong = []
    checked = 0
    for rule in sorted(rules(app), key=lambda r: (r.endpoint == "auth.sign_out", r.endpoint)):
        path = rule.build({name: things[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            expected = ROUTES[(method, rule.endpoint)]
            for name, visitor in visitors.items():
                db.session.remove()
                savepoint = connection.begin_nested()
                try:
                    before = audit_events(db.session)
                    cookie = visitor.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
                    if method == "GET":
                        response = visitor.get(path)
                    else:
                        response = visitor.client.post(path, data={"csrf_token": tokens[name]})
                    if rule.endpoint in SIGNS_OUT and cookie is not None:
                        visitor.client.set_cookie(cookie.key, cookie.value)
                    got = outcome(response)
                    response.close()  # a streamed download must end inside its request
                    if got != expected[name]:
                        says = expected[name]
                        wrong.append(f"{method} {path} as {name}: {got}, the table says {says}")
                    elif got in {"401", "403", "404", "sign"}:
                        if audit_events(db.session) != before:
                            wrong.append(f"{method} {path} as {name}: refused, but changed things")
                        if rule.endpoint.startswith("api."):
                            # The API refuses in JSON, saying why, never with a page.
                            assert response.mimetype == "application/json", path
                            assert response.get_json()["error"], path
                        elif got == "403":
                            assert "You do not have permission to see this page" in text_of(
                                response
                            )
                    checked += 1
                finally:
                    db.session.remove()
                    savepoint.rollback()
    assert not wrong, "\n".join(wrong)
    assert checked == len(ROUTES) * len(VISITORS)
    reliability.record("access", "routes and methods", len(ROUTES))
    reliability.record("access", "kinds of visitor", len(VISITORS))
    reliability.record("access", "requests checked against the table", checked)
    reliability.record("access", "answers not as the table says", len(wrong))


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
