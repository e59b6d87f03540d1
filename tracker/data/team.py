"""What the team page lists for each kind of user: the people they look after and the
invitations they may resend or cancel."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import GRANTEE_ROLES, Invitation, Role, User


def people_for(user: User) -> list[User]:
    """A grantee: their organisation's people. An officer: every grantee organisation's lead
    and the grantee users they may make lead. An administrator: the users page has everyone."""
    query = select(User).options(joinedload(User.organisation)).order_by(User.email)
    if user.role in GRANTEE_ROLES:
        return list(db.session.scalars(query.where(User.organisation_id == user.organisation_id)))
    if user.role == Role.OFFICER:
        return list(db.session.scalars(query.where(User.role == Role.GRANTEE).limit(500)))
    return []


def invitations_for(user: User) -> list[Invitation]:
    """Invitations not yet accepted or cancelled that this user may resend or cancel."""
    query = (
        select(Invitation)
        .options(joinedload(Invitation.organisation), joinedload(Invitation.invited_by))
        .where(Invitation.accepted_at.is_(None), Invitation.cancelled_at.is_(None))
        .order_by(Invitation.created_at.desc())
    )
    if user.role in GRANTEE_ROLES:
        if not user.is_lead:
            return []
        query = query.where(
            Invitation.organisation_id == user.organisation_id, Invitation.role == Role.GRANTEE
        )
    elif user.role == Role.OFFICER:
        query = query.where(Invitation.role.in_(list(GRANTEE_ROLES)))
    return list(db.session.scalars(query.limit(500)))


def invitation_by_id(invitation_id: int) -> Invitation | None:
    return db.session.get(Invitation, invitation_id)
