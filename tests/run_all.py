"""`make test`: the whole suite on SQLite, then again on PostgreSQL (TEST_DATABASE_URL, or a
throwaway server the suite starts and stops itself) every test whose proof can differ between
the two: the integration, hostile-input and live tests, and any other test marked
`both_databases`. The unit, browser and benchmark tests prove the same on either database, so
they run once, on SQLite (tests/conftest.py says which: `one_database`). Any failure, or a run
that collects no tests (pytest's exit 5), fails the whole."""

import subprocess
import sys

RUNS = [
    ("SQLite (every test)", ["--db", "sqlite"]),
    (
        "PostgreSQL (the tests that touch the database)",
        ["--db", "postgresql", "--database-tests-only"],
    ),
]


def main(extra: list[str]) -> int:
    failed = []
    for name, args in RUNS:
        print(f"\n=== The suite on {name} ===", flush=True)
        code = subprocess.call([sys.executable, "-m", "pytest", *args, *extra])
        if code != 0:
            failed.append(f"{name} (pytest exited {code})")
    if failed:
        print("\nFAILED on: " + ", ".join(failed), flush=True)
        return 1
    print(
        "\nEvery test passed on SQLite, and those that touch the database on PostgreSQL.",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
