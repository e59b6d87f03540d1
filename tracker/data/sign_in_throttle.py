"""The sign-in throttle's counters and the attempts log. A failure is counted with one
conditional UPDATE … RETURNING, so attempts racing each other are each counted, on SQLite and
PostgreSQL alike: of fifty at once, exactly as many are let through as the counter allows."""

from datetime import datetime

from sqlalchemy import case, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker.extensions import db
from tracker.models import SignInAttempt, SignInThrottle

_INSERT = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def add_attempt(
    email: str, remote_address: str, now: datetime, *, refused: bool = False
) -> int:
    """Stores an attempt as failed (it is marked succeeded once it is right), returns its id."""
    return db.session.execute(
        insert(SignInAttempt)
        .values(
            email=email[:254],
            remote_address=remote_address[:64],
            attempted_at=now,
            succeeded=False,
            refused=refused,
        )
        .returning(SignInAttempt.id)
    ).scalar_one()


def mark_succeeded(attempt_id: int) -> None:
    db.session.execute(
        update(SignInAttempt).where(SignInAttempt.id == attempt_id).values(succeeded=True)
    )


def count_failures(forget_before: dict[str, datetime], now: datetime) -> dict[str, int]:
    """Counts one more failure on each counter (key -> when its failures are forgotten), all or
    none: if one must still wait, none is counted and the answer is empty. Counters are taken in
    one order (by key), so two attempts sharing some cannot wait on each other."""
    savepoint = db.session.begin_nested()
    counted = {}
    for key in sorted(forget_before):
        failures = count_failure(key, now, forget_before[key])
        if failures is None:
            savepoint.rollback()
            return {}
        counted[key] = failures
    savepoint.commit()
    return counted


def count_failure(key: str, now: datetime, forget_before: datetime) -> int | None:
    """Counts one more failure on the counter `key` unless it must still wait; returns the
    failures counted (this one included), or None when it must wait. Failures older than
    `forget_before` are forgotten: the count starts again at 1. One statement: the row is locked
    (PostgreSQL) or the database is (SQLite) from the check to the count."""
    dialect = db.session.get_bind().dialect.name
    db.session.execute(
        _INSERT[dialect](SignInThrottle)
        .values(key=key, failures=0)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    forgotten = SignInThrottle.last_failure_at < forget_before
    return db.session.execute(
        update(SignInThrottle)
        .where(
            SignInThrottle.key == key,
            or_(
                SignInThrottle.wait_until.is_(None),
                SignInThrottle.wait_until <= now,
                forgotten,
            ),
        )
        .values(
            failures=case((forgotten, 1), else_=SignInThrottle.failures + 1),
            last_failure_at=now,
        )
        .returning(SignInThrottle.failures)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()


def wait_before_next(key: str, until: datetime | None) -> None:
    db.session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.key == key)
        .values(wait_until=until)
        .execution_options(synchronize_session=False)
    )


def waiting_until(forget_before: dict[str, datetime], now: datetime) -> datetime | None:
    """The latest time any of these counters (key -> when its failures are forgotten) must
    still wait until; None when none must."""
    rows = db.session.execute(
        select(SignInThrottle.key, SignInThrottle.wait_until, SignInThrottle.last_failure_at).where(
            SignInThrottle.key.in_(list(forget_before))
        )
    )
    times = [
        until
        for key, until, last in rows
        if until is not None and until > now and last is not None and last >= forget_before[key]
    ]
    return max(times, default=None)


def forget_failures(key: str) -> None:
    db.session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.key == key)
        .values(failures=0, wait_until=None)
        .execution_options(synchronize_session=False)
    )


def take_back_failure(key: str, *, free: int) -> None:
    """The attempt counted as a failure before it was checked turned out right: one failure
    fewer, and no wait unless the failures left still call for one (`free` or more)."""
    db.session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.key == key, SignInThrottle.failures > 0)
        .values(
            failures=SignInThrottle.failures - 1,
            wait_until=case(
                (SignInThrottle.failures - 1 < free, None), else_=SignInThrottle.wait_until
            ),
        )
        .execution_options(synchronize_session=False)
    )


def failures_on(key: str) -> int:
    return db.session.scalar(select(SignInThrottle.failures).where(SignInThrottle.key == key)) or 0
