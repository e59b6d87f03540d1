"""The machine a run measured: CPU, cores, memory, OS, Python and the databases' versions."""

import os
import platform
import sqlite3
import subprocess
from pathlib import Path


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> str:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def _os() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"') + f" (Linux {platform.release()})"
    except OSError:
        pass
    return platform.platform()


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def postgres_version(url: str | None) -> str:
    if url is None:
        return _postgres_binaries_version()
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        version = connection.scalar(sa.text("SHOW server_version"))
        settings = [
            f"{name} {connection.scalar(sa.text(f'SHOW {name}'))}"
            for name in (
                "shared_buffers",
                "work_mem",
                "effective_cache_size",
                "random_page_cost",
                "fsync",
                "synchronous_commit",
            )
        ]
    engine.dispose()
    return f"{version} ({', '.join(settings)})"


def _postgres_binaries_version() -> str:
    import glob

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        return "not installed"
    result = subprocess.run([found[-1], "--version"], capture_output=True, text=True)
    import re

    found = re.search(r"\d+\.\d+", result.stdout)
    return found.group(0) if found else result.stdout.strip()


def describe(postgres_url: str | None = None) -> dict[str, str]:
    import psycopg
    import sqlalchemy

    return {
        "CPU": _cpu_model(),
        "Cores": str(os.cpu_count()),
        "Memory": _memory_gib(),
        "OS": _os(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": postgres_version(postgres_url),
        "SQLAlchemy / psycopg": f"{sqlalchemy.__version__} / {psycopg.__version__}",
        "Load average at the start (1, 5, 15 min)": _load(),
    }
