"""The time, from one place, so tests can move it instead of waiting: set the app's `CLOCK`
setting to a callable returning a naive UTC datetime, and every service and query that stamps a
time (sessions, sign-ins, codes, submissions, decisions, payments, the audit trail, the outbox)
reads that instead of the system clock. Only the models' column defaults read the system clock
directly (`models.base.utcnow`)."""

from datetime import date, datetime

from flask import current_app, has_app_context

from tracker.models.base import utcnow


def now() -> datetime:
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock is not None else utcnow()


def today() -> date:
    """Today's date (UTC), by the same clock."""
    return now().date()
