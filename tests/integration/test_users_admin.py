"""Administrators manage users: add them (with the checks on password, email and organisation),
change them, never lock themselves out; each change is in the audit trail. Nobody else can."""

import pytest
from sqlalchemy import func, select

from tests.conftest import (
    ADMIN,
    DEMO_PASSWORD,
    FINANCE,
    LAMBETH_GRANTEE,
    OFFICER,
    OFFICER_2,
    VIEWER,
    Browser,
    text_of,
)
from tests.reading import error_beside, soup_of, user_audit_events
from tracker.models import Organisation, Role, User
from tracker.services.passwords import verify_password

NEW_EMAIL = "new.officer@demo.gov.uk"


def error_summary(response) -> str:
    summary = soup_of(response).find(class_="govuk-error-summary")
    return " ".join(summary.get_text(" ").split()) if summary else ""


def user(session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def organisation(session, org_id: str) -> Organisation:
    return session.scalar(select(Organisation).where(Organisation.org_id == org_id))


def user_count(session) -> int:
    return session.scalar(select(func.count(User.id)))


def new_user_form(**changes) -> dict:
    return {
        "email": NEW_EMAIL,
        "name": "Nia New-Officer",
        "role": "officer",
        "organisation": "",
        "password": "a-long-enough-password",
        "active": "y",
        **changes,
    }


def edit_form(person: User, **changes) -> dict:
    form = {
        "name": person.name,
        "role": person.role.value,
        "organisation": str(person.organisation_id or ""),
        **changes,
    }
    if person.active and "active" not in changes:
        form["active"] = "y"
    return {key: value for key, value in form.items() if value is not None}


@pytest.fixture
def admin(signed_in) -> Browser:
    return signed_in(ADMIN)


# --- adding a user ---------------------------------------------------------------------------


def test_an_admin_adds_a_user_who_can_then_sign_in(app, admin, transaction):
    response = admin.post("/admin/users/new", new_user_form())
    assert response.status_code == 302
    added = user(transaction, NEW_EMAIL)
    assert added is not None
    assert response.headers["Location"] == f"/admin/users/{added.id}"
    assert added.name == "Nia New-Officer"
    assert added.role == Role.OFFICER
    assert added.organisation_id is None
    assert added.active is True
    assert added.password_hash != "a-long-enough-password"
    assert verify_password(added.password_hash, "a-long-enough-password")

    page = text_of(admin.get(response.headers["Location"]))
    assert f"{NEW_EMAIL} can now sign in" in page
    assert "Programme officer" in page

    newcomer = Browser(app.test_client())
    assert newcomer.sign_in(NEW_EMAIL, "a-long-enough-password").status_code == 302
    assert newcomer.get("/streams").status_code == 200


def test_a_new_users_email_is_stored_in_lower_case_without_spaces(admin, transaction):
    admin.post("/admin/users/new", new_user_form(email="  New.Officer@Demo.GOV.uk "))
    assert transaction.scalar(select(User.email).where(User.name == "Nia New-Officer")) == (
        NEW_EMAIL
    )


def test_adding_a_user_is_written_to_the_audit_trail_with_what_was_set(admin, transaction):
    admin.post("/admin/users/new", new_user_form())
    added = user(transaction, NEW_EMAIL)
    [event] = user_audit_events(transaction, "user created", added.id)
    assert event.actor_id == user(transaction, ADMIN).id
    assert event.before is None
    assert event.after == {
        "email": NEW_EMAIL,
        "name": "Nia New-Officer",
        "role": "officer",
        "organisation_id": None,
        "active": True,
    }
    assert "password" not in str(event.after)


def test_an_admin_adds_a_grantee_user_to_their_organisation(admin, transaction):
    lambeth = organisation(transaction, "GB-LAE-LBH")
    response = admin.post(
        "/admin/users/new",
        new_user_form(
            email="new.grantee@lambeth.example", role="grantee", organisation=str(lambeth.id)
        ),
    )
    assert response.status_code == 302
    added = user(transaction, "new.grantee@lambeth.example")
    assert added.role == Role.GRANTEE
    assert added.organisation_id == lambeth.id
    assert lambeth.name in text_of(admin.get(f"/admin/users/{added.id}"))


def test_a_user_added_as_unable_to_sign_in_cannot_sign_in(app, admin, transaction):
    form = new_user_form()
    del form["active"]
    assert admin.post("/admin/users/new", form).status_code == 302
    assert user(transaction, NEW_EMAIL).active is False
    newcomer = Browser(app.test_client())
    refused = newcomer.sign_in(NEW_EMAIL, "a-long-enough-password")
    assert refused.status_code == 200
    assert "Enter a correct email address and password" in text_of(refused)


@pytest.mark.parametrize("password", ["short", "elevenchars", "           x"])
def test_a_password_shorter_than_12_characters_is_refused_beside_the_field(
    admin, transaction, password
):
    before = user_count(transaction)
    response = admin.post("/admin/users/new", new_user_form(password=password))
    assert response.status_code == 200
    assert error_beside(response, "password") == ("Error: Password must be 12 characters or more")
    assert "Password must be 12 characters or more" in error_summary(response)
    assert soup_of(response).title.text.strip().startswith("Error: ")
    assert user(transaction, NEW_EMAIL) is None
    assert user_count(transaction) == before


def test_a_password_of_exactly_12_characters_is_accepted(admin, transaction):
    assert admin.post("/admin/users/new", new_user_form(password="twelve-chars")).status_code == 302
    assert user(transaction, NEW_EMAIL) is not None


@pytest.mark.parametrize("email", [OFFICER, "OFFICER@demo.gov.uk", f"  {OFFICER.title()}  "])
def test_an_email_address_already_in_use_is_refused_beside_the_field(admin, transaction, email):
    before = user_count(transaction)
    response = admin.post("/admin/users/new", new_user_form(email=email))
    assert response.status_code == 200
    assert error_beside(response, "email") == (
        "Error: A user with this email address already exists"
    )
    assert user_count(transaction) == before
    assert user(transaction, OFFICER).name != "Nia New-Officer"


@pytest.mark.parametrize("role", ["grantee", "certifier"])
def test_a_grantee_user_without_an_organisation_is_refused(admin, transaction, role):
    response = admin.post("/admin/users/new", new_user_form(role=role, organisation=""))
    assert response.status_code == 200
    assert error_beside(response, "organisation") == (
        "Error: Select the organisation this grantee user belongs to"
    )
    assert user(transaction, NEW_EMAIL) is None


@pytest.mark.parametrize("role", ["officer", "finance", "viewer", "admin"])
def test_a_civil_servant_with_an_organisation_is_refused(admin, transaction, role):
    lambeth = organisation(transaction, "GB-LAE-LBH")
    response = admin.post(
        "/admin/users/new", new_user_form(role=role, organisation=str(lambeth.id))
    )
    assert response.status_code == 200
    assert error_beside(response, "organisation") == (
        "Error: Only grantee users belong to an organisation"
    )
    assert user(transaction, NEW_EMAIL) is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "", "Enter the user's email address"),
        ("email", "not-an-email", "Enter an email address in the correct format"),
        ("name", "   ", "Enter the user's full name"),
        ("role", "", "Select the user's role"),
        ("role", "superuser", "Not a valid choice"),
        ("password", "", "Enter a password"),
    ],
)
def test_a_missing_or_malformed_answer_is_refused_beside_its_field(
    admin, transaction, field, value, message
):
    response = admin.post("/admin/users/new", new_user_form(**{field: value}))
    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert user(transaction, NEW_EMAIL) is None


def test_what_was_typed_is_kept_when_the_form_is_shown_again_but_not_the_password(admin):
    response = admin.post("/admin/users/new", new_user_form(password="too-short"))
    soup = soup_of(response)
    assert soup.find(id="email")["value"] == NEW_EMAIL
    assert soup.find(id="name")["value"] == "Nia New-Officer"
    assert "too-short" not in response.get_data(as_text=True)


# --- changing a user -------------------------------------------------------------------------


def test_an_admin_changes_a_users_name_and_role_and_the_audit_trail_shows_before_and_after(
    admin, transaction
):
    person = user(transaction, OFFICER_2)
    old_name = person.name
    response = admin.post(
        f"/admin/users/{person.id}/edit", edit_form(person, name="Olu Renamed", role="finance")
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{person.id}"
    transaction.expire_all()
    person = user(transaction, OFFICER_2)
    assert person.name == "Olu Renamed"
    assert person.role == Role.FINANCE
    [event] = user_audit_events(transaction, "user changed", person.id)
    assert event.actor_id == user(transaction, ADMIN).id
    assert event.before == {"name": old_name, "role": "officer"}
    assert event.after == {"name": "Olu Renamed", "role": "finance"}
    page = text_of(admin.get(f"/admin/users/{person.id}"))
    assert "The user has been updated" in page
    assert "Finance officer" in page
    assert (
        f"Ada Admin (demo) changed Olu Renamed: the name from “{old_name}” to “Olu Renamed” "
        "and the role from “officer” to “finance”." in page
    )


def test_saving_a_user_unchanged_writes_no_audit_event(admin, transaction):
    person = user(transaction, VIEWER)
    assert admin.post(f"/admin/users/{person.id}/edit", edit_form(person)).status_code == 302
    assert user_audit_events(transaction, "user changed", person.id) == []


def test_a_user_made_unable_to_sign_in_is_refused_at_sign_in(app, admin, transaction):
    person = user(transaction, FINANCE)
    response = admin.post(f"/admin/users/{person.id}/edit", edit_form(person, active=None))
    assert response.status_code == 302
    transaction.expire_all()
    assert user(transaction, FINANCE).active is False
    [event] = user_audit_events(transaction, "user changed", person.id)
    assert (event.before, event.after) == ({"active": True}, {"active": False})
    refused = Browser(app.test_client()).sign_in(FINANCE, DEMO_PASSWORD)
    assert "Enter a correct email address and password" in text_of(refused)


def test_a_grantee_cannot_be_changed_to_have_no_organisation(admin, transaction):
    person = user(transaction, LAMBETH_GRANTEE)
    response = admin.post(f"/admin/users/{person.id}/edit", edit_form(person, organisation=""))
    assert response.status_code == 200
    assert error_beside(response, "organisation") == (
        "Error: Select the organisation this grantee user belongs to"
    )
    transaction.expire_all()
    assert user(transaction, LAMBETH_GRANTEE).organisation_id == person.organisation_id


def test_the_edit_form_shows_the_users_current_answers(admin, transaction):
    person = user(transaction, LAMBETH_GRANTEE)
    soup = soup_of(admin.get(f"/admin/users/{person.id}/edit"))
    assert soup.find(id="name")["value"] == person.name
    assert soup.find("input", attrs={"name": "role", "value": "grantee"}).has_attr("checked")
    selected = soup.find("select", attrs={"name": "organisation"}).find("option", selected=True)
    assert selected["value"] == str(person.organisation_id)


@pytest.mark.parametrize(
    "changes", [{"role": "officer"}, {"role": "viewer"}, {"active": None}], ids=str
)
def test_an_admin_cannot_remove_their_own_admin_access(admin, transaction, changes):
    me = user(transaction, ADMIN)
    response = admin.post(f"/admin/users/{me.id}/edit", edit_form(me, **changes))
    assert response.status_code == 200
    assert "You cannot remove your own administrator access" in error_beside(response, "role")
    transaction.expire_all()
    me = user(transaction, ADMIN)
    assert me.role == Role.ADMIN
    assert me.active is True
    assert user_audit_events(transaction, "user changed", me.id) == []
    assert admin.get("/admin/users").status_code == 200


def test_an_admin_can_change_their_own_name(admin, transaction):
    me = user(transaction, ADMIN)
    response = admin.post(f"/admin/users/{me.id}/edit", edit_form(me, name="Ada Renamed"))
    assert response.status_code == 302
    transaction.expire_all()
    assert user(transaction, ADMIN).name == "Ada Renamed"


# --- nobody else -----------------------------------------------------------------------------


@pytest.mark.parametrize("email", [OFFICER, FINANCE, VIEWER, LAMBETH_GRANTEE])
def test_only_an_admin_sees_the_user_pages(signed_in, transaction, email):
    visitor = signed_in(email)
    someone = user(transaction, OFFICER_2)
    for path in [
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{someone.id}",
        f"/admin/users/{someone.id}/edit",
        "/admin/audit",
    ]:
        response = visitor.get(path)
        assert response.status_code == 403, path
        assert "You do not have permission to see this page" in text_of(response)
        assert OFFICER_2 not in text_of(response)


@pytest.mark.parametrize("email", [OFFICER, FINANCE, VIEWER, LAMBETH_GRANTEE])
def test_nobody_but_an_admin_can_add_or_change_a_user(signed_in, transaction, email):
    visitor = signed_in(email)
    before = user_count(transaction)
    response = visitor.post("/admin/users/new", new_user_form(role="admin"), form_page="/home")
    assert response.status_code == 403
    assert user_count(transaction) == before
    me = user(transaction, email)
    response = visitor.post(
        f"/admin/users/{me.id}/edit",
        edit_form(me, role="admin", organisation=""),
        form_page="/home",
    )
    assert response.status_code == 403
    transaction.expire_all()
    assert user(transaction, email).role != Role.ADMIN


def test_the_user_list_shows_every_user_with_their_role(admin):
    page = text_of(admin.get("/admin/users"))
    assert OFFICER in page
    assert "Programme officer" in page
    assert LAMBETH_GRANTEE in page
    assert "London Borough of Lambeth" in page


def newest_id(session) -> int:
    from tracker.models import AuditEvent

    return session.scalar(select(func.max(AuditEvent.id)))


def test_the_audit_trail_page_shows_the_newest_event_first_a_user_being_added(admin, transaction):
    admin.post("/admin/users/new", new_user_form())
    added = user(transaction, NEW_EMAIL)
    newest = soup_of(admin.get("/admin/audit")).select("#audit-events > li")[0]
    assert " ".join(newest.get_text(" ").split()).endswith(
        f"event {newest_id(transaction)} Ada Admin (demo) added {added.name}: "
        f"the email “{NEW_EMAIL}”, the role “officer” and active yes."
    )
