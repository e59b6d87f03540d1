"""`flask backup`: a consistent copy of the database in one file.

SQLite: the online backup API (`sqlite3.Connection.backup`), which copies a snapshot: with WAL,
writers carry on while it runs and what they have not committed is not in the copy. The copy is
switched to a rollback journal so that it is one self-contained file.
PostgreSQL: `pg_dump --format=custom`, which reads everything in one repeatable-read snapshot
(writers are not blocked). The password goes to pg_dump in the PGPASSWORD environment variable,
never on its command line, where `ps` would show it.

subprocess is used for pg_dump only: found by path, run with a fixed argument list, no shell
(bandit B404 and B603 are marked `nosec` for that reason).

The copy is written under a temporary name beside the destination and renamed into place only
when it is complete, so a failed backup never leaves a file that looks like a good one.
"""

import glob
import os
import shutil
import sqlite3
import subprocess  # nosec B404
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

PG_DUMP_TIMEOUT_SECONDS = 6 * 3600


class BackupFailed(Exception):
    """The backup could not be made; the message says why, for the person running it."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size_bytes: int


def default_name(url: URL, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if url.get_backend_name() == "sqlite" else "dump"
    return f"tracker-{stamp}.{suffix}"


def back_up(database_url: str | URL, destination: Path) -> Backup:
    """Copies the database to `destination` (a file that must not exist yet, or a folder to
    put a file with a UTC timestamp in). Raises BackupFailed."""
    url = make_url(database_url)
    destination = Path(destination)
    if destination.is_dir():
        destination = destination / default_name(url)
    if destination.exists():
        raise BackupFailed(f"{destination} already exists: choose another name")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite(url, partial)
        elif url.get_backend_name() == "postgresql":
            _pg_dump(url, partial)
        else:
            raise BackupFailed(f"Cannot back up a {url.get_backend_name()} database")
        partial.replace(destination)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(destination, destination.stat().st_size)


def _sqlite(url: URL, partial: Path) -> None:
    if not url.database or url.database == ":memory:":
        raise BackupFailed("The database is in memory: there is no file to back up")
    source_path = Path(url.database)
    if not source_path.is_file():
        raise BackupFailed(f"There is no database at {source_path}")
    try:
        source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # all pages in one step: one consistent snapshot
                copy.execute("PRAGMA journal_mode=DELETE")
                checked = copy.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                copy.close()
        finally:
            source.close()
    except sqlite3.Error as error:
        raise BackupFailed(f"SQLite could not copy {source_path}: {error}") from error
    if checked != "ok":
        raise BackupFailed(f"The copy of {source_path} failed its integrity check: {checked}")


def postgres_tool(name: str) -> str:
    """The path of a PostgreSQL client program (pg_dump, pg_restore, createdb): on PATH, or
    the newest of Debian's /usr/lib/postgresql/<major>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(path.split("/")[-3]) if path.split("/")[-3].isdigit() else 0,
    )
    if not candidates:
        raise BackupFailed(
            f"{name} was not found on PATH or in /usr/lib/postgresql/*/bin: "
            "install the PostgreSQL client (Debian: postgresql-client)"
        )
    return candidates[-1]


def libpq_url(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it."""
    environment = {}
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    # URL.set() takes None as "leave it"; URL is a named tuple, so _replace clears it.
    plain = url._replace(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _pg_dump(url: URL, partial: Path) -> None:
    uri, secret = libpq_url(url)
    command = [postgres_tool("pg_dump"), "--format=custom", "--file", str(partial), "--dbname", uri]
    try:
        # A fixed argument list and no shell; the URI carries no password (PGPASSWORD does).
        finished = subprocess.run(  # noqa: S603  # nosec B603
            command,
            env={**os.environ, **secret},
            capture_output=True,
            text=True,
            timeout=PG_DUMP_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BackupFailed(f"pg_dump could not run: {error}") from error
    if finished.returncode != 0:
        raise BackupFailed(
            f"pg_dump failed (exit {finished.returncode}): {finished.stderr.strip()}"
        )
