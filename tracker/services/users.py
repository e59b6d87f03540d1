import re
from datetime import datetime

from tracker.data import users as user_data
from tracker.data.audit import lock_chain
from tracker.data.store import DuplicateError, save
from tracker.infrastructure import clock
from tracker.models import GRANTEE_ROLES, Organisation, Role, SessionEndReason, User, UserSession
from tracker.services import audit, sessions
from tracker.services import sign_in_throttle as throttle
from tracker.services.auth import MustWait, counted_attempt
from tracker.services.errors import RuleBroken
from tracker.services.password_policy import check_password
from tracker.services.passwords import hash_password, verify_password

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FIELDS = ["email", "name", "role", "organisation_id", "active"]


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
    lead: bool = False,
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
    check_password(password, email=email)
    return add_user(
        actor,
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password),
        organisation=organisation,
        active=active,
        lead=lead,
    )


def add_user(
    actor: audit.Actor,
    *,
    email: str,
    name: str,
    role: Role,
    password_hash: str,
    organisation: Organisation | None = None,
    active: bool = True,
    lead: bool = False,
) -> User:
    """Stores a user whose password is already checked and hashed: by `create_user` (the demo
    seed and `flask create-user`) or on accepting an invitation (the person chose it)."""
    _check_organisation(role, organisation)
    if user_data.user_by_email(email):
        raise RuleBroken("A user with this email address already exists", "email")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        password_hash=password_hash,
        organisation_id=organisation.id if organisation else None,
        active=active,
        is_lead=lead and role == Role.GRANTEE,
    )
    try:
        save(user)
    except DuplicateError as error:
        raise RuleBroken("A user with this email address already exists", "email") from error
    after = audit.snapshot(user, FIELDS)
    if user.is_lead:
        after["is_lead"] = True
    audit.record(actor, "user created", user, after=after)
    return user


def update_user(
    actor: audit.Actor,
    user: User,
    *,
    name: str,
    role: Role,
    organisation: Organisation | None,
    active: bool,
    now: datetime | None = None,
) -> User:
    """Admins cannot take away their own admin role or deactivate themselves. Deactivating a
    user ends their sessions there and then."""
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
    if new.get("active") is False:
        sessions.end_all(user, SessionEndReason.USER_DEACTIVATED, now or clock.now())
    return user


CURRENT_PASSWORD_WRONG = "Your current password is not correct"  # noqa: S105


def change_own_password(
    actor: audit.Actor,
    *,
    current_password: str,
    new_password: str,
    rules: throttle.Rules,
    now: datetime,
    keep: UserSession | None,
    known_browser: str | None = None,
) -> None:
    """A signed-in user changes their own password: they must give the current one (a wrong one
    counts against them as a failed sign-in, so a borrowed session cannot guess it), the new one
    follows the password rules, and every other session of theirs ends."""
    user = actor.user
    user_id, email, password_hash = user.id, user.email, user.password_hash
    remote_address = actor.remote_address or "unknown"
    try:
        claim = counted_attempt(email, remote_address, known_browser, rules, now)
    except MustWait as wait:
        raise RuleBroken(
            "There have been too many wrong passwords. " + throttle.try_again(wait.until, now),
            "current_password",
        ) from wait
    # The slow part (two argon2 hashes) with no transaction open: nothing waits for it.
    right = verify_password(password_hash, current_password)
    new_hash, refusal = None, None
    if right:
        try:
            check_password(new_password, email=email, field="new_password")
            new_hash = hash_password(new_password)
        except RuleBroken as error:
            refusal = error
    lock_chain()
    user = user_data.user_by_id(user_id)
    if not right:
        audit.record(actor, "password change refused", user)
        raise RuleBroken(CURRENT_PASSWORD_WRONG, "current_password")
    throttle.passed(claim)  # kept (the view keeps refusals) even if the new one is refused
    if refusal is not None:
        raise refusal
    user.password_hash = new_hash
    save(user)
    ended = sessions.end_all(user, SessionEndReason.PASSWORD_CHANGED, now, keep=keep)
    audit.record(actor, "password changed", user, after={"other_sessions_ended": ended})
