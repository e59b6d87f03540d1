"""Runs every benchmark against one database and writes its section of bench/RESULTS.md.

    python -m bench.run [--db sqlite|postgres] [--scale department|small|<fraction>|demo]
                        [--quick] [--only dashboards,lists,exports,imports]

`--quick` runs each benchmark once, briefly (what the test does, so none of them rots); the
results then go to bench/out/ unless --results names a file. Timings never fail a run: a
missed target is reported, with by how much."""

import argparse
import dataclasses
import json
import shlex
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import dashboards, database, exports, imports, lists, machine, readers, report

ROOT = database.ROOT
PARTS = ("dashboards", "lists", "readers", "exports", "imports")
FULL = {"repeats": 5, "seconds": 10, "rounds": 3, "connections": 10, "import_rows": 100_000}
QUICK = {"repeats": 1, "seconds": 1, "rounds": 1, "connections": 4, "import_rows": 2_000}


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def _over(took: float, allowed: float) -> str:
    return f"{(took - allowed) * 1000:,.0f} ms ({(took / allowed - 1) * 100:.0f}%) over"


def verdicts(result: dict) -> list[str]:
    """What each target came to, and by how much a missed one was missed."""
    out = []
    if result.get("dashboards"):
        missed = []
        for f in result["dashboards"]:
            allowed = 1.1 * f["sql_seconds"] + 0.010
            if f["page_seconds"] > allowed:
                missed.append(
                    f"{f['page']} took {f['page_seconds'] * 1000:,.0f} ms where "
                    f"{allowed * 1000:,.0f} ms was allowed, {_over(f['page_seconds'], allowed)}"
                )
        n = len(result["dashboards"])
        out.append(
            f"Dashboards within 1.1 × their own SQL + 10 ms: {n - len(missed)} of {n}."
            + (" Missed: " + "; ".join(missed) + "." if missed else "")
        )
    if result.get("dashboards_small"):
        small = {f["path"]: f["page_seconds"] for f in result["dashboards_small"]}
        growth = [(f["page"], f["page_seconds"] / small[f["path"]]) for f in result["dashboards"]]
        over = [f"{page} ×{g:.1f}" for page, g in growth if g > 1.5]
        out.append(
            f"(Better) dashboards at department scale within 1.5 × their time at 1%: "
            f"{len(growth) - len(over)} of {len(growth)}."
            + (" Grew more: " + ", ".join(over) + "." if over else "")
        )
    for f in result.get("lists") or []:
        share = f["service"]["requests_per_second"] / f["ceiling"]["requests_per_second"]
        p99 = f["service"]["p99_seconds"] / f["ceiling"]["p99_seconds"]
        parts = [f"{share * 100:.0f}% of the ceiling's requests per second (target 70%)"]
        parts.append(f"p99 {p99:.1f} × the ceiling's (target 2 ×)")
        met = share >= 0.7 and p99 <= 2
        if f.get("deep"):
            deep = f["deep"]["p50_seconds"] / f["service"]["p50_seconds"]
            parts.append(
                f"its deep page ({f['deep_path']}) at {deep:.2f} × page 1's p50 (target 1.5 ×)"
            )
            met = met and deep <= 1.5
        out.append(f"{f['page']} list: {'met' if met else '**missed**'}: " + ", ".join(parts) + ".")
    if result.get("exports"):
        missed = []
        for f in result["exports"]:
            share = f["floor"]["seconds"] / f["service"]["seconds"]
            peak = f["service"]["export_peak_mb"]
            if share < 0.5:
                missed.append(
                    f"{f['table']} {f['kind']} ran at {share:.2f} × the cursor's rate "
                    f"(target 0.5; {(0.5 - share) / 0.5 * 100:.0f}% short)"
                )
            if peak >= 150:
                missed.append(f"{f['table']} {f['kind']} peaked at {peak:,.0f} MB (target < 150)")
        n = len(result["exports"])
        out.append(
            f"Exports: {n - len({m.split(' ran')[0].split(' peaked')[0] for m in missed})} of "
            f"{n} within both targets (streamed, < 150 MB, ≥ half the cursor's rate)."
            + (" Missed: " + "; ".join(missed) + "." if missed else "")
        )
    if result.get("imports"):
        f = result["imports"]
        share = f["floor_seconds"] / f["service_seconds"]
        out.append(
            f"Import: {share:.2f} × the driver's bulk rate (target 0.5): "
            + ("met." if share >= 0.5 else f"**missed**, {(0.5 - share) / 0.5 * 100:.0f}% short.")
        )
    return out + readers.verdicts(result)


def _earlier(out: Path, kind: str, scale: str, only: list[str]) -> dict:
    """With --only, the other benchmarks' figures from this database's last run at this scale
    (bench/out/results-<db>.json), so the section still shows them (and says when they ran)."""
    if set(only) >= set(PARTS):
        return {}
    path = out / f"results-{kind}.json"
    try:
        earlier = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if earlier.get("scale") != scale:
        return {}
    kept = {part: earlier[part] for part in PARTS if part not in only and part in earlier}
    if "dashboards" not in only and "dashboards_small" in earlier:
        kept["dashboards_small"] = earlier["dashboards_small"]
    if kept:
        kept["earlier"] = (
            f"{', '.join(p for p in PARTS if p in kept)} from the run of {earlier['started']}"
        )
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "postgresql"], default="sqlite")
    parser.add_argument("--scale", default="department")
    parser.add_argument("--quick", action="store_true", help="each benchmark once, briefly")
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--results", type=Path, help="the Markdown file to update")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--out", type=Path, default=database.OUT, help="scratch files")
    parser.add_argument("--keep-files", action="store_true", help="keep the exported files")
    parser.add_argument("--regenerate", action="store_true", help="refill the database")
    parser.add_argument("--no-small", action="store_true", help="skip the 1%% comparison")
    parser.add_argument("--exports", help="only these exports, e.g. returns:csv,360giving:json")
    args = parser.parse_args(argv)
    # A run stopped with SIGTERM stops its servers too (their `finally` blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    kind = "sqlite" if args.db == "sqlite" else "postgresql"
    args.out.mkdir(parents=True, exist_ok=True)  # not in a fresh clone: bench/out is ignored
    only = [part.strip() for part in args.only.split(",") if part.strip()]
    settings = dict(QUICK if args.quick else FULL, workers=lists.workers())
    results_path = args.results or (
        args.out / "RESULTS.md" if args.quick else ROOT / "bench" / "RESULTS.md"
    )
    started = datetime.now(UTC)
    print(f"Benchmarks on {kind} at scale {args.scale} ({'quick' if args.quick else 'full'})")
    with database.server(kind) as server_url:
        url = database.url_for(kind, server_url, args.scale, args.out)
        filled = database.prepare(url, args.scale, regenerate=args.regenerate)
        result: dict = _earlier(args.out, kind, args.scale, only)
        result.update(
            {
                "database": kind,
                "database_name": "SQLite" if kind == "sqlite" else "PostgreSQL",
                "scale": args.scale,
                "data_note": "data kept from an earlier run"
                if filled is None
                else f"generated in {filled:,.0f} s",
                "command": "python -m bench.run " + shlex.join(argv or sys.argv[1:]),
                "machine": machine.describe(server_url),
                "settings": settings,
                "started": started.strftime("%Y-%m-%d %H:%M UTC"),
            }
        )

        def save() -> None:
            """After each benchmark, so that a run cut short keeps what it measured."""
            result["finished"] = datetime.now(UTC).strftime("%H:%M UTC")
            result["verdicts"] = verdicts(result)
            results_path.parent.mkdir(parents=True, exist_ok=True)
            report.write(results_path, result)
            text = json.dumps(result, indent=2, default=str)
            (args.out / f"results-{kind}.json").write_text(text)
            if args.json:
                args.json.write_text(text)

        viewer = database.sign_in_email(url, "viewer")
        officer = database.sign_in_email(url, "officer")
        if "dashboards" in only:
            print("Dashboards")
            result["dashboards"] = _plain(dashboards.run(url, viewer, repeats=settings["repeats"]))
            save()
            if args.scale == "department" and not args.quick and not args.no_small:
                small_url = database.url_for(kind, server_url, "small", args.out)
                database.prepare(small_url, "small")
                print("Dashboards at 1% scale")
                result["dashboards_small"] = _plain(
                    dashboards.run(
                        small_url,
                        database.sign_in_email(small_url, "viewer"),
                        repeats=settings["repeats"],
                    )
                )
                save()
        if "lists" in only:
            print("List pages")
            result["lists"] = _plain(
                lists.run(
                    url,
                    officer,
                    seconds=settings["seconds"],
                    rounds=settings["rounds"],
                    connections=settings["connections"],
                    warm=not args.quick,
                )
            )
            save()
        if "readers" in only:
            print("A reader beside a running summary or export")
            result["readers"] = _plain(
                readers.run(
                    url,
                    officer,
                    viewer,
                    seconds=settings["seconds"],
                    rounds=settings["rounds"],
                    connections=settings["connections"],
                    warm=not args.quick,
                )
            )
            save()
        if "exports" in only:
            print("Exports")
            chosen = (
                [tuple(e.split(":")) for e in args.exports.split(",")] if args.exports else None
            )
            done = {(f["table"], f["kind"]): f for f in result.get("exports") or []}
            for figure in exports.run(
                url, officer, only=chosen, keep_files=args.keep_files, folder=args.out / "exports"
            ):
                done[figure.table, figure.kind] = _plain(figure)
                result["exports"] = list(done.values())
                save()
        if "imports" in only:
            print("Import")
            result["imports"] = _plain(
                imports.run(
                    url,
                    officer,
                    rows=settings["import_rows"],
                    repeats=1,
                    folder=args.out / "imports",
                )
            )
            save()
    for line in result["verdicts"]:
        print("- " + line)
    print(f"Written to {results_path}")
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - started:,.0f} s)")
    sys.exit(code)
