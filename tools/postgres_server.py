"""A throwaway PostgreSQL server on 127.0.0.1, from Debian's packages, for the tests and the
benchmarks (a tool of both, so neither imports the other).

As root the server runs as the `postgres` user (it refuses to run as root); as anyone else it
runs as that user. It is always stopped, even when tests fail (the caller uses it as a context
manager)."""

import contextlib
import getpass
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator


def postgres_bin_dir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed: run `make test` as root (it installs Debian's "
            "postgresql), install it yourself, or set TEST_DATABASE_URL"
        )
    return found[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_command(command: list[str], as_postgres: bool) -> None:
    if as_postgres:
        command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(command)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_orphans(bin_dir: str, as_postgres: bool, *, stale_after_hours: float = 12) -> None:
    """Stops and removes the servers of earlier runs that were killed before they could clean
    up (a SIGKILL skips `finally`): those whose owning process is gone, and, for folders from
    before owners were written down, those older than `stale_after_hours`."""
    for root in glob.glob(os.path.join(tempfile.gettempdir(), "hht-pg-*")):
        owner = os.path.join(root, "owner.pid")
        try:
            if os.path.exists(owner):
                with open(owner) as handle:
                    if _alive(int(handle.read().strip() or 0)):
                        continue
            elif time.time() - os.path.getmtime(root) < stale_after_hours * 3600:
                continue
        except (OSError, ValueError):
            continue
        if os.path.exists(os.path.join(root, "data", "postmaster.pid")):
            with contextlib.suppress(subprocess.CalledProcessError):
                run_command(
                    [f"{bin_dir}/pg_ctl", "-D", f"{root}/data", "-m", "immediate", "-w", "stop"],
                    as_postgres,
                )
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Yields a SQLAlchemy URL for a fresh server; stops it and removes its files afterwards."""
    bin_dir = postgres_bin_dir()
    as_postgres = os.geteuid() == 0
    user = "postgres" if as_postgres else getpass.getuser()
    sweep_orphans(bin_dir, as_postgres)
    root = tempfile.mkdtemp(prefix="hht-pg-")
    with open(os.path.join(root, "owner.pid"), "w") as handle:
        handle.write(str(os.getpid()))
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
    data, log, port = f"{root}/data", f"{root}/log", free_port()
    run_command(
        [
            f"{bin_dir}/initdb",
            "-D",
            data,
            "--auth=trust",
            "-U",
            user,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        as_postgres,
    )
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    run_command(
        [f"{bin_dir}/pg_ctl", "-D", data, "-l", log, "-o", f"'{options}'", "-w", "start"],
        as_postgres,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.2)
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/postgres"
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            stop = [f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]
            run_command(stop, as_postgres)
        shutil.rmtree(root, ignore_errors=True)
