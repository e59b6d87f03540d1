"""Engine settings that differ between SQLite (the embedded default) and PostgreSQL, and which
transactions write.

On SQLite a transaction that will write takes the database's one write lock when it begins
(`BEGIN IMMEDIATE`), so that a read-then-write transaction (is there budget left? then allocate)
cannot interleave with another writer. A reading request (GET, HEAD) begins a deferred
transaction instead: in WAL mode it reads its snapshot beside the writer and never waits for it.
A deferred transaction that reads and later writes fails with SQLITE_BUSY rather than wait (its
snapshot is stale once another has written), so a reading request writes only inside
`tracker.web.transactions.committed_at_once()`, which ends the read and begins a write transaction
of its own; anything else it tries to write is refused at once (`WriteInAReadingRequest`), on
SQLite always and on PostgreSQL in tests, so the mistake shows in the tests' walk of every
route rather than under load.

Outside a request (CLI commands, services run by a scheduler, the tests' rolled-back outer
transactions) every transaction writes, as before.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_writing: ContextVar[bool] = ContextVar("tracker_writing", default=False)


class WriteInAReadingRequest(RuntimeError):
    """A GET or HEAD tried to write outside `committed_at_once()`."""


def reading_request() -> bool:
    """This transaction only reads: a GET or HEAD, outside `writing()`."""
    return has_request_context() and request.method in READING_METHODS and not _writing.get()


@contextmanager
def writing():
    """Transactions begun inside this block write (BEGIN IMMEDIATE on SQLite), even in a GET.
    Use `tracker.web.transactions.committed_at_once()`, which also ends the read before it."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def configure_engine(engine: Engine, *, testing: bool = False) -> None:
    if engine.dialect.name == "sqlite":
        serialise_sqlite_writes(engine)
        refuse_writes_in_reading_requests(engine)
    elif testing:
        refuse_writes_in_reading_requests(engine)


def serialise_sqlite_writes(engine: Engine) -> None:
    """SQLite: WAL, enforced foreign keys, BEGIN IMMEDIATE for a transaction that may write and
    a deferred BEGIN for a reading request's. It also makes SAVEPOINTs work, which the tests'
    rolled-back transactions need."""
    if getattr(engine, "_tracker_configured", False):
        return
    engine._tracker_configured = True

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA busy_timeout=30000")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN" if reading_request() else "BEGIN IMMEDIATE")


def refuse_writes_in_reading_requests(engine: Engine) -> None:
    if getattr(engine, "_tracker_refuses_writes_in_reads", False):
        return
    engine._tracker_refuses_writes_in_reads = True

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(_connection, _cursor, statement, _parameters, _context, _many):
        if reading_request() and statement.lstrip().upper().startswith(_WRITES):
            raise WriteInAReadingRequest(
                f"A {request.method} request wrote outside committed_at_once(): "
                f"{statement.split()[0]} {request.endpoint}"
            )
