"""`make test`: the whole suite on SQLite, then again on PostgreSQL (TEST_DATABASE_URL, or a
throwaway server the suite starts and stops itself). Any failure, or a run that collects no
tests (pytest's exit 5), fails the whole."""

import subprocess
import sys

RUNS = [
    ("SQLite", ["--db", "sqlite"]),
    ("PostgreSQL", ["--db", "postgresql"]),
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
    print("\nEvery test passed on SQLite and on PostgreSQL.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
