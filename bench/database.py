"""The database a benchmark run uses, made ready: migrated and filled by the generator
(`python -m bench.data`).

SQLite: a file under bench/out/ (kept, so a second run at the same scale skips the generator).
PostgreSQL: a database named for the scale on the server in BENCH_DATABASE_URL, or else on a
throwaway server started the way the tests start theirs (tools/postgres_server.py)."""

import contextlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
FLASK = [sys.executable, "-m", "flask", "--app", "tracker"]
GENERATOR = [sys.executable, "-m", "bench.data"]
# One random key for every process of a run (a session signed by one server is read by it again).
SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48)
# And one audit chain key, so every process of the run chains and verifies alike.
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY") or secrets.token_urlsafe(48)


@contextlib.contextmanager
def server(kind: str) -> Iterator[str | None]:
    """For PostgreSQL, a server URL (BENCH_DATABASE_URL, or a throwaway server stopped at the
    end); for SQLite, None."""
    if kind == "sqlite":
        yield None
        return
    given = os.environ.get("BENCH_DATABASE_URL")
    if given:
        yield str(make_url(given).set(drivername="postgresql+psycopg"))
        return
    sys.path.insert(0, str(ROOT))
    from tools.postgres_server import throwaway_postgres

    with throwaway_postgres() as url:
        yield url


def url_for(kind: str, server_url: str | None, scale: str, out: Path = OUT) -> str:
    """The database for this scale: a file, or a database on the server (created if missing)."""
    prefix = os.environ.get("BENCH_DATABASE_PREFIX", "bench")  # the test gives its own
    name = f"{prefix}-" + scale.replace(".", "_")
    if kind == "sqlite":
        out.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{out / (name + '.db')}"
    database = name.replace("-", "_")
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": database}
        )
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def environment(url: str, **extra: str) -> dict[str, str]:
    """What every process of the run is given: the database, a secret, plain-HTTP cookies."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=SECRET_KEY,
        AUDIT_CHAIN_KEY=AUDIT_CHAIN_KEY,
        TRACKER_ENV="development",
        TRACKER_DEMO_PASSWORD=env.get("TRACKER_DEMO_PASSWORD") or "demo-password-for-local-use",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def _has_data(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(sa.text("SELECT count(*) FROM allocation")))
    except sa.exc.DatabaseError:
        return False
    finally:
        engine.dispose()


def prepare(url: str, scale: str, *, regenerate: bool = False, log=print) -> float | None:
    """Migrates the database and fills it for `scale` (the generator, or `demo`: the normal
    seed with its history). Returns the seconds the filling took, or None when the database
    already held data and was kept."""
    env = environment(url)
    subprocess.run([*FLASK, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    if _has_data(url) and not regenerate:
        log(f"  kept the data already in {make_url(url).render_as_string()}")
        return None
    if scale == "demo":
        command = [*FLASK, "seed", "--demo", "--history"]
    else:
        command = [*GENERATOR, "--scale", scale, *(["--force"] if regenerate else [])]
    log("  python " + " ".join(command[1:]))
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True)
    seconds = time.perf_counter() - started
    _analyse(url)
    return seconds


def _analyse(url: str) -> None:
    """PostgreSQL: fresh planner statistics, as autovacuum would have soon after a real load.
    (SQLite keeps none unless someone runs ANALYZE, and the service never does.)"""
    if url.startswith("sqlite"):
        return
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("ANALYZE"))
    engine.dispose()


def sign_in_email(url: str, role: str) -> str:
    """The first active user with this role (the generator's, or the demo's)."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        email = connection.scalar(
            sa.text("SELECT email FROM app_user WHERE role = :role AND active ORDER BY id LIMIT 1"),
            {"role": role},
        )
    engine.dispose()
    if email is None:
        raise RuntimeError(f"no active {role} user in the benchmark database")
    return email


def password() -> str:
    return os.environ.get("TRACKER_DEMO_PASSWORD") or "demo-password-for-local-use"
