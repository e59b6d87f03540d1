"""Administrators manage users: invite them (test_invitations.py), change them, never lock
themselves out; each change is in the audit trail. Nobody else can."""

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
from tracker.models import Invitation, Organisation, Role, User

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


def invite_form(**changes) -> dict:
    return {
        "email": NEW_EMAIL,
        "name": "Nia New-Officer",
        "role": "officer",
        "organisation": "",
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


# --- adding a user: by invitation (tests/integration/test_invitations.py) -------------------


def test_no_admin_page_asks_for_another_persons_password(admin):
    """People are invited and set their own password: no form takes someone else's."""
    for url in ("/admin/users", "/team/invite", "/admin/users/1/edit"):
        page = admin.get(url).get_data(as_text=True)
        assert 'type="password"' not in page, url
    assert admin.get("/admin/users/new").status_code == 404


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
    response = visitor.post("/team/invite", invite_form(role="admin"), form_page="/home")
    # Refused by role (403), or the role is not one they may give (the form says so).
    assert response.status_code in {200, 403}
    assert user_count(transaction) == before
    assert transaction.scalar(select(func.count(Invitation.id))) == 0
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


def test_the_audit_trail_page_shows_the_newest_event_first_a_user_being_invited(
    admin, transaction
):
    assert admin.post("/team/invite", invite_form()).status_code == 302
    newest = soup_of(admin.get("/admin/audit")).select("#audit-events > li")[0]
    sentence = " ".join(newest.get_text(" ").split())
    assert (
        f"event {newest_id(transaction)} Ada Admin (demo) sent the invitation of "
        f"Nia New-Officer ({NEW_EMAIL})"
    ) in sentence, sentence
