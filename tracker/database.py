"""Engine settings that differ between SQLite (the embedded default) and PostgreSQL."""

from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        serialise_sqlite_writes(engine)


def serialise_sqlite_writes(engine: Engine) -> None:
    """SQLite: WAL, enforced foreign keys, and BEGIN IMMEDIATE so that a read-then-write
    transaction (is there budget left? then allocate) cannot interleave with another writer.
    It also makes SAVEPOINTs work, which the tests' rolled-back transactions need."""
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
        connection.exec_driver_sql("BEGIN IMMEDIATE")
