"""A PostgreSQL server of a test's own, which the test can stop and start again (the session's
shared server is never touched). Built from the same Debian binaries and settings as
tools/postgres_server.py; always stopped and removed at the end."""

import contextlib
import getpass
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

from tools.postgres_server import free_port, postgres_bin_dir, run_command


@dataclass
class RestartablePostgres:
    bin_dir: str
    data: str
    log: str
    port: int
    socket_dir: str
    as_postgres: bool
    user: str

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        run_command(
            [
                f"{self.bin_dir}/pg_ctl",
                "-D",
                self.data,
                "-l",
                self.log,
                "-o",
                f"'{options}'",
                "-w",
                "start",
            ],
            self.as_postgres,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 1),
            ):
                return
            time.sleep(0.2)
        raise RuntimeError("PostgreSQL did not start listening")

    def stop(self, mode: str = "fast") -> None:
        run_command(
            [f"{self.bin_dir}/pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"], self.as_postgres
        )


@contextlib.contextmanager
def restartable_postgres() -> Iterator[RestartablePostgres]:
    bin_dir = postgres_bin_dir()
    as_postgres = os.geteuid() == 0
    user = "postgres" if as_postgres else getpass.getuser()
    root = tempfile.mkdtemp(prefix="hht-pg-own-")
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
    server = RestartablePostgres(
        bin_dir=bin_dir,
        data=f"{root}/data",
        log=f"{root}/log",
        port=free_port(),
        socket_dir=root,
        as_postgres=as_postgres,
        user=user,
    )
    run_command(
        [
            f"{bin_dir}/initdb",
            "-D",
            server.data,
            "--auth=trust",
            "-U",
            user,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        as_postgres,
    )
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
