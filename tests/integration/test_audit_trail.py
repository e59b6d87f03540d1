"""The audit trail as evidence, on a real database: `flask audit verify` passes the trail the
app wrote, and names the first event altered (after, action, occurred_at) or removed with raw
SQL; `flask audit head` gives the hash to write down; the chain cannot fork; bulk writes (the
allocations import) chain too; and migration 0003 chains the events written before it."""

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from tests.conftest import OFFICER, build_app
from tests.integration.test_imports import confirm, csv_file, preview_of, row
from tracker.data import audit as audit_data
from tracker.domain.audit_chain import GENESIS, chain
from tracker.extensions import db
from tracker.models import AuditEvent

TABLE = AuditEvent.__table__


def verify(app, *args: str):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def ids(session) -> list[int]:
    return list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def head(session) -> str:
    return session.scalar(select(AuditEvent.event_hash).order_by(AuditEvent.id.desc()).limit(1))


def first_problem(output: str) -> tuple[int, str]:
    found = re.search(r"first problem at event (\d+) \((altered|removed)\)", output)
    assert found, output
    return int(found[1]), found[2]


def a_middle_event(session) -> int:
    every = ids(session)
    assert len(every) >= 10, "the seeded trail should have events to tamper with"
    return every[len(every) // 2]


# --- an intact trail -------------------------------------------------------------------------


def test_the_trail_the_app_wrote_verifies_and_gives_its_length_and_head(
    app, transaction, reliability
):
    result = verify(app)
    number = transaction.scalar(select(func.count()).select_from(AuditEvent))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"Audit trail intact: {number:,} events, last hash {head(transaction)}"
    )
    reliability.record("audit trail", "events verified", number)


def test_every_event_follows_the_one_before_it_in_id_order(transaction):
    rows = list(transaction.execute(select(TABLE).order_by(TABLE.c.id)).mappings())
    assert rows[0]["previous_hash"] == GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after["previous_hash"] == before["event_hash"]


def test_flask_audit_head_prints_the_newest_events_hash(app, transaction):
    result = app.test_cli_runner().invoke(args=["audit", "head"])
    assert result.exit_code == 0
    assert result.output.strip() == head(transaction)


# --- tampering, with raw SQL -----------------------------------------------------------------


@pytest.mark.parametrize(
    "column, value",
    [
        ("after", {"amount_pence": 1, "note": "quietly changed"}),
        ("action", "allocation withdrawn"),
        ("occurred_at", datetime(2020, 5, 21, 9, 0)),
        ("object_id", 999_999),
        ("remote_address", "203.0.113.9"),
        ("before", {"status": "quietly changed"}),
    ],
)
def test_an_event_altered_with_raw_sql_is_reported_at_that_event(
    app, transaction, reliability, column, value
):
    target = a_middle_event(transaction)
    transaction.execute(update(TABLE).where(TABLE.c.id == target).values({column: value}))

    result = verify(app)

    assert result.exit_code == 1, result.output
    assert first_problem(result.output) == (target, "altered")
    assert f"Event {target} (" in result.output and "was altered" in result.output
    reliability.record("audit trail", "tamperings detected", 1)


def test_an_occurred_at_moved_by_one_microsecond_is_reported(app, transaction, reliability):
    target = a_middle_event(transaction)
    transaction.execute(
        update(TABLE)
        .where(TABLE.c.id == target)
        .values(occurred_at=TABLE.c.occurred_at + timedelta(microseconds=1))
        if transaction.get_bind().dialect.name == "postgresql"
        else sa.text("SELECT 1")
    )
    if transaction.get_bind().dialect.name != "postgresql":
        when = transaction.scalar(select(TABLE.c.occurred_at).where(TABLE.c.id == target))
        transaction.execute(
            update(TABLE)
            .where(TABLE.c.id == target)
            .values(occurred_at=when + timedelta(microseconds=1))
        )
    result = verify(app)
    assert result.exit_code == 1, result.output
    assert first_problem(result.output) == (target, "altered")
    reliability.record("audit trail", "tamperings detected", 1)


def test_an_event_deleted_from_the_middle_is_reported_at_the_one_after_the_gap(
    app, transaction, reliability
):
    every = ids(transaction)
    target = a_middle_event(transaction)
    before, after = every[every.index(target) - 1], every[every.index(target) + 1]
    transaction.execute(delete(TABLE).where(TABLE.c.id == target))

    result = verify(app)

    assert result.exit_code == 1, result.output
    assert first_problem(result.output) == (after, "removed")
    assert f"comes after event {before}, but it does not follow it" in result.output
    reliability.record("audit trail", "tamperings detected", 1)


def test_the_first_event_deleted_is_reported(app, transaction, reliability):
    every = ids(transaction)
    transaction.execute(delete(TABLE).where(TABLE.c.id == every[0]))
    result = verify(app)
    assert result.exit_code == 1
    assert first_problem(result.output) == (every[1], "removed")
    reliability.record("audit trail", "tamperings detected", 1)


def test_an_event_altered_and_rehashed_is_reported_where_the_link_breaks(
    app, transaction, reliability
):
    every = ids(transaction)
    target = a_middle_event(transaction)
    [stored] = transaction.execute(select(TABLE).where(TABLE.c.id == target)).mappings()
    [forged] = chain([{**stored, "action": "allocation withdrawn"}], stored["previous_hash"])
    transaction.execute(
        update(TABLE)
        .where(TABLE.c.id == target)
        .values(action=forged["action"], event_hash=forged["event_hash"])
    )
    result = verify(app)
    assert result.exit_code == 1
    assert first_problem(result.output) == (every[every.index(target) + 1], "removed")
    reliability.record("audit trail", "tamperings detected", 1)


def test_with_several_tamperings_the_first_is_the_one_reported(app, transaction, reliability):
    every = ids(transaction)
    early, middle, late = every[2], every[len(every) // 2], every[-3]
    transaction.execute(delete(TABLE).where(TABLE.c.id == late))
    transaction.execute(update(TABLE).where(TABLE.c.id == middle).values(object_id=424242))
    transaction.execute(update(TABLE).where(TABLE.c.id == early).values(remote_address="1.2.3.4"))

    result = verify(app)

    assert result.exit_code == 1
    assert first_problem(result.output) == (early, "altered")
    assert f"3 problem(s) found in {len(every) - 1:,} events." in result.output
    reliability.record("audit trail", "tamperings detected", 3)


def test_the_newest_events_removed_pass_alone_but_not_against_the_head_written_down(
    app, transaction, reliability
):
    written_down = head(transaction)
    assert verify(app, "--expect-head", written_down).exit_code == 0
    every = ids(transaction)
    transaction.execute(delete(TABLE).where(TABLE.c.id >= every[-2]))

    alone = verify(app)
    against_head = verify(app, "--expect-head", written_down.upper())

    assert alone.exit_code == 0, "the chain alone cannot see its newest events removed"
    assert against_head.exit_code == 1, against_head.output
    assert first_problem(against_head.output) == (every[-3], "removed")
    assert "No event has the head hash written down" in against_head.output
    reliability.record("audit trail", "tamperings detected", 1)


def test_a_malformed_head_is_refused_with_a_usage_error(app, transaction):
    result = verify(app, "--expect-head", "not-a-hash")
    assert result.exit_code == 2
    assert "give the 64 hexadecimal characters" in result.output


def test_verify_help_says_what_it_cannot_detect(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--help"])
    assert result.exit_code == 0
    assert "cannot detect" in result.output
    assert "--expect-head" in result.output


# --- no fork ---------------------------------------------------------------------------------


def test_two_events_cannot_follow_the_same_one(app, transaction):
    [newest] = transaction.execute(
        select(TABLE).order_by(TABLE.c.id.desc()).limit(1)
    ).mappings()
    [fork] = chain(
        [{**newest, "action": "a second branch", "id": None}], newest["previous_hash"]
    )
    fork.pop("id")
    with pytest.raises(IntegrityError), transaction.begin_nested():
        transaction.execute(insert(TABLE).values(fork))


# --- bulk writes -----------------------------------------------------------------------------


def test_bulk_added_events_continue_the_chain_in_id_order(app, transaction):
    before = head(transaction)
    now = datetime(2026, 11, 25, 3, 0)
    added = audit_data.add_events(
        {"occurred_at": now, "action": "bulk test", "object_type": "test", "object_id": n}
        for n in range(2_500)
    )
    assert added == 2_500
    rows = list(
        transaction.execute(
            select(TABLE.c.id, TABLE.c.previous_hash, TABLE.c.event_hash, TABLE.c.object_id)
            .where(TABLE.c.action == "bulk test")
            .order_by(TABLE.c.id)
        )
    )
    assert [r.object_id for r in rows] == list(range(2_500))
    assert rows[0].previous_hash == before
    assert verify(app).exit_code == 0


@pytest.fixture
def import_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))


def test_an_import_of_allocations_keeps_the_trail_intact(
    app, signed_in, transaction, import_folder
):
    officer = signed_in(OFFICER)
    before = len(ids(transaction))
    url, _ = preview_of(officer, csv_file([row(amount="1000"), row(amount="2000")]))
    assert confirm(officer, url).status_code == 302
    assert len(ids(transaction)) == before + 3  # one per allocation, one for the import
    result = verify(app)
    assert result.exit_code == 0, result.output


# --- the migration ---------------------------------------------------------------------------


def test_migration_0003_chains_the_events_written_before_it(make_database):
    from flask_migrate import upgrade

    app = build_app(make_database())
    try:
        with app.app_context():
            upgrade(revision="0002")
            old = sa.table(
                "audit_event",
                *(sa.column(name) for name in ("occurred_at", "action", "object_type")),
                sa.column("object_id"),
                sa.column("after", sa.JSON),
            )
            start = datetime(2020, 5, 21, 9, 0)
            rows = [
                {
                    "occurred_at": start + timedelta(seconds=n),
                    "action": "stream created",
                    "object_type": "funding_stream",
                    "object_id": n,
                    "after": {"code": f"S{n}", "profile": {"2020": n}},
                }
                for n in range(2_345)  # more than one batch of the backfill
            ]
            db.session.execute(insert(old), rows)
            db.session.commit()

            upgrade()

            expected = [r["event_hash"] for r in chain(rows, GENESIS)]
            stored = list(db.session.scalars(select(AuditEvent.event_hash).order_by("id")))
            assert stored == expected
            db.session.rollback()  # SQLite: let the inspector's connection begin
            nullable = {c["name"]: c["nullable"] for c in sa.inspect(db.engine).get_columns(
                "audit_event"
            )}
            assert not nullable["previous_hash"] and not nullable["event_hash"]
        result = app.test_cli_runner().invoke(args=["audit", "verify"])
        assert result.exit_code == 0, result.output
        assert "2,345 events" in result.output
    finally:
        with app.app_context():
            db.engine.dispose()


def test_an_event_given_an_aware_time_is_stored_and_hashed_as_naive_utc(app, transaction):
    from datetime import timezone

    british_summer_time = timezone(timedelta(hours=1))
    event = AuditEvent(
        action="aware time test",
        object_type="test",
        occurred_at=datetime(2020, 5, 21, 10, 0, tzinfo=british_summer_time),
        after={"2020": 1, "note": "£1,250.50 – with a dash"},
    )
    audit_data.add_event(event)
    transaction.expire_all()
    stored = transaction.execute(
        select(TABLE.c.occurred_at, TABLE.c.previous_hash).where(TABLE.c.id == event.id)
    ).one()
    assert stored.occurred_at == datetime(2020, 5, 21, 9, 0)
    result = verify(app)
    assert result.exit_code == 0, result.output
