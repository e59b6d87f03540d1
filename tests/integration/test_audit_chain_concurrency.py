"""Audited writes racing: twenty threads, each with its own app context, session and
connection, started together by a barrier, make real service calls that write audit events.
The chain must come out whole: every event follows the one before it in id order, none
follows the same one as another (no fork), and `flask audit verify` passes.

The proof that matters is on PostgreSQL, where the chain's advisory lock is what keeps two
transactions from reading the same head; it runs on SQLite too, where BEGIN IMMEDIATE queues
the writers. A second, PostgreSQL-only test shows the last line of defence: two writers that
skip the lock and read the same head cannot both append, because previous_hash is unique."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import build_app, migrate_and_seed
from tests.factories import make_stream
from tests.integration.test_concurrency import run_together
from tracker.data import audit as audit_data
from tracker.domain.audit_chain import chain
from tracker.extensions import db
from tracker.models import AuditEvent

THREADS = 20
STREAMS_EACH = 4


@pytest.fixture(scope="module")
def racing_app(make_database):
    app = build_app(
        make_database(),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": THREADS + 5},
    )
    migrate_and_seed(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def event_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


def create_streams(barrier, app, thread: int) -> int:
    """One officer's worth of audited writes, each in its own committed transaction."""
    with app.app_context():
        barrier.wait()
        for n in range(STREAMS_EACH):
            make_stream(f"CHAIN-{thread}-{n}", 1_000_00, name=f"Chain race stream {thread}-{n}")
            db.session.commit()
        return STREAMS_EACH


def test_twenty_writers_racing_leave_one_unbroken_chain_in_id_order(racing_app, reliability):
    before = event_count(racing_app)

    results = run_together(create_streams, [(racing_app, n) for n in range(THREADS)])

    assert results == [STREAMS_EACH] * THREADS, results
    with racing_app.app_context():
        rows = db.session.execute(
            select(AuditEvent.id, AuditEvent.previous_hash, AuditEvent.event_hash).order_by(
                AuditEvent.id
            )
        ).all()
    written = len(rows) - before
    assert written >= THREADS * STREAMS_EACH * 2  # a stream and its budget, at least
    assert len({row.previous_hash for row in rows}) == len(rows), "the chain forked"
    for earlier, later in zip(rows, rows[1:], strict=False):
        assert later.previous_hash == earlier.event_hash, f"event {later.id} is out of order"
    result = racing_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"Audit trail intact: {len(rows):,} events" in result.output
    reliability.record("audit trail", "concurrent writers", THREADS)
    reliability.record("audit trail", "events written concurrently", written)


def append_without_the_lock(barrier, app, name: str) -> str:
    """Reads the head as a careless writer would (no lock), waits for the other to read it
    too, then appends after it."""
    with app.app_context():
        head = audit_data.chain_head(lock=False)
        barrier.wait()
        [row] = chain(
            [{"occurred_at": datetime(2026, 11, 25, 3, 0), "action": name, "object_type": "test"}],
            head,
        )
        try:
            db.session.execute(insert(AuditEvent), [row])
            db.session.commit()
            return "appended"
        except IntegrityError:
            db.session.rollback()
            return "refused"


@pytest.mark.postgres_only
def test_two_writers_that_skip_the_lock_cannot_both_follow_the_same_event(racing_app):
    results = run_together(
        append_without_the_lock, [(racing_app, "careless one"), (racing_app, "careless two")]
    )
    assert sorted(results) == ["appended", "refused"], results
    result = racing_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


@pytest.mark.postgres_only
def test_appending_holds_the_chain_lock_until_the_transaction_ends(racing_app):
    held = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND pid = pg_backend_pid() AND classid = :high AND objid = :low AND objsubid = 1"
    )
    key = {"high": audit_data.CHAIN_LOCK_KEY >> 32, "low": audit_data.CHAIN_LOCK_KEY & 0xFFFFFFFF}
    with racing_app.app_context():
        assert db.session.scalar(held, key) == 0
        audit_data.add_event(AuditEvent(action="lock test", object_type="test"))
        assert db.session.scalar(held, key) == 1
        db.session.rollback()
        assert db.session.scalar(held, key) == 0


@pytest.mark.postgres_only
def test_a_post_takes_the_chain_lock_before_it_locks_or_writes_any_row(app, signed_in, transaction):
    """Completing a milestone records an event and then locks its allocation to request the
    payment; a status change locks the allocation and then records. Were each to take the
    chain's lock only at its first event, the two could deadlock. Every POST therefore takes
    the chain's lock first, so all writers queue in one order."""
    from sqlalchemy import event as sa_event

    from tests.integration.test_payments import complete_milestone, paying_milestone

    milestone = paying_milestone(transaction)
    officer = signed_in("officer@demo.gov.uk")
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()).upper())

    engine_or_connection = transaction.connection()
    sa_event.listen(engine_or_connection, "before_cursor_execute", seen)
    try:
        response = complete_milestone(officer, milestone, date.today())
    finally:
        sa_event.remove(engine_or_connection, "before_cursor_execute", seen)
    assert response.status_code == 302
    posted = statements[next(i for i, s in enumerate(statements) if "PG_ADVISORY_XACT_LOCK" in s) :]
    before_lock = statements[: len(statements) - len(posted)]
    locking = ("INSERT", "UPDATE", "DELETE")
    assert not [s for s in before_lock if s.startswith(locking) or "FOR UPDATE" in s]
    assert any(s.startswith("INSERT INTO AUDIT_EVENT") for s in posted)
