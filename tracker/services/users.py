import re

from tracker.data import users as user_data
from tracker.data.store import DuplicateError, save
from tracker.models import GRANTEE_ROLES, Organisation, Role, User
from tracker.services import audit
from tracker.services.errors import RuleBroken
from tracker.services.passwords import MIN_LENGTH, hash_password

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FIELDS = ["email", "name", "role", "organisation_id", "active"]


def check_password(password: str) -> None:
    """NCSC guidance: length, not composition rules."""
    if len(password) < MIN_LENGTH:
        raise RuleBroken(f"Password must be {MIN_LENGTH} characters or more", "password")


def _check_organisation(role: Role, organisation: Organisation | None) -> None:
    if role in GRANTEE_ROLES and organisation is None:
        raise RuleBroken("Select the organisation this grantee user belongs to", "organisation")
    if role not in GRANTEE_ROLES and organisation is not None:
        raise RuleBroken("Only grantee users belong to an organisation", "organisation")


def create_user(
    actor: audit.Actor,
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    organisation: Organisation | None = None,
    active: bool = True,
) -> User:
    """A user has a name and a real-looking email address, used once; their organisation
    matches their role."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise RuleBroken(
            "Enter an email address in the correct format, like name@example.gov.uk", "email"
        )
    if not name.strip():
        raise RuleBroken("Enter the user's full name", "name")
    check_password(password)
    _check_organisation(role, organisation)
    if user_data.user_by_email(email):
        raise RuleBroken("A user with this email address already exists", "email")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        password_hash=hash_password(password),
        organisation_id=organisation.id if organisation else None,
        active=active,
    )
    try:
        save(user)
    except DuplicateError as error:
        raise RuleBroken("A user with this email address already exists", "email") from error
    audit.record(actor, "user created", user, after=audit.snapshot(user, FIELDS))
    return user


def update_user(
    actor: audit.Actor,
    user: User,
    *,
    name: str,
    role: Role,
    organisation: Organisation | None,
    active: bool,
) -> User:
    """Admins cannot take away their own admin role or deactivate themselves."""
    _check_organisation(role, organisation)
    if actor.user_id == user.id and (role != Role.ADMIN or not active):
        raise RuleBroken("You cannot remove your own administrator access", "role")
    before = audit.snapshot(user, FIELDS)
    user.name, user.role, user.active = name.strip(), role, active
    user.organisation_id = organisation.id if organisation else None
    save(user)
    old, new = audit.changes(before, audit.snapshot(user, FIELDS))
    if new:
        audit.record(actor, "user changed", user, before=old, after=new)
    return user


def set_password(actor: audit.Actor, user: User, password: str) -> None:
    check_password(password)
    user.password_hash = hash_password(password)
    save(user)
    audit.record(actor, "password set", user)
