"""Every page a user can reach, as each kind of user, in a real browser: axe finds no violation,
GOV.UK Frontend's JavaScript starts, and (through the `page` fixture) there is no console error,
uncaught error or Content-Security-Policy violation. Forms are checked again showing errors.

Each case opens its page the way a person would where the address holds a database id (by
following links), so the cases do not depend on ids. None of them changes any data: the
forms are only ever submitted with mistakes."""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_page, sign_in, signed_in_as
from tests.conftest import ADMIN, DEMO_PASSWORD, LAMBETH_GRANTEE, OFFICER, VIEWER

pytestmark = pytest.mark.browser

STREAM = "Social workers in schools"  # seeded with allocations
ORGANISATION = "Bristol City Council"


def nav(page, name: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=name).click()


def submit(page, name: str) -> None:
    page.get_by_role("button", name=name).click()


# --- how to reach each page ------------------------------------------------------------------


def start(page):
    page.goto("/")


def sign_in_page(page):
    page.goto("/")
    page.get_by_role("button", name="Sign in").click()


def sign_in_empty(page):
    sign_in_page(page)
    submit(page, "Sign in")


def sign_in_wrong_password(page):
    sign_in_page(page)
    page.get_by_label("Email address").fill(OFFICER)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD + "-wrong")
    submit(page, "Sign in")


def accessibility(page):
    page.goto("/")
    page.get_by_role("link", name="Accessibility statement").click()


def privacy(page):
    page.goto("/")
    page.get_by_role("link", name="Privacy").click()


def cookies(page):
    page.goto("/")
    page.get_by_role("link", name="Cookies").click()


def not_found(page):
    page.goto("/no-such-page")


def home(page):
    page.goto("/home")


def streams(page):
    nav(page, "Funding streams")


def stream(page):
    streams(page)
    page.get_by_role("link", name=STREAM).click()


def stream_history(page):
    stream(page)
    page.get_by_role("link", name="See the history of this stream").click()


def stream_edit(page):
    stream(page)
    page.get_by_role("link", name="Change the stream's details").click()


def new_stream(page):
    streams(page)
    page.get_by_role("link", name="Set up a funding stream").click()


def new_stream_with_errors(page):
    new_stream(page)
    submit(page, "Save")


def budget(page):
    stream(page)
    page.get_by_role("link", name="Set a year's budget").click()


def budget_with_errors(page):
    budget(page)
    page.get_by_label("Resource (RDEL)").fill("a lot")
    submit(page, "Save budget")


def new_allocation(page):
    stream(page)
    page.get_by_role("link", name="Allocate money").click()


def new_allocation_with_errors(page):
    new_allocation(page)
    submit(page, "Save as draft")


def organisations(page):
    nav(page, "Organisations")


def organisations_search(page):
    organisations(page)
    page.get_by_role("search").get_by_role("textbox").fill("city")
    submit(page, "Search")


def organisation(page):
    organisations_search(page)
    page.get_by_role("link", name=ORGANISATION).click()


def organisation_edit(page):
    organisation(page)
    page.get_by_role("link", name="Change").click()


def organisation_edit_with_errors(page):
    organisation_edit(page)
    page.get_by_label("Name").fill("")
    submit(page, "Save")


def payee_form(page):
    organisation(page)
    page.get_by_role("link", name="Add a bank account").click()


def payee_form_with_errors(page):
    """Refused, so nothing is saved: the shared database keeps no account (which would hold
    payments the other browser tests make)."""
    payee_form(page)
    page.get_by_label("Sort code").fill("12-34")
    submit(page, "Propose this account")


def new_organisation(page):
    organisations(page)
    page.get_by_role("link", name="Add an organisation").click()


def new_organisation_with_errors(page):
    new_organisation(page)
    submit(page, "Save")


def allocations(page):
    nav(page, "Allocations")


def allocations_filtered(page):
    allocations(page)
    page.get_by_label("Status").select_option(label="Active")
    submit(page, "Filter")


def allocation(page):
    stream(page)
    page.locator("#allocations").get_by_role("link").first.click()


def allocation_status(page):
    allocation(page)
    page.get_by_role("link", name="Change status").click()


def allocation_status_with_errors(page):
    allocation_status(page)
    submit(page, "Continue")


def draft_allocation_edit(page):
    allocations(page)
    page.get_by_label("Status").select_option(label="Draft")
    submit(page, "Filter")
    page.locator("table").get_by_role("link").first.click()
    page.get_by_role("link", name="Change details").click()


def delivery(page):
    allocation(page)
    page.locator("#set-up-delivery").click()


def delivery_new_project(page):
    delivery(page)
    page.get_by_role("link", name="Add a project").click()


def delivery_new_project_with_errors(page):
    delivery_new_project(page)
    submit(page, "Save and continue")


def delivery_targets(page):
    delivery(page)
    page.get_by_role("link", name=re.compile("^Targets for")).first.click()


def delivery_milestone_with_errors(page):
    delivery(page)
    page.get_by_role("link", name=re.compile("^Milestones for")).first.click()
    submit(page, "Add milestone")


def delivery_schedule_with_errors(page):
    delivery(page)
    page.get_by_role("link", name="Reporting schedule").click()
    page.get_by_label("Working days after each period ends that a return is due").fill("")
    submit(page, "Save schedule")


def users(page):
    nav(page, "Users")


def user(page):
    users(page)
    page.get_by_role("link", name=VIEWER).click()


def user_edit(page):
    user(page)
    page.get_by_role("link", name="Change").click()


def new_user(page):
    users(page)
    page.get_by_role("link", name="Invite a user").click()


def new_user_with_errors(page):
    new_user(page)
    page.get_by_label("Email address").fill("not an email address")
    submit(page, "Send invitation")


def audit(page):
    nav(page, "Audit trail")


def landing(page):
    """Where the user is taken when they sign in."""


def your_account(page):
    page.get_by_role("link", name="Your account").click()


def your_sessions(page):
    your_account(page)
    page.get_by_role("link", name="See where you are signed in").click()


def forgotten_password(page):
    sign_in_page(page)
    page.get_by_role("link", name="Forgotten your password?").click()


def forgotten_password_empty(page):
    forgotten_password(page)
    submit(page, "Send the link")


def team_of_officer(page):
    nav(page, "Invitations")


STOCKPORT_CERTIFIER = "certifier@stockport-metropolitan-borough-council.demo.org.uk"


def offer_with_errors(page):
    """The seeded offer to Stockport, accepted with nothing filled in."""
    page.get_by_role("link", name=re.compile("Social workers in Stockport schools")).first.click()
    page.get_by_role("link", name="Read the offer and accept it").click()
    submit(page, "Accept the offer")


def team_of_lead(page):
    nav(page, "Team")


def invite_colleague_with_errors(page):
    team_of_lead(page)
    page.get_by_role("link", name="Invite someone").click()
    submit(page, "Send invitation")


def change_password(page):
    your_account(page)
    page.get_by_role("link", name="Change your password").click()


def change_password_with_errors(page):
    change_password(page)
    page.get_by_label("Current password").fill("not the password")
    page.get_by_label("New password", exact=True).fill("short")
    submit(page, "Change password")


def set_up_two_factor(page):
    your_account(page)
    page.get_by_role("link", name="Set up two-factor authentication").click()


def set_up_two_factor_with_errors(page):
    set_up_two_factor(page)
    page.get_by_label("Code from your authenticator app").fill("12345")
    submit(page, "Turn on two-factor authentication")


def forbidden(page):
    page.goto("/allocations")


def signed_in_not_found(page):
    page.goto("/streams/999999")


@dataclass
class Case:
    who: str | None
    name: str
    open: Callable
    heading: str | re.Pattern
    errors: bool = False
    allow: str | None = None

    @property
    def id(self) -> str:
        return f"{self.who.split('@')[0] if self.who else 'anonymous'}:{self.name}"


CASES = [
    Case(None, "start", start, "Track Hidden Harms grants"),
    Case(None, "sign-in", sign_in_page, "Sign in"),
    Case(None, "sign-in-empty", sign_in_empty, "Sign in", errors=True),
    Case(None, "sign-in-wrong-password", sign_in_wrong_password, "Sign in", errors=True),
    Case(None, "accessibility", accessibility, re.compile("Accessibility")),
    Case(None, "privacy", privacy, "Privacy notice"),
    Case(None, "cookies", cookies, "Cookies"),
    Case(None, "404", not_found, "Page not found", allow=r"status of 404"),
    Case(OFFICER, "home", home, "Home"),
    Case(OFFICER, "streams", streams, "Funding streams"),
    Case(OFFICER, "stream", stream, STREAM),
    Case(OFFICER, "stream-history", stream_history, f"History of {STREAM}"),
    Case(OFFICER, "stream-edit", stream_edit, f"Change {STREAM}"),
    Case(OFFICER, "new-stream", new_stream, "Set up a funding stream"),
    Case(OFFICER, "new-stream-errors", new_stream_with_errors, "Set up a funding stream", True),
    Case(OFFICER, "budget", budget, f"Set a year's budget for {STREAM}"),
    Case(OFFICER, "budget-errors", budget_with_errors, f"Set a year's budget for {STREAM}", True),
    Case(OFFICER, "new-allocation", new_allocation, f"New allocation from {STREAM}"),
    Case(
        OFFICER,
        "new-allocation-errors",
        new_allocation_with_errors,
        f"New allocation from {STREAM}",
        True,
    ),
    Case(OFFICER, "organisations", organisations, "Organisations"),
    Case(OFFICER, "organisations-search", organisations_search, "Organisations"),
    Case(OFFICER, "organisation", organisation, ORGANISATION),
    Case(OFFICER, "organisation-edit", organisation_edit, re.compile(ORGANISATION)),
    Case(OFFICER, "payee", payee_form, re.compile("Bank account for")),
    Case(OFFICER, "payee-errors", payee_form_with_errors, re.compile("Bank account for"), True),
    Case(
        OFFICER,
        "organisation-edit-errors",
        organisation_edit_with_errors,
        re.compile(ORGANISATION),
        True,
    ),
    Case(OFFICER, "new-organisation", new_organisation, "Add an organisation"),
    Case(
        OFFICER,
        "new-organisation-errors",
        new_organisation_with_errors,
        "Add an organisation",
        True,
    ),
    Case(OFFICER, "allocations", allocations, "Allocations"),
    Case(OFFICER, "allocations-filtered", allocations_filtered, "Allocations"),
    Case(OFFICER, "allocation", allocation, re.compile(".")),
    Case(OFFICER, "allocation-status", allocation_status, "Change the status of this allocation"),
    Case(
        OFFICER,
        "allocation-status-errors",
        allocation_status_with_errors,
        "Change the status of this allocation",
        True,
    ),
    Case(OFFICER, "delivery", delivery, "Set up delivery"),
    Case(OFFICER, "delivery-new-project", delivery_new_project, "Add a project"),
    Case(
        OFFICER,
        "delivery-new-project-errors",
        delivery_new_project_with_errors,
        "Add a project",
        True,
    ),
    Case(OFFICER, "delivery-targets", delivery_targets, "Targets for this project"),
    Case(
        OFFICER,
        "delivery-milestone-errors",
        delivery_milestone_with_errors,
        "Add a milestone",
        True,
    ),
    Case(
        OFFICER,
        "delivery-schedule-errors",
        delivery_schedule_with_errors,
        "Reporting schedule",
        True,
    ),
    Case(OFFICER, "draft-allocation-edit", draft_allocation_edit, re.compile("^Change the alloc")),
    Case(OFFICER, "404", signed_in_not_found, "Page not found", allow=r"status of 404"),
    Case(ADMIN, "home", home, "Home"),
    Case(ADMIN, "users", users, "Users"),
    Case(ADMIN, "user", user, re.compile(re.escape(VIEWER))),
    Case(ADMIN, "user-edit", user_edit, f"Change {VIEWER}"),
    Case(ADMIN, "new-user", new_user, "Invite someone"),
    Case(ADMIN, "new-user-errors", new_user_with_errors, "Invite someone", True),
    Case(ADMIN, "audit", audit, re.compile("Audit")),
    Case(VIEWER, "home", home, "Home"),
    Case(VIEWER, "streams", streams, "Funding streams"),
    Case(VIEWER, "stream", stream, STREAM),
    Case(VIEWER, "403", forbidden, re.compile("permission"), allow=r"status of 403"),
    Case(LAMBETH_GRANTEE, "landing", landing, re.compile(".")),
    Case(OFFICER, "account", your_account, "Your account"),
    Case(OFFICER, "change-password", change_password, "Change your password"),
    Case(
        OFFICER, "change-password-errors", change_password_with_errors, "Change your password", True
    ),
    Case(VIEWER, "set-up-two-factor", set_up_two_factor, "Set up two-factor authentication"),
    Case(
        VIEWER,
        "set-up-two-factor-errors",
        set_up_two_factor_with_errors,
        "Set up two-factor authentication",
        True,
    ),
    Case(LAMBETH_GRANTEE, "account", your_account, "Your account"),
    Case(OFFICER, "sessions", your_sessions, "Where you are signed in"),
    Case(None, "forgotten-password", forgotten_password, "Reset your password"),
    Case(None, "forgotten-password-errors", forgotten_password_empty, "Reset your password", True),
    Case(OFFICER, "team", team_of_officer, "Team"),
    Case(LAMBETH_GRANTEE, "team", team_of_lead, "Team"),
    Case(LAMBETH_GRANTEE, "invite-errors", invite_colleague_with_errors, "Invite someone", True),
    Case(
        STOCKPORT_CERTIFIER,
        "offer-errors",
        offer_with_errors,
        re.compile(r"^Grant offer: Social workers in Stockport"),
        True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_page_is_accessible_and_breaks_no_rule(page, watch, case):
    if case.allow:
        watch.allow(case.allow)
    if case.who:
        signed_in_as(page, case.who)
    case.open(page)
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text(case.heading)

    summary = page.locator(".govuk-error-summary")
    if case.errors:
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        expect(page).to_have_title(re.compile(r"^Error: "))
        links = summary.get_by_role("link")
        assert links.count() >= 1
        # Every link in the summary leads to something on the page (a field, or the message
        # at the top of the form for a form's own errors).
        broken = page.evaluate(
            """[...document.querySelectorAll('.govuk-error-summary a')]
                 .map((a) => a.getAttribute('href'))
                 .filter((h) => !h.startsWith('#') || !document.getElementById(h.slice(1)))"""
        )
        assert broken == [], f"error summary links to nothing: {broken}"
    else:
        expect(summary).to_have_count(0)
    check_page(page)


TWO_FACTOR_USER = "two-factor.officer@demo.gov.uk"


def test_the_sign_in_code_page_and_turning_it_off_are_accessible(page, watch, live_server):
    """A user of its own with a second factor (so that no other test's sign-in is changed):
    the code page, the code page showing an error, and the admin's page that turns it off."""
    from tracker.data import users as user_data
    from tracker.extensions import db
    from tracker.models import Role
    from tracker.services import users as user_service
    from tracker.services.audit import SYSTEM

    with live_server.app.app_context():
        if user_data.user_by_email(TWO_FACTOR_USER) is None:
            person = user_service.create_user(
                SYSTEM,
                email=TWO_FACTOR_USER,
                name="Tess Two-Factor",
                role=Role.OFFICER,
                password=DEMO_PASSWORD,
            )
            person.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
            db.session.commit()
    sign_in(page, TWO_FACTOR_USER)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enter the code from your authenticator app"
    )
    check_page(page)
    submit(page, "Continue")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page)

    page.context.clear_cookies()
    signed_in_as(page, ADMIN)
    users(page)
    page.get_by_role("link", name=TWO_FACTOR_USER).click()
    page.get_by_role("link", name="Turn off two-factor authentication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Turn off two-factor authentication for {TWO_FACTOR_USER}"
    )
    check_page(page)
