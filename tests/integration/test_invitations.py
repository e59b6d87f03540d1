"""Invitations: nobody types another person's password. An administrator invites civil
servants, an officer invites grantee users and makes one their organisation's lead, and a lead
invites and removes colleagues in their own organisation only. Each invitation is an emailed,
single-use link (hashed, 7 days) on which the person sets their own password. The whole chain
runs through a real SMTP server on 127.0.0.1, as the outbox tests do."""

import hashlib
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import (
    ADMIN,
    FINANCE,
    LAMBETH_GRANTEE,
    OFFICER,
    SOUTHAMPTON_GRANTEE,
    Browser,
    text_of,
)
from tests.integration.test_notifications import (  # noqa: F401 (fixtures)
    mail_app,
    mail_server,
)
from tests.reading import error_beside
from tracker.models import AuditEvent, Invitation, Organisation, OutboxMessage, Role, User

PASSWORD = "marble kettle orchard lantern"  # noqa: S105
LINK = re.compile(r"http://[^/\s]+(/invitation\?token=\S+)")


def organisation_id(session, org_id: str) -> int:
    return session.scalar(select(Organisation.id).where(Organisation.org_id == org_id))


def invite_form(**changes) -> dict:
    return {
        "name": "Nia New",
        "email": "nia.new@demo.gov.uk",
        "role": "officer",
        "organisation": "",
        **changes,
    }


def invitation_emails(session, to: str) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "invitation", OutboxMessage.to_address == to)
            .order_by(OutboxMessage.id)
        )
    )


def link_in(body: str) -> str:
    found = LINK.search(body)
    assert found, body
    return found.group(1)


def invitations(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Invitation.id)))


def accept(visitor: Browser, link: str, password: str = PASSWORD):
    return visitor.post(link, {"new_password": password, "confirm_password": password})


# --- the chain, through a real SMTP server ---------------------------------------------------


def test_admin_invites_an_officer_who_invites_a_lead_who_invites_a_colleague_by_email(
    mail_app,  # noqa: F811
    mail_server,  # noqa: F811
):
    from tracker.extensions import db

    def latest_link_to(address: str) -> str:
        for index in reversed(range(len(mail_server.envelopes))):
            if address in mail_server.envelopes[index].rcpt_tos:
                return link_in(mail_server.message(index).get_content())
        raise AssertionError(f"nothing was sent to {address}")

    def signed_in(email: str, password: str) -> Browser:
        visitor = Browser(mail_app.test_client())
        assert visitor.sign_in(email, password).status_code == 302
        return visitor

    with mail_app.app_context():
        lambeth = organisation_id(db.session, "GB-LAE-LBH")

    admin = signed_in(ADMIN, "demo-password-for-tests")
    assert (
        admin.post(
            "/team/invite",
            invite_form(name="Olu Officer", email="olu.officer@demo.gov.uk", role="officer"),
        ).status_code
        == 302
    )
    newcomer = Browser(mail_app.test_client())
    link = latest_link_to("olu.officer@demo.gov.uk")
    assert "invited you (olu.officer@demo.gov.uk)" in text_of(newcomer.get(link))
    assert accept(newcomer, link).status_code == 302

    officer = signed_in("olu.officer@demo.gov.uk", PASSWORD)
    assert (
        officer.post(
            "/team/invite",
            invite_form(
                name="Lee Lead",
                email="lee.lead@lambeth.example",
                role="grantee",
                organisation=str(lambeth),
            ),
        ).status_code
        == 302
    )
    assert (
        accept(
            Browser(mail_app.test_client()), latest_link_to("lee.lead@lambeth.example")
        ).status_code
        == 302
    )
    with mail_app.app_context():
        lee = db.session.scalar(select(User).where(User.email == "lee.lead@lambeth.example"))
        lee_id = lee.id
    assert officer.post(f"/team/people/{lee_id}/lead", {}, form_page="/team").status_code == 302

    lead = signed_in("lee.lead@lambeth.example", PASSWORD)
    assert (
        lead.post(
            "/team/invite",
            invite_form(
                name="Cal Colleague",
                email="cal@lambeth.example",
                role="grantee",
                organisation=str(lambeth),
            ),
        ).status_code
        == 302
    )
    assert (
        accept(Browser(mail_app.test_client()), latest_link_to("cal@lambeth.example")).status_code
        == 302
    )
    colleague = signed_in("cal@lambeth.example", PASSWORD)
    assert "London Borough of Lambeth" in colleague.text("/grantee")

    with mail_app.app_context():
        made = {
            user.email: (user.role, user.organisation_id, user.is_lead)
            for user in db.session.scalars(
                select(User).where(
                    User.email.in_(
                        [
                            "olu.officer@demo.gov.uk",
                            "lee.lead@lambeth.example",
                            "cal@lambeth.example",
                        ]
                    )
                )
            )
        }
        assert made == {
            "olu.officer@demo.gov.uk": (Role.OFFICER, None, False),
            "lee.lead@lambeth.example": (Role.GRANTEE, lambeth, True),
            "cal@lambeth.example": (Role.GRANTEE, lambeth, False),
        }
        # Each email named who sent it and was marked sent.
        sent = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "invitation")
        ).all()
        assert len(sent) == 3 and all(message.sent_at for message in sent)
        assert "Lee Lead has invited you" in sent[-1].subject


# --- invitations, one rule at a time ---------------------------------------------------------


def test_the_link_is_stored_as_a_hash_works_once_and_names_who_invited(app, signed_in, transaction):
    admin = signed_in(ADMIN)
    assert admin.post("/team/invite", invite_form()).status_code == 302
    (message,) = invitation_emails(transaction, "nia.new@demo.gov.uk")
    link = link_in(message.body)
    token = link.split("token=")[1]
    stored = transaction.scalar(select(Invitation.token_hash))
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert "has invited you" in message.subject

    visitor = Browser(app.test_client())
    page = visitor.get(link)
    assert "invited you (nia.new@demo.gov.uk)" in text_of(page)
    assert accept(visitor, link).status_code == 302
    again = visitor.get(link)
    assert again.status_code == 404
    assert "already been used" in text_of(again)
    assert Browser(app.test_client()).sign_in("nia.new@demo.gov.uk", PASSWORD).status_code == 302
    actions = transaction.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("invitation%"))
    ).all()
    assert actions == ["invitation sent", "invitation accepted"]
    recorded = [repr(event.after) for event in transaction.scalars(select(AuditEvent))]
    assert not [after for after in recorded if token in after]


def test_an_expired_or_cancelled_invitation_says_so_and_changes_nothing(
    app, signed_in, transaction, clock
):
    admin = signed_in(ADMIN)
    admin.post("/team/invite", invite_form())
    admin.post("/team/invite", invite_form(email="second@demo.gov.uk"))
    expiring = link_in(invitation_emails(transaction, "nia.new@demo.gov.uk")[0].body)
    cancelled = link_in(invitation_emails(transaction, "second@demo.gov.uk")[0].body)
    second = transaction.scalar(select(Invitation).where(Invitation.email == "second@demo.gov.uk"))
    assert (
        admin.post(f"/team/invitations/{second.id}/cancel", {}, form_page="/team").status_code
        == 302
    )
    visitor = Browser(app.test_client())
    answers = {"new_password": PASSWORD, "confirm_password": PASSWORD}
    page = visitor.post(cancelled, answers, form_page="/sign-in")
    assert page.status_code == 404 and "has been cancelled" in text_of(page)
    clock.advance(days=7, minutes=1)
    page = visitor.post(expiring, answers, form_page="/sign-in")
    assert page.status_code == 404 and "has expired" in text_of(page)
    users = transaction.scalar(
        select(func.count(User.id)).where(
            User.email.in_(["nia.new@demo.gov.uk", "second@demo.gov.uk"])
        )
    )
    assert users == 0


def test_resending_replaces_the_link(app, signed_in, transaction):
    admin = signed_in(ADMIN)
    admin.post("/team/invite", invite_form())
    first = link_in(invitation_emails(transaction, "nia.new@demo.gov.uk")[0].body)
    invitation = transaction.scalar(select(Invitation))
    assert (
        admin.post(f"/team/invitations/{invitation.id}/resend", {}, form_page="/team").status_code
        == 302
    )
    second = link_in(invitation_emails(transaction, "nia.new@demo.gov.uk")[1].body)
    visitor = Browser(app.test_client())
    assert visitor.get(first).status_code == 404
    assert visitor.get(second).status_code == 200


@pytest.mark.parametrize("wrong", ["", "short", "x" * 43, "x" * 5000])
def test_tampered_or_truncated_tokens_are_not_found(browser, wrong):
    page = browser.get(f"/invitation?token={wrong}")
    assert page.status_code == 404
    assert "This invitation cannot be used" in text_of(page)


def test_a_weak_password_is_refused_beside_the_field_and_no_account_is_made(
    app, signed_in, transaction
):
    signed_in(ADMIN).post("/team/invite", invite_form())
    link = link_in(invitation_emails(transaction, "nia.new@demo.gov.uk")[0].body)
    visitor = Browser(app.test_client())
    for weak, message in (
        ("qwerty123456", "on a list of common passwords"),
        ("nia.new@demo.gov.uk", "must not be the email address"),
        ("short", "12 characters or more"),
    ):
        refused = accept(visitor, link, weak)
        assert refused.status_code == 200
        assert message in error_beside(refused, "new_password").lower()
    assert transaction.scalar(select(User).where(User.email == "nia.new@demo.gov.uk")) is None
    assert accept(visitor, link).status_code == 302


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": OFFICER}, "email", "Someone already uses this email address"),
        ({"email": f"  {OFFICER.upper()} "}, "email", "Someone already uses this email address"),
        ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
        ({"name": "  "}, "name", "Enter the person's full name"),
        ({"role": "grantee"}, "organisation", "Select the organisation"),
        ({"role": "superuser"}, "role", "Not a valid choice"),
    ],
)
def test_an_admins_invitation_with_a_bad_answer_is_refused_beside_the_field(
    signed_in, transaction, changes, field, message
):
    response = signed_in(ADMIN).post("/team/invite", invite_form(**changes))
    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert invitations(transaction) == 0


def test_inviting_someone_already_invited_says_to_resend(signed_in, transaction):
    admin = signed_in(ADMIN)
    admin.post("/team/invite", invite_form())
    again = admin.post("/team/invite", invite_form())
    assert "already has an invitation waiting" in error_beside(again, "email")
    assert invitations(transaction) == 1


def test_an_officer_invites_only_grantees(signed_in, transaction):
    officer = signed_in(OFFICER)
    refused = officer.post("/team/invite", invite_form(role="officer"))
    assert "Not a valid choice" in error_beside(refused, "role")
    assert invitations(transaction) == 0
    assert signed_in(FINANCE).get("/team/invite").status_code == 403


def test_a_lead_invites_only_grantee_colleagues_into_their_own_organisation(signed_in, transaction):
    lead = signed_in(LAMBETH_GRANTEE)
    southampton = organisation_id(transaction, "GB-LAE-STH")
    lambeth = organisation_id(transaction, "GB-LAE-LBH")
    elsewhere = lead.post(
        "/team/invite", invite_form(role="grantee", organisation=str(southampton))
    )
    assert "Not a valid choice" in error_beside(elsewhere, "organisation")
    promoted = lead.post("/team/invite", invite_form(role="officer", organisation=""))
    assert "Not a valid choice" in error_beside(promoted, "role")
    certifier = lead.post("/team/invite", invite_form(role="certifier", organisation=str(lambeth)))
    assert "Not a valid choice" in error_beside(certifier, "role")
    assert invitations(transaction) == 0
    assert (
        lead.post(
            "/team/invite", invite_form(role="grantee", organisation=str(lambeth))
        ).status_code
        == 302
    )
    assert invitations(transaction) == 1


def test_a_lead_cannot_touch_another_organisations_people_or_invitations(signed_in, transaction):
    signed_in(LAMBETH_GRANTEE).post(
        "/team/invite",
        invite_form(role="grantee", organisation=str(organisation_id(transaction, "GB-LAE-LBH"))),
    )
    invitation = transaction.scalar(select(Invitation))
    other = signed_in(SOUTHAMPTON_GRANTEE)
    lambeth_grantee = transaction.scalar(select(User).where(User.email == LAMBETH_GRANTEE))
    assert (
        other.post(f"/team/invitations/{invitation.id}/cancel", {}, form_page="/team").status_code
        == 404
    )
    assert (
        other.post(f"/team/people/{lambeth_grantee.id}/remove", {}, form_page="/team").status_code
        == 404
    )
    assert "nia.new@demo.gov.uk" not in other.text("/team")
    transaction.expire_all()
    assert invitation.cancelled_at is None and lambeth_grantee.active


def test_a_lead_removes_a_colleague_who_can_then_no_longer_sign_in(app, signed_in, transaction):
    lambeth = organisation_id(transaction, "GB-LAE-LBH")
    lead = signed_in(LAMBETH_GRANTEE)
    lead.post("/team/invite", invite_form(role="grantee", organisation=str(lambeth)))
    accept(
        Browser(app.test_client()),
        link_in(invitation_emails(transaction, "nia.new@demo.gov.uk")[0].body),
    )
    colleague = transaction.scalar(select(User).where(User.email == "nia.new@demo.gov.uk"))
    assert "Nia New" in lead.text("/team")
    assert (
        lead.post(f"/team/people/{colleague.id}/remove", {}, form_page="/team").status_code == 302
    )
    transaction.expire_all()
    assert colleague.active is False
    assert Browser(app.test_client()).sign_in("nia.new@demo.gov.uk", PASSWORD).status_code == 200


def test_only_a_lead_invites_and_an_officer_chooses_the_lead(signed_in, transaction):
    lambeth_grantee = transaction.scalar(select(User).where(User.email == LAMBETH_GRANTEE))
    officer = signed_in(OFFICER)
    assert (
        officer.post(f"/team/people/{lambeth_grantee.id}/lead", {}, form_page="/team").status_code
        == 302
    )
    transaction.expire_all()
    assert lambeth_grantee.is_lead is False
    no_longer = signed_in(LAMBETH_GRANTEE)
    assert no_longer.get("/team/invite").status_code == 403
    assert "Invite someone" not in no_longer.text("/team")
    assert (
        transaction.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "lead changed")
        )
        == 1
    )
