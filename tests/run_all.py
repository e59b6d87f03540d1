"""`make test`: the whole suite on SQLite, and again on PostgreSQL (TEST_DATABASE_URL, or a
throwaway server per part that the part starts and stops itself) every test whose proof can
differ between the two: the integration, hostile-input and live tests, and any other test
marked `both_databases`. The unit, browser and benchmark tests prove the same on either
database, so they run once, on SQLite (tests/conftest.py says which: `one_database`).

The two passes are cut into parts (a folder, or half the integration files) that run side by
side, two at a time (`--jobs`, the machine's cores at most), the longest first, each a pytest
of its own with its own databases; a part's output is printed whole when it ends. Together the
parts cover every test file exactly once per pass (the last part of each pass is "everything
else", so a new folder is never left out). Any failure, or a part that collects no tests
(pytest's exit 5), fails the whole."""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.reliability import Figures

TESTS = Path(__file__).parent
SQLITE = ["--db", "sqlite"]
POSTGRES = ["--db", "postgresql", "--database-tests-only"]


@dataclass
class Part:
    name: str
    args: list[str]
    cost: int  # CPU seconds it took when last measured (Chromium's included): the longest first
    alone: bool = False  # timed under load (the live tests): nothing runs beside it
    db: str = field(init=False)

    def __post_init__(self) -> None:
        self.db = self.args[1]


def integration_halves() -> tuple[list[str], list[str]]:
    """The integration test files in two halves of about equal cost (alternate files)."""
    files = sorted(str(p) for p in (TESTS / "integration").glob("test_*.py"))
    return files[0::2], files[1::2]


# Timed under load: their p99 is asserted or reported, so nothing runs beside them.
TIMED = ["tests/live/test_sign_in_burst.py", "tests/live/test_reads_beside_heavy_work.py"]
# The browser tests in two parts of about equal cost: these files, and the rest.
BROWSER_FIRST = [
    "tests/browser/test_crawl.py",
    "tests/browser/test_return_journey.py",
    "tests/browser/test_grant_life_journey.py",
    "tests/browser/test_officer_journey.py",
]


def parts() -> list[Part]:
    first, second = integration_halves()
    own = ["--ignore=tests/integration", "--ignore=tests/hostile"]
    untimed = [f"--ignore={path}" for path in TIMED]
    sqlite_own = [*own, "--ignore=tests/browser", "--ignore=tests/live"]
    browser_rest = ["tests/browser", *(f"--ignore={path}" for path in BROWSER_FIRST)]
    return [
        Part("SQLite: timed live tests", [*SQLITE, *TIMED], 40, alone=True),
        Part("PostgreSQL: timed live tests", [*POSTGRES, *TIMED], 45, alone=True),
        Part("SQLite: integration (first half)", [*SQLITE, *first], 180),
        Part("SQLite: integration (second half)", [*SQLITE, *second], 80),
        Part("SQLite: hostile input", [*SQLITE, "tests/hostile"], 130),
        Part("SQLite: browser (crawl and journeys)", [*SQLITE, *BROWSER_FIRST], 330),
        Part("SQLite: browser (every other page)", [*SQLITE, *browser_rest], 330),
        Part("SQLite: live", [*SQLITE, "tests/live", *untimed], 40),
        Part("SQLite: everything else", [*SQLITE, "tests", *sqlite_own], 100),
        Part("PostgreSQL: integration (first half)", [*POSTGRES, *first], 200),
        Part("PostgreSQL: integration (second half)", [*POSTGRES, *second], 90),
        Part("PostgreSQL: hostile input", [*POSTGRES, "tests/hostile"], 150),
        # On PostgreSQL "everything else" is the live tests (and any test marked both_databases).
        Part(
            "PostgreSQL: live and everything else", [*POSTGRES, "tests", *own, *untimed], 180
        ),
    ]


COUNTED = re.compile(r"(\d+) (passed|failed|skipped|error|errors|xfailed|xpassed)\b")


def counts(output: str) -> dict[str, int]:
    """pytest's last line, as numbers: {'passed': 120, 'skipped': 2}."""
    lines = [line for line in output.splitlines() if line.startswith("=")]
    found: dict[str, int] = {}
    for number, what in COUNTED.findall(lines[-1] if lines else ""):
        found[what] = found.get(what, 0) + int(number)
    return found


def merge_figures(folder: Path) -> None:
    """Each part's reliability figures, added up into one file per database."""
    by_db: dict[str, Figures] = {}
    for path in sorted(folder.glob("*.json")):
        run = json.loads(path.read_text())
        figures = by_db.setdefault(run["database"], Figures())
        for section, values in run["sections"].items():
            for figure, value in values.items():
                figures.record(section, figure, value)
    for db, figures in by_db.items():
        figures.write(db)


@dataclass
class Running:
    part: Part
    process: subprocess.Popen
    log: object
    began: float


def start(part: Part, extra: list[str], figures: Path) -> Running:
    # Closed when the part ends (run_parts), not here.
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
    env = {**os.environ, "TRACKER_RELIABILITY_FILE": str(figures / f"{id(part)}.json")}
    command = [sys.executable, "-m", "pytest", *part.args, *extra]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    print(f"--- started {part.name}", flush=True)
    return Running(part, process, log, time.monotonic())


def next_part(queue: list[Part], running: dict) -> int:
    """The longest part that may start now: one to run alone only when nothing runs."""
    return next(i for i, part in enumerate(queue) if not (part.alone and running))


def can_start(queue: list[Part], running: dict) -> bool:
    if any(one.part.alone for one in running.values()):
        return False
    return any(not (part.alone and running) for part in queue)


def run_parts(queue: list[Part], jobs: int, extra: list[str], figures: Path) -> list[str]:
    """Runs the parts, `jobs` at a time, printing each one's output when it ends; gives the
    failed parts, and prints how many tests each database ran."""
    running: dict[int, Running] = {}
    failed: list[str] = []
    totals: dict[str, dict[str, int]] = {"sqlite": {}, "postgresql": {}}
    try:
        while queue or running:
            while queue and len(running) < jobs and can_start(queue, running):
                one = start(queue.pop(next_part(queue, running)), extra, figures)
                running[one.process.pid] = one
            pid, status, usage = os.wait4(-1, 0)
            if pid not in running:
                continue
            one = running.pop(pid)
            one.process.returncode = code = os.waitstatus_to_exitcode(status)
            one.log.seek(0)
            output = one.log.read()
            one.log.close()
            name = one.part.name
            print(f"\n=== {name} ===\n{output}", flush=True)
            cpu = usage.ru_utime + usage.ru_stime
            print(
                f"--- {name}: exit {code}, {time.monotonic() - one.began:.0f} s wall, "
                f"{cpu:.0f} s CPU (pytest and the processes it waited for)",
                flush=True,
            )
            for what, number in counts(output).items():
                totals[one.part.db][what] = totals[one.part.db].get(what, 0) + number
            if code != 0:
                failed.append(f"{name} (pytest exited {code})")
    finally:
        for one in running.values():
            one.process.terminate()
    for db, found in totals.items():
        print(f"{db}: " + ", ".join(f"{n} {what}" for what, n in sorted(found.items())))
    return failed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Other arguments go to every part's pytest (e.g. -x). One file on PostgreSQL: "
        ".venv/bin/python -m pytest --db postgresql tests/integration/test_x.py",
    )
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    options, extra = parser.parse_known_args(argv)
    # The parts to run alone first (nothing else is running then), then the longest first.
    queue = sorted(parts(), key=lambda part: (not part.alone, -part.cost))
    figures = Path(tempfile.mkdtemp(prefix="hht-figures-"))
    started = time.monotonic()
    failed = run_parts(queue, options.jobs, extra, figures)
    merge_figures(figures)
    print(f"All parts in {time.monotonic() - started:.0f} s.", flush=True)
    if failed:
        print("\nFAILED: " + "; ".join(failed), flush=True)
        return 1
    print(
        "\nEvery test passed on SQLite, and those that touch the database on PostgreSQL.",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
