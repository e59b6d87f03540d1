"""The audit trail: every change to money, status, or who may do what is written here."""

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from tracker.data.audit import add_event
from tracker.models import AuditEvent, User


@dataclass(frozen=True)
class Actor:
    """Who is acting, and from where; built by the view from the signed-in user and request."""

    user: User | None
    remote_address: str | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None


SYSTEM = Actor(None, "system")


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def snapshot(obj, fields: list[str]) -> dict:
    """The named attributes of an object as JSON-ready values, for before/after."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(
    actor: Actor,
    action: str,
    obj=None,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Adds one event to the audit trail in the caller's transaction: who (the actor and their
    address), what, to which object, and its values before and after. Never commits."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    event = AuditEvent(
        actor_id=actor.user_id,
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        remote_address=actor.remote_address,
    )
    add_event(event)
    return event


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, on each side."""
    changed = [key for key in after if before.get(key) != after.get(key)]
    return ({key: before.get(key) for key in changed}, {key: after[key] for key in changed})
