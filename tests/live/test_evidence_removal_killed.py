"""A worker killed in the middle of removing an evidence file (issue 14 item 4) leaves the file
listed and downloadable: before, the file was deleted from disk before the commit, so a kill -9
there left a listed file that was not found.

gunicorn serves the app with fault injection on (tests/live/fault_injection.py): the first POST
that removes a file stops inside its transaction after its two writes (the evidence row's
DELETE, then its audit event), after the point where the file used to be deleted. The test
kills that worker with SIGKILL, then checks that the row is still there, its file is still on
disk with the same bytes, and the grantee can still download it; removing it again works, and
the file then leaves the disk."""

import hashlib
import os
import signal
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from tests.live.cast import grantees_with_drafted_returns
from tests.live.clients import WebClient, csrf_token, hidden_value, page_text
from tracker.extensions import db
from tracker.models import EvidenceFile

WAIT = 60
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def kept_files(return_id: int) -> list[tuple[int, str, str]]:
    db.session.expire_all()
    return [
        (row.id, row.stored_name, row.sha256)
        for row in db.session.scalars(
            select(EvidenceFile).where(EvidenceFile.return_id == return_id)
        )
    ]


def _post_catching(client: WebClient, url: str, data: dict):
    try:
        return client.post(url, data)
    except httpx.HTTPError as error:
        return error


def test_a_worker_killed_mid_removal_leaves_the_file_listed_and_on_disk(
    fresh_app, serve, tmp_path, reliability, db_kind
):
    with fresh_app.app_context():
        [(email, return_id)] = grantees_with_drafted_returns(1, code="LIVE-EVID")
    faults, instance = tmp_path / "faults", tmp_path / "instance"
    faults.mkdir()
    instance.mkdir()
    server = serve(
        fresh_app,
        workers=2,
        instance=instance,
        TRACKER_FAULT_INJECTION=f"pause:evidence.remove:2:{faults}",
    )
    grantee = WebClient(server.url, email)
    url = f"/returns/{return_id}/evidence"
    try:
        grantee.sign_in()
        page = grantee.get(url)
        uploaded = grantee.post(
            url,
            {"csrf_token": csrf_token(page), "version": hidden_value(page, "version")},
            files={"file": ("minutes.pdf", PDF, "application/pdf")},
        )
        assert uploaded.status_code == 302, page_text(uploaded)[:300]
        with fresh_app.app_context():
            [(file_id, stored_name, sha256)] = kept_files(return_id)
        on_disk = instance / "uploads" / stored_name
        assert on_disk.exists()

        page = grantee.get(url)
        outcome: list = []
        posting = threading.Thread(
            target=lambda: outcome.append(
                _post_catching(grantee, f"{url}/{file_id}/delete", {"csrf_token": csrf_token(page)})
            ),
            daemon=True,
        )
        posting.start()
        pid = int(wait_for(lambda: _read(faults / "paused"), "the removal to pause"))
        os.kill(pid, signal.SIGKILL)
        posting.join(WAIT)
        wait_for(
            lambda: pid not in (pids := server.worker_pids()) and len(pids) == 2,
            "gunicorn to replace the killed worker",
        )

        with fresh_app.app_context():
            after_kill = kept_files(return_id)
        still_on_disk = on_disk.exists() and hashlib.sha256(on_disk.read_bytes()).hexdigest()
        downloaded = grantee.get(f"{url}/{file_id}")

        page = grantee.get(url)
        removed = grantee.post(f"{url}/{file_id}/delete", {"csrf_token": csrf_token(page)})
    finally:
        grantee.close()

    [killed] = outcome
    assert isinstance(killed, httpx.TransportError), killed
    assert after_kill == [(file_id, stored_name, sha256)]
    assert still_on_disk == sha256, "the file left the disk before its removal committed"
    assert downloaded.status_code == 200 and downloaded.content == PDF
    assert removed.status_code == 302
    with fresh_app.app_context():
        assert kept_files(return_id) == []
    assert not on_disk.exists()
    reliability.record("faults", f"worker killed mid-removal of evidence ({db_kind})", 1)
    reliability.record("faults", "listed evidence files not found", int(still_on_disk != sha256))


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None
