"""Invitations: nobody ever types another person's password. People are invited by email with a
single-use link (a random token kept only as its SHA-256, valid 7 days, naming who invited
them) and set their own password on following it.

Who may invite whom:
- an administrator: anyone (civil servants, and grantee users of any organisation);
- a programme officer: grantee users and certifiers of any organisation;
- a grantee organisation's lead (a flag an officer sets): grantee users of their own
  organisation only, never a certifier or a civil servant.
Whoever may invite someone may resend or cancel that invitation. Accepting an expired, used or
cancelled invitation says which and changes nothing."""

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from tracker.data import account_links as links
from tracker.data import users as user_data
from tracker.data.audit import lock_chain
from tracker.data.store import save
from tracker.models import GRANTEE_ROLES, Invitation, Organisation, Role, User
from tracker.services import audit, notify
from tracker.services import users as user_service
from tracker.services.errors import RuleBroken
from tracker.services.password_policy import check_password
from tracker.services.passwords import hash_password

VALID_FOR = timedelta(days=7)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FIELDS = ["email", "name", "role", "organisation_id"]


class InvitationNotUsable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "unknown", "expired", "accepted" or "cancelled"


def token_hash(token: str) -> str:
    """What is stored of an invitation's token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def roles_inviter_may_give(inviter: User) -> list[Role]:
    """An administrator may give any role; an officer a grantee's; a grantee lead only
    their own (never a role above it)."""
    if inviter.role == Role.ADMIN:
        return list(Role)
    if inviter.role == Role.OFFICER:
        return [Role.GRANTEE, Role.CERTIFIER]
    if inviter.role == Role.GRANTEE and inviter.is_lead:
        return [Role.GRANTEE]
    return []


def may_invite(inviter: User, role: Role, organisation: Organisation | None) -> bool:
    """The role is one the inviter may give, and a grantee invites only into their own
    organisation."""
    if role not in roles_inviter_may_give(inviter):
        return False
    if inviter.role in GRANTEE_ROLES:
        return organisation is not None and organisation.id == inviter.organisation_id
    return True


def _check(inviter: User, email: str, name: str, role: Role, organisation) -> None:
    if not EMAIL.match(email):
        raise RuleBroken(
            "Enter an email address in the correct format, like name@example.gov.uk", "email"
        )
    if not name.strip():
        raise RuleBroken("Enter the person's full name", "name")
    if role in GRANTEE_ROLES and organisation is None:
        raise RuleBroken("Select the organisation this grantee user belongs to", "organisation")
    if role not in GRANTEE_ROLES and organisation is not None:
        raise RuleBroken("Only grantee users belong to an organisation", "organisation")
    if not may_invite(inviter, role, organisation):
        raise RuleBroken("You cannot invite someone with this role here", "role")
    if user_data.user_by_email(email) is not None:
        raise RuleBroken("Someone already uses this email address to sign in", "email")
    if pending_for(email) is not None:
        raise RuleBroken(
            "This person already has an invitation waiting: resend or cancel it instead", "email"
        )


def pending_for(email: str) -> Invitation | None:
    """The invitation still waiting for this address, if any (one at a time)."""
    return links.pending_invitation_for(email)


def _send(invitation: Invitation, token: str, link_for: Callable[[str], str]) -> None:
    inviter = invitation.invited_by.name if invitation.invited_by else "The grants team"
    where = f" for {invitation.organisation.name}" if invitation.organisation else ""
    notify.queue_email(
        invitation.email,
        f"{inviter} has invited you to the Hidden Harms grant tracker",
        f"Dear {invitation.name},\n\n"
        f"{inviter} has invited you to use the Hidden Harms grant tracker as "
        f"{invitation.role.label.lower()}{where}.\n\n"
        f"To accept, open this link and choose your password:\n\n{link_for(token)}\n\n"
        f"The link works once and expires on {invitation.expires_at:%d %B %Y at %H:%M} UTC. "
        "If you were not expecting it you can ignore this email.\n",
        kind="invitation",
    )


def invite(
    actor: audit.Actor,
    *,
    email: str,
    name: str,
    role: Role,
    organisation: Organisation | None,
    now: datetime,
    link_for: Callable[[str], str],
) -> Invitation:
    """Invites someone with a role the actor may give, to an organisation they may invite to;
    an address already in use, or already invited, is refused."""
    email = email.strip().lower()
    _check(actor.user, email, name, role, organisation)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=token_hash(token),
        email=email,
        name=name.strip(),
        role=role,
        organisation=organisation,
        organisation_id=organisation.id if organisation else None,
        invited_by=actor.user,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    save(invitation)
    _send(invitation, token, link_for)
    audit.record(actor, "invitation sent", invitation, after=audit.snapshot(invitation, FIELDS))
    return invitation


def may_manage(actor_user: User, invitation: Invitation) -> bool:
    """Resending or cancelling an invitation needs the right to have sent it."""
    return may_invite(actor_user, invitation.role, invitation.organisation)


def resend(
    actor: audit.Actor, invitation: Invitation, now: datetime, link_for: Callable[[str], str]
) -> None:
    """A new link (the old one stops working), valid 7 days from now."""
    if not invitation.pending:
        raise RuleBroken(f"This invitation has been {invitation.state(now)}")
    token = secrets.token_urlsafe(32)
    invitation.token_hash, invitation.expires_at = token_hash(token), now + VALID_FOR
    save(invitation)
    _send(invitation, token, link_for)
    audit.record(actor, "invitation resent", invitation)


def cancel(actor: audit.Actor, invitation: Invitation, now: datetime) -> None:
    """Only a pending invitation can be cancelled; its link stops working at once."""
    if not invitation.pending:
        raise RuleBroken(f"This invitation has been {invitation.state(now)}")
    invitation.cancelled_at = now
    save(invitation)
    audit.record(actor, "invitation cancelled", invitation)


def usable_invitation(token: str, now: datetime) -> Invitation:
    """The pending invitation a link's token belongs to; else InvitationNotUsable saying why
    (unknown, expired, used or cancelled), the same for a tampered token as an unknown one."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise InvitationNotUsable("unknown")
    found = links.invitation_by_token_hash(token_hash(token))
    if found is None:
        raise InvitationNotUsable("unknown")
    state = found.state(now)
    if state != "pending":
        raise InvitationNotUsable(state)
    return found


def accept(token: str, password: str, remote_address: str, now: datetime) -> User:
    """The invited person chooses their password (the password rules apply) and their account is
    made with the invitation's role and organisation. Used once: of two acceptances racing, one
    wins (a conditional update). The password is hashed before any lock is taken."""
    invitation = usable_invitation(token, now)
    check_password(password, email=invitation.email, field="new_password")
    password_hash = hash_password(password)
    lock_chain()
    if not links.claim_invitation(invitation, now):
        raise InvitationNotUsable("accepted")
    actor = audit.Actor(None, remote_address)
    user = user_service.add_user(
        actor,
        email=invitation.email,
        name=invitation.name,
        role=invitation.role,
        password_hash=password_hash,
        organisation=invitation.organisation,
    )
    invitation.user_id = user.id
    save(invitation)
    audit.record(audit.Actor(user, remote_address), "invitation accepted", invitation)
    return user


def set_lead(actor: audit.Actor, user: User, is_lead: bool) -> None:
    """An officer (or administrator) makes a grantee user their organisation's lead, or not."""
    if user.role != Role.GRANTEE:
        raise RuleBroken("Only a grantee user can lead their organisation's team")
    if user.is_lead != is_lead:
        user.is_lead = is_lead
        save(user)
        audit.record(actor, "lead changed", user, after={"is_lead": is_lead})


def remove_colleague(actor: audit.Actor, user: User, now: datetime) -> None:
    """A lead removes a colleague of their own organisation (never themselves): the account is
    deactivated, which ends its sessions."""
    lead = actor.user
    if user.organisation_id != lead.organisation_id or user.role != Role.GRANTEE:
        raise RuleBroken("You can only remove people in your own organisation")
    if user.id == lead.id:
        raise RuleBroken("You cannot remove yourself")
    user_service.update_user(
        actor,
        user,
        name=user.name,
        role=user.role,
        organisation=user.organisation,
        active=False,
        now=now,
    )
