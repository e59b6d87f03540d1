"""`flask backup` writes a consistent copy of the database, and a restored copy holds every
allocation, return, payment and audit event (compared row by row, not only counted), and its
audit trail verifies. On SQLite the copy comes from the backup API; on PostgreSQL from pg_dump,
restored with pg_restore into a new database on the same server."""

import re
import secrets
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from tests.conftest import DEMO_PASSWORD, build_app
from tracker.extensions import db
from tracker.infrastructure.backups import (
    BackupFailed,
    back_up,
    default_name,
    libpq_url,
    postgres_tool,
)
from tracker.models import Allocation, AuditEvent, MilestoneReturn, Payment
from tracker.services import streams as stream_service
from tracker.services.audit import SYSTEM

KINDS = {
    "allocations": Allocation,
    "returns": MilestoneReturn,
    "payments": Payment,
    "audit events": AuditEvent,
}


@pytest.fixture(scope="module")
def source(make_database):
    """An app on its own database: migrated, the demo with its history (returns, reviews,
    payments), and a few more audited changes, all committed."""
    from flask_migrate import upgrade

    from tracker.commands.seeding import seed

    app = build_app(make_database())
    with app.app_context():
        upgrade()
        seed(demo=True, password=DEMO_PASSWORD, environment="test", history=True)
        for n in range(3):
            stream_service.create_stream(
                SYSTEM,
                code=f"BACKUP-{n}",
                name=f"Backup test stream {n}",
                department=None,
                announced_pence=1_000_00,
                announced_on=date(2020, 5, 21),
                first_year=2020,
                last_year=2020,
            )
        db.session.commit()
        counts = {kind: db.session.scalar(select(func.count()).select_from(model))
                  for kind, model in KINDS.items()}
        db.session.rollback()
    assert all(counts.values()), f"every kind must exist to prove it is restored: {counts}"
    yield app
    with app.app_context():
        db.engine.dispose()


def url_of(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def every_row(url: str) -> dict[str, list[tuple]]:
    """Every row of every table of the models, in primary-key order, read afresh."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in db.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def restore(backup: Path, kind: str, make_database, tmp_path: Path) -> str:
    """What README's "Backups and restoring" says to do; returns the restored database's URL."""
    if kind == "sqlite":
        restored = tmp_path / "restored.db"
        shutil.copyfile(backup, restored)
        return f"sqlite:///{restored}"
    url = make_database()
    uri, environment = libpq_url(make_url(url))
    subprocess.run(
        [postgres_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", uri, backup],
        check=True,
        capture_output=True,
        env=environment or None,
    )
    return url


def backed_up_path(output: str) -> Path:
    found = re.search(r"Backed up the database to (.+) \([\d.,]+ (bytes|KB|MB|GB)\)$", output)
    assert found, output
    return Path(found[1])


def test_a_restored_backup_holds_every_allocation_return_payment_and_audit_event(
    source, db_kind, make_database, tmp_path, reliability
):
    result = source.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    backup = backed_up_path(result.output.strip())
    assert backup.parent == tmp_path and backup.stat().st_size > 10_000
    assert re.fullmatch(r"tracker-\d{8}T\d{6}Z\.(sqlite3|dump)", backup.name)

    restored_url = restore(backup, db_kind, make_database, tmp_path)

    original, restored = every_row(url_of(source)), every_row(restored_url)
    assert set(restored) == set(original)
    for table, rows in original.items():
        assert restored[table] == rows, f"{table} differs after the restore"
    for kind, model in KINDS.items():
        rows = restored[model.__tablename__]
        assert rows, kind
        reliability.record("backup", f"{kind} restored", len(rows))
    restored_app = build_app(restored_url)
    try:
        verdict = restored_app.test_cli_runner().invoke(args=["audit", "verify"])
        head = source.test_cli_runner().invoke(args=["audit", "head"]).output.strip()
        assert verdict.exit_code == 0, verdict.output
        events = len(original["audit_event"])
        assert verdict.output.strip() == (
            f"Audit trail intact: {events:,} events, last hash {head}"
        )
    finally:
        with restored_app.app_context():
            db.engine.dispose()


def test_writes_not_yet_committed_are_not_in_the_backup_and_do_not_hold_it_up(
    source, db_kind, make_database, tmp_path
):
    with source.app_context():
        committed = db.session.scalar(select(func.count(AuditEvent.id)))
        db.session.rollback()
    writer = sa.create_engine(url_of(source), isolation_level="AUTOCOMMIT")
    try:
        with writer.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if db_kind == "sqlite" else "BEGIN")
            connection.execute(
                insert(AuditEvent.__table__).values(
                    occurred_at=datetime(2026, 11, 25, 3, 0),
                    action="not yet committed",
                    object_type="test",
                    previous_hash=secrets.token_hex(32),
                    event_hash=secrets.token_hex(32),
                )
            )
            pending = connection.scalar(select(func.count()).select_from(AuditEvent.__table__))
            assert pending == committed + 1
            made = back_up(url_of(source), tmp_path)
            connection.exec_driver_sql("ROLLBACK")
    finally:
        writer.dispose()

    restored = every_row(restore(made.path, db_kind, make_database, tmp_path))["audit_event"]
    assert len(restored) == committed
    action = AuditEvent.__table__.c.keys().index("action")
    assert "not yet committed" not in {row[action] for row in restored}


def test_by_default_the_backup_goes_under_the_instance_folder_with_a_utc_time(
    source, tmp_path, monkeypatch
):
    monkeypatch.setattr(source, "instance_path", str(tmp_path))
    result = source.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    made = backed_up_path(result.output.strip())
    assert made.parent == tmp_path / "backups"
    assert made.is_file()


def test_a_backup_never_overwrites_a_file(source, tmp_path):
    existing = tmp_path / "kept.dump"
    existing.write_text("an earlier backup")
    result = source.test_cli_runner().invoke(args=["backup", "--to", str(existing)])
    assert result.exit_code == 1
    assert "No backup was made" in result.output and "already exists" in result.output
    assert existing.read_text() == "an earlier backup"


def test_a_database_that_is_not_there_fails_with_a_message_and_leaves_no_file(
    source, db_kind, tmp_path
):
    url = make_url(url_of(source))
    missing = (
        url.set(database=str(tmp_path / "no-such.db"))
        if db_kind == "sqlite"
        else url.set(database="no_such_database")
    )
    with pytest.raises(BackupFailed) as failure:
        back_up(missing, tmp_path / "out")
    expected = "There is no database at" if db_kind == "sqlite" else "pg_dump failed"
    assert expected in str(failure.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_password_goes_in_the_environment_not_on_the_command_line():
    uri, environment = libpq_url(
        make_url("postgresql+psycopg://tracker:s3cret%2Fpw@db.internal:5433/tracker?sslmode=require")
    )
    assert "s3cret" not in uri
    assert uri == "postgresql://tracker@db.internal:5433/tracker?sslmode=require"
    assert environment == {"PGPASSWORD": "s3cret/pw"}
    assert libpq_url(make_url("postgresql://tracker@db/tracker"))[1] == {}


def test_the_default_name_says_when_in_utc_and_what_kind():
    when = datetime(2026, 11, 25, 3, 4, 5, tzinfo=UTC)
    assert default_name(make_url("sqlite:///x.db"), when) == "tracker-20261125T030405Z.sqlite3"
    assert default_name(make_url("postgresql://h/d"), when) == "tracker-20261125T030405Z.dump"
