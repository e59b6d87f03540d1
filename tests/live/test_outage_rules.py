"""Which database errors are an outage (a 503 "try again later") and which are faults (a 500),
judged on errors the drivers really raise; and the fault-injection hook never runs in
production."""

import socket
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError

from tests.live import fault_injection
from tracker import create_app
from tracker.web.outage import database_unavailable


def raised_by(engine: sa.Engine, statement: str) -> BaseException:
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
    except sa.exc.DBAPIError as error:
        return error
    finally:
        engine.dispose()
    raise AssertionError(f"{statement!r} did not fail")


def test_a_sqlite_database_whose_folder_is_missing_is_an_outage(tmp_path):
    error = raised_by(sa.create_engine(f"sqlite:///{tmp_path}/gone/tracker.db"), "SELECT 1")
    assert isinstance(error, OperationalError)
    assert database_unavailable(error)


def test_a_sqlite_lock_that_waited_out_its_timeout_is_a_fault_not_an_outage(tmp_path):
    path = tmp_path / "tracker.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        error = raised_by(
            sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0}),
            "CREATE TABLE t (x INTEGER)",
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert isinstance(error, OperationalError)
    assert "database is locked" in str(error)
    assert not database_unavailable(error)


def test_a_sqlite_constraint_is_not_an_outage(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path}/tracker.db")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (x INTEGER PRIMARY KEY)"))
        connection.execute(sa.text("INSERT INTO t VALUES (1)"))
    error = raised_by(engine, "INSERT INTO t VALUES (1)")
    assert isinstance(error, IntegrityError)
    assert not database_unavailable(error)


def test_a_postgresql_server_that_refuses_connections_is_an_outage():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once it is closed
    error = raised_by(
        sa.create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{port}/none"), "SELECT 1"
    )
    assert isinstance(error, OperationalError)
    assert database_unavailable(error)


@pytest.mark.postgres_only
def test_a_postgresql_statement_timeout_is_a_fault_not_an_outage(database_server):
    engine = sa.create_engine(database_server, connect_args={"options": "-c statement_timeout=1"})
    error = raised_by(engine, "SELECT pg_sleep(5)")
    assert isinstance(error, OperationalError)
    assert error.orig.sqlstate == "57014"
    assert not database_unavailable(error)


def test_fault_injection_is_refused_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_FAULT_INJECTION", f"pause:returns.check_answers:1:{tmp_path}")
    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": "a-real-secret-for-this-test",
            "AUDIT_CHAIN_KEY": "a-real-audit-chain-key-for-this-test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/tracker.db",
        }
    )
    with pytest.raises(RuntimeError, match="refused where TRACKER_ENV=production"):
        fault_injection.init_app(app)


def test_a_malformed_fault_injection_setting_stops_the_test_app_starting(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_FAULT_INJECTION", "pause-everything")
    app = create_app(
        {"ENV": "test", "TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db"}
    )
    with pytest.raises(RuntimeError, match="must look like pause:<endpoint>:<writes>:<folder>"):
        fault_injection.init_app(app)


def test_the_service_itself_never_loads_fault_injection(tmp_path, monkeypatch):
    """Only tests/live/faulty_wsgi.py installs it: the service's own app starts with even a
    malformed setting (fault injection would refuse it), and no module of the service names it."""
    monkeypatch.setenv("TRACKER_FAULT_INJECTION", "pause-everything")
    app = create_app(
        {"ENV": "test", "TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db"}
    )
    assert app.name == "tracker"
    package = Path(__file__).resolve().parents[2] / "tracker"
    naming = [path for path in package.rglob("*.py") if "fault_injection" in path.read_text()]
    assert naming == []
