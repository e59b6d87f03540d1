"""Test-only fault injection: pause a request inside its transaction, after its first writes,
so a test can kill the worker handling it (a crash mid-submission) and check that nothing was
half-written.

It lives with the tests, never in the service: only the crash tests' own entry point
(`tests/live/faulty_wsgi.py`) installs it, and only when TRACKER_FAULT_INJECTION is set; even
there it is refused where TRACKER_ENV=production. When off, nothing is installed (no listener,
no check per request). The setting is `pause:<endpoint>:<writes>:<folder>`, for example
`pause:returns.check_answers:2:/tmp/faults`: the first POST to that endpoint (across every
worker) stops after its second INSERT, UPDATE or DELETE, writes its process id to
`<folder>/paused`, and waits there (up to PAUSE_LIMIT seconds, then fails) to be killed.
"""

import os
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, g, has_request_context, request
from sqlalchemy import event

SETTING = "TRACKER_FAULT_INJECTION"
PAUSE_LIMIT = 120  # seconds: a test that forgets to kill the worker does not hang forever
WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass(frozen=True)
class Pause:
    endpoint: str
    after_writes: int
    folder: Path


def parse(setting: str) -> Pause:
    kind, _, rest = setting.partition(":")
    endpoint, _, rest = rest.partition(":")
    writes, _, folder = rest.partition(":")
    if kind != "pause" or not endpoint or not writes.isdigit() or int(writes) < 1 or not folder:
        raise RuntimeError(
            f"{SETTING} must look like pause:<endpoint>:<writes>:<folder>, not {setting!r}"
        )
    return Pause(endpoint, int(writes), Path(folder))


def init_app(app: Flask) -> None:
    setting = os.environ.get(SETTING, "").strip()
    if not setting:
        return
    if app.config["ENV"] == "production":
        raise RuntimeError(
            f"{SETTING} is for tests only: it is refused where TRACKER_ENV=production"
        )
    pause = parse(setting)
    app.logger.warning("Fault injection is on: %s", pause)
    from tracker.extensions import db

    with app.app_context():
        event.listen(db.engine, "after_cursor_execute", _pauser(pause))


def _pauser(pause: Pause):
    def after_cursor_execute(connection, cursor, statement, parameters, context, executemany):
        if not has_request_context() or request.method != "POST":
            return
        if request.endpoint != pause.endpoint:
            return
        if not statement.lstrip().upper().startswith(WRITES):
            return
        g.fault_writes = g.get("fault_writes", 0) + 1
        if g.fault_writes != pause.after_writes or not _first_time(pause.folder):
            return
        signal = pause.folder / "paused"
        partial = pause.folder / f"paused.{os.getpid()}"
        partial.write_text(str(os.getpid()))
        partial.rename(signal)  # the test sees the whole process id or nothing
        deadline = time.monotonic() + PAUSE_LIMIT
        while time.monotonic() < deadline:
            time.sleep(0.05)
        raise RuntimeError("Fault injection: the paused request was never killed")

    return after_cursor_execute


def _first_time(folder: Path) -> bool:
    """Only one request pauses, whichever worker it reaches: the retry goes through."""
    try:
        descriptor = os.open(folder / "fired", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.close(descriptor)
    return True
