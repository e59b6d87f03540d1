"""Writes: services add objects through here and flush; the commit policy commits."""

from sqlalchemy.exc import IntegrityError

from tracker.extensions import db


class DuplicateError(Exception):
    pass


def save(*objects) -> None:
    """Add and flush, so ids exist and database rules are checked now. A unique-constraint
    breach is raised as DuplicateError, inside a savepoint so the transaction survives it."""
    try:
        with db.session.begin_nested():
            db.session.add_all(objects)
            db.session.flush()
    except IntegrityError as error:
        raise DuplicateError(str(error.orig)) from error


def delete(obj) -> None:
    db.session.delete(obj)
    db.session.flush()
