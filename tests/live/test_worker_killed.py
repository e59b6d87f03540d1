"""A worker killed in the middle of a submission (issue 6, part 5) leaves no half-written return.

gunicorn serves the app with fault injection on (tracker/fault_injection.py): the first POST of
a submission stops inside its transaction after its first two writes (the return's new status,
then its audit event). The test kills that worker with SIGKILL (gunicorn's master starts
another), checks the database holds the return exactly as before, and then submits again from
the same browser: it goes through, once."""

import os
import signal
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from tests.live.cast import grantees_with_drafted_returns
from tests.live.clients import WebClient, csrf_token, hidden_value, page_text
from tracker.extensions import db
from tracker.models import AuditEvent, MilestoneReturn, OutboxMessage, ReturnStatus

WAIT = 60  # seconds, for bounded polls (the pause to be reached, the worker to be replaced)


def stored_state(return_id: int) -> dict:
    """Everything a submission writes, as committed."""
    milestone_return = db.session.get(MilestoneReturn, return_id)
    return {
        "status": milestone_return.status,
        "version": milestone_return.version,
        "submitted_at": milestone_return.submitted_at,
        "declared_by_name": milestone_return.declared_by_name,
        "sections": sorted(milestone_return.completed_sections or []),
        "spend": sorted((s.category.value, s.amount_pence) for s in milestone_return.spend),
        "narrative": milestone_return.narrative,
        "audit": [
            (e.id, e.action)
            for e in db.session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.object_type == "milestone_return", AuditEvent.object_id == return_id
                )
                .order_by(AuditEvent.id)
            )
        ],
        "outbox": db.session.scalar(select(func.count(OutboxMessage.id))),
    }


def wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def submission(client: WebClient, return_id: int) -> tuple[str, dict]:
    url = f"/returns/{return_id}/check-answers"
    page = client.get(url)
    assert page.status_code == 200, page_text(page)[:300]
    return url, {
        "csrf_token": csrf_token(page),
        "version": hidden_value(page, "version"),
        "declared_by_name": "Kim Killed-Midway",
        "confirm": "y",
    }


def test_a_worker_killed_mid_submission_leaves_no_half_written_return(
    fresh_app, serve, tmp_path, reliability, db_kind
):
    with fresh_app.app_context():
        [(email, return_id)] = grantees_with_drafted_returns(1, code="LIVE-KILL")
        before = stored_state(return_id)
    assert before["status"] == ReturnStatus.DRAFT
    faults = tmp_path / "faults"
    faults.mkdir()
    server = serve(
        fresh_app,
        workers=2,
        TRACKER_FAULT_INJECTION=f"pause:returns.check_answers:2:{faults}",
    )
    grantee = WebClient(server.url, email)
    try:
        grantee.sign_in()
        url, data = submission(grantee, return_id)
        outcome: list = []
        posting = threading.Thread(
            target=lambda: outcome.append(_post_catching(grantee, url, data)), daemon=True
        )
        posting.start()
        paused = wait_for(lambda: _read(faults / "paused"), "the submission to pause")
        pid = int(paused)
        assert pid in server.worker_pids()

        os.kill(pid, signal.SIGKILL)
        posting.join(WAIT)
        assert not posting.is_alive()
        with fresh_app.app_context():
            after_kill = stored_state(return_id)
        wait_for(
            lambda: pid not in (pids := server.worker_pids()) and len(pids) == 2,
            "gunicorn to replace the killed worker",
        )

        url, data = submission(grantee, return_id)
        retried = grantee.post(url, data)
    finally:
        grantee.close()

    [killed] = outcome
    # The browser got no answer at all (the connection closed), not a success.
    assert isinstance(killed, httpx.TransportError), killed
    assert after_kill == before
    assert retried.status_code == 302, page_text(retried)[:300]
    with fresh_app.app_context():
        after_retry = stored_state(return_id)
    assert after_retry["status"] == ReturnStatus.SUBMITTED
    assert after_retry["declared_by_name"] == "Kim Killed-Midway"
    assert after_retry["version"] == before["version"] + 1
    assert after_retry["spend"] == before["spend"]
    assert [action for _, action in after_retry["audit"]] == [
        action for _, action in before["audit"]
    ] + ["return submitted"]
    assert after_retry["outbox"] > before["outbox"]  # the officers are told, once it commits
    assert str(pid) in server.log_text()  # gunicorn logged the worker it lost
    half_written = int(after_kill != before)
    reliability.record("faults", f"worker killed mid-submission ({db_kind})", 1)
    reliability.record("faults", "half-written returns", half_written)
    reliability.record("faults", "rows lost", 0 if after_retry["spend"] == before["spend"] else 1)


def _post_catching(client: WebClient, url: str, data: dict):
    try:
        return client.post(url, data)
    except httpx.HTTPError as error:
        return error


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None
