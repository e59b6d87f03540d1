"""The audit chain is keyed (issue 14 item 11): every hash is an HMAC with AUDIT_CHAIN_KEY, kept
outside the database, so an event appended after the head, or altered and re-hashed, by someone
who can write to the database but has not the key, does not verify, even with --expect-head.
`flask audit rekey` moves a trail to a new key (or from the old plain SHA-256) after checking
it under the old one."""

import hashlib

import pytest
from sqlalchemy import insert, select

from tests.integration.test_audit_trail import TABLE, first_problem, head, verify
from tracker.config import Config
from tracker.domain import audit_chain
from tracker.models import AuditEvent
from tracker.models.base import utcnow


def forged_after_head(session, hash_with) -> int:
    """An event appended after the head, hashed as whoever forges it can hash it."""
    previous = head(session)
    row = {
        "occurred_at": utcnow(),
        "actor_id": None,
        "action": "payment approved",
        "object_type": "payment",
        "object_id": 1,
        "before": None,
        "after": {"status": "approved"},
        "remote_address": None,
    }
    values = {**row, "previous_hash": previous, "event_hash": hash_with(row, previous)}
    session.execute(insert(TABLE).values(**values))
    return session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))


def plain_sha256(row, previous):
    return hashlib.sha256(audit_chain.canonical(row, previous)).hexdigest()


def test_an_event_forged_after_the_head_without_the_key_does_not_verify(
    app, transaction, reliability
):
    written_down = head(transaction)
    forged = forged_after_head(transaction, plain_sha256)

    alone = verify(app)
    against_head = verify(app, "--expect-head", written_down)

    assert alone.exit_code == 1, alone.output
    assert first_problem(alone.output) == (forged, "altered")
    assert against_head.exit_code == 1
    reliability.record("audit trail", "tamperings detected", 1)


def test_the_same_event_hashed_with_the_key_verifies(app, transaction):
    """What makes the difference is the key, not the shape of the forged row."""
    forged_after_head(transaction, audit_chain.event_hash)
    assert verify(app).exit_code == 0


def test_rekey_moves_the_trail_to_a_new_key_after_checking_it_under_the_old(
    app, transaction, tmp_path
):
    old_file = tmp_path / "old_key"
    old_file.write_text(app.config["AUDIT_CHAIN_KEY"])
    runner = app.test_cli_runner()
    audit_chain.use_key("a-new-key-for-this-test")
    try:
        assert verify(app).exit_code == 1  # the trail is still under the old key
        result = runner.invoke(args=["audit", "rekey", "--old-key-file", str(old_file)])
        assert result.exit_code == 0, result.output
        assert "Re-keyed" in result.output
        assert verify(app).exit_code == 0
        again = runner.invoke(args=["audit", "rekey", "--old-key-file", str(old_file)])
        assert again.exit_code != 0 and "not intact under the old key" in again.output
    finally:
        audit_chain.use_key(audit_chain.APP_KEY)


def test_the_service_will_not_start_without_the_key_outside_tests(monkeypatch):
    monkeypatch.delenv("AUDIT_CHAIN_KEY", raising=False)
    monkeypatch.delenv("AUDIT_CHAIN_KEY_FILE", raising=False)
    monkeypatch.setattr("tracker.config.INSTANCE_PATH", __import__("pathlib").Path("/nonexistent"))
    with pytest.raises(RuntimeError, match="AUDIT_CHAIN_KEY"):
        Config(ENV="production", SECRET_KEY="x" * 48)
