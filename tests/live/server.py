"""The real app under gunicorn (sync workers, each its own process), on a free 127.0.0.1 port,
for tests that need real parallel clients or real processes to kill.

The listening socket is bound (to port 0) here and handed to gunicorn as `fd://N`, so there is no
window in which another process can take the port. The server is always stopped, even when the
test fails: the caller uses `gunicorn_serving` as a context manager."""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import DEMO_PASSWORD
from tracker.config import TEST_AUDIT_CHAIN_KEY

ROOT = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT = 60  # seconds for the workers to come up (a bounded poll, not a threshold)


@dataclass
class Gunicorn:
    url: str
    process: subprocess.Popen
    log: Path
    env: dict = field(default_factory=dict)

    def worker_pids(self) -> set[int]:
        """The master's live children (its workers), read from /proc."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()} if children.exists() else set()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def app_environment(database_url: str, instance: Path, **extra: str | None) -> dict[str, str]:
    """What the service reads from its environment (tracker/config.py), for a test server.
    Sign-in throttling is configured, not weakened in the code: the test clients all come from
    127.0.0.1, and a real deployment behind a proxy would see their own addresses."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TRACKER_", "SIGN_IN_", "DATABASE_", "UPLOAD_", "MAIL_"))
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            # The tests' key, so this process can verify what the server's workers chained.
            "AUDIT_CHAIN_KEY": TEST_AUDIT_CHAIN_KEY,
            # development: cookies are not Secure, so httpx sends them back over plain http.
            "TRACKER_ENV": "development",
            "TRACKER_DEMO_PASSWORD": DEMO_PASSWORD,
            "TRACKER_INSTANCE_PATH": str(instance),
            "UPLOAD_FOLDER": str(instance / "uploads"),
            "IMPORT_FOLDER": str(instance / "imports"),
            # Every client here signs in from 127.0.0.1, many at once, from new browsers.
            "SIGN_IN_ADDRESS_FREE_FAILURES": "1000",
            "PYTHONUNBUFFERED": "1",
        }
    )
    # A setting given as None is left to the service's own default.
    env.update({key: value for key, value in extra.items() if value is not None})
    for key in [key for key, value in extra.items() if value is None]:
        env.pop(key, None)
    return env


@contextlib.contextmanager
def gunicorn_serving(env: dict[str, str], *, workers: int = 4, log: Path) -> Iterator[Gunicorn]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(512)
    port = listener.getsockname()[1]
    fd = listener.fileno()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"fd://{fd}",
        "--workers",
        str(workers),
        "--backlog",
        "512",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "5",
        # The service as deployed, or with the test-only fault injection when it is asked for.
        "tests.live.faulty_wsgi:app" if env.get("TRACKER_FAULT_INJECTION") else "wsgi:app",
    ]
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=(fd,),
            start_new_session=True,
        )
    listener.close()  # gunicorn holds its own copy
    server = Gunicorn(url=f"http://127.0.0.1:{port}", process=process, log=log, env=env)
    try:
        _wait_until_serving(server, workers)
        yield server
    finally:
        _stop(process)


def _wait_until_serving(server: Gunicorn, workers: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited at start:\n{server.log_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            # /health answers whether or not the database is up; any answer means serving.
            httpx.get(f"{server.url}/accessibility", timeout=5)
            if len(server.worker_pids()) >= workers:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start serving:\n{server.log_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    """TERM the master (it stops its workers), then KILL the whole group if it lingers."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    # Workers are in the master's session; make sure none outlived it.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
