"""Writes: services add objects through here and flush; the commit policy commits."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db


class DuplicateError(Exception):
    pass


class ConcurrentChange(Exception):
    """Someone else changed the same row (its version) since it was read."""


def save(*objects) -> None:
    """Add and flush, so ids exist and database rules are checked now. A unique-constraint
    breach is raised as DuplicateError, a lost optimistic-lock race as ConcurrentChange; both
    inside a savepoint, so the transaction survives them."""
    try:
        with db.session.begin_nested():
            db.session.add_all(objects)
            db.session.flush()
    except IntegrityError as error:
        _roll_back_if_spoilt()
        raise DuplicateError(str(error.orig)) from error
    except StaleDataError as error:
        _roll_back_if_spoilt()
        raise ConcurrentChange(str(error)) from error


def _roll_back_if_spoilt() -> None:
    """begin_nested() first flushes changes already pending on loaded objects, outside the
    savepoint. If that flush failed, the whole transaction is spoilt and every later query would
    raise PendingRollbackError (a 500 where the caller meant to show a message): roll it back."""
    if not db.session.is_active:
        db.session.rollback()


def delete(obj) -> None:
    db.session.delete(obj)
    db.session.flush()
