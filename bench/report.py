"""bench/RESULTS.md: one section per database, replaced by each run, so that the SQLite and
PostgreSQL runs both stay in the file; anything outside the sections is left as it is."""

import re
from pathlib import Path

from bench import readers
from bench.timing import ms

HEADING = """# Benchmark results

Written by `make bench` (SQLite) and `make bench DB=postgres` (see bench/README.md for what
each figure measures). Each run replaces its own database's section below; the notes after the
sections are written by hand.
"""


def _duration(value: float) -> str:
    return f"{value:,.1f} s" if value >= 10 else ms(value)


def _mb(value: float) -> str:
    return f"{value:,.0f} MB"


def _yes(met: bool) -> str:
    return "yes" if met else "**no**"


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def dashboards_table(result: dict) -> list[str]:
    figures = result["dashboards"]
    small = {f["path"]: f for f in result.get("dashboards_small") or []}
    lines = [
        f"### Dashboards: the page against its own SQL (median of {result['settings']['repeats']}"
        ", taken in turn)",
        "",
        "Each page through the service (Flask test client, signed in as the minister's office), "
        "against the very statements it ran re-executed on the driver's raw cursor.",
        "",
        "| Page | Statements | Page | Its SQL, raw | Ratio | Allowed (1.1 × SQL + 10 ms) | Met |"
        + (" At 1% scale | Department ÷ 1% | ≤ 1.5 × |" if small else ""),
        "|---|---:|---:|---:|---:|---:|---|" + ("---:|---:|---|" if small else ""),
    ]
    for f in figures:
        allowed = 1.1 * f["sql_seconds"] + 0.010
        row = (
            f"| {f['page']} | {f['statements']} | {ms(f['page_seconds'])} | "
            f"{ms(f['sql_seconds'])} | {f['page_seconds'] / f['sql_seconds']:.2f} | "
            f"{ms(allowed)} | {_yes(f['page_seconds'] <= allowed)} |"
        )
        if small and f["path"] in small:
            growth = f["page_seconds"] / small[f["path"]]["page_seconds"]
            row += (
                f" {ms(small[f['path']]['page_seconds'])} | {growth:.1f} | {_yes(growth <= 1.5)} |"
            )
        lines.append(row)
    return lines


def lists_table(result: dict) -> list[str]:
    s = result["settings"]
    lines = [
        "### Signed-in 50-row list pages: service against the bare ceiling app",
        "",
        f"gunicorn, {s['workers']} sync workers (2 × cores + 1, as gunicorn.conf.py), each app in "
        f"turn; wrk, 2 threads, {s['connections']} connections, {s['seconds']} s, median of "
        f"{s['rounds']} rounds taken in turn. Every response was checked in gunicorn's access log.",
        "",
        "| Page | Rows | Service req/s | Ceiling req/s | Share (≥ 70%) | Service p99 | "
        "Ceiling p99 | p99 ratio (≤ 2) | Non-200 | Met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for f in result["lists"]:
        sv, cl = f["service"], f["ceiling"]
        share = sv["requests_per_second"] / cl["requests_per_second"]
        p99 = sv["p99_seconds"] / cl["p99_seconds"]
        lines.append(
            f"| {f['page']} | {f['rows']} | {sv['requests_per_second']:,.0f} | "
            f"{cl['requests_per_second']:,.0f} | {_pct(share)} | {ms(sv['p99_seconds'])} | "
            f"{ms(cl['p99_seconds'])} | {p99:.1f} | {sv['not_ok'] + cl['not_ok']} | "
            f"{_yes(share >= 0.7 and p99 <= 2)} |"
        )
    deep = [f for f in result["lists"] if f.get("deep")]
    if deep:
        lines += [
            "",
            "Deep pages, reached by key as the Next links reach them "
            "(`tracker/data/pagination.py`), "
            "loaded the same way:",
            "",
            "| Page | Address | Page 1 p50 | Deep page p50 | Ratio (≤ 1.5) | Deep req/s | Met |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        for f in deep:
            ratio = f["deep"]["p50_seconds"] / f["service"]["p50_seconds"]
            lines.append(
                f"| {f['page']} | `{f['deep_path']}` | {ms(f['service']['p50_seconds'])} | "
                f"{ms(f['deep']['p50_seconds'])} | {ratio:.2f} | "
                f"{f['deep']['requests_per_second']:,.0f} | {_yes(ratio <= 1.5)} |"
            )
    return lines


def exports_table(result: dict) -> list[str]:
    lines = [
        "### Exports of the whole data set: the service's download against a raw cursor",
        "",
        "Each in its own process under `/usr/bin/time -v`; peak RSS is the process's, reset "
        "(Linux `clear_refs`) just before the export so the sign-in's argon2 hash (64 MiB for "
        "a moment) is not counted; the RSS before it is the app, loaded. One run each.",
        "",
        "| Export | Rows | Service | Cursor | Rate share (≥ 0.5) | Service peak RSS (< 150 MB) | "
        "Cursor peak RSS | RSS before | File | Met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for f in result["exports"]:
        sv, fl = f["service"], f["floor"]
        share = fl["seconds"] / sv["seconds"]
        lines.append(
            f"| {f['table']} {f['kind']} | {f['rows']:,} | {_duration(sv['seconds'])} | "
            f"{_duration(fl['seconds'])} | {share:.2f} | {_mb(sv['export_peak_mb'])} | "
            f"{_mb(fl['export_peak_mb'])} | {_mb(sv['baseline_mb'])} | "
            f"{sv['bytes'] / 1e6:,.1f} MB | {_yes(sv['export_peak_mb'] < 150 and share >= 0.5)} |"
        )
    return lines


def imports_table(result: dict) -> list[str]:
    f = result["imports"]
    share = (f["rows"] / f["service_seconds"]) / (f["rows"] / f["floor_seconds"])
    return [
        "### Import: the service's preview and confirm against the driver's bulk insert",
        "",
        f"{f['rows']:,} rows in {f['files']} files (the service takes 20,000 rows a file); the "
        "driver writes the same allocations, profiles and audit events "
        "(psycopg `COPY` / sqlite3 `executemany`).",
        "",
        "| Rows | Service | Driver | Service rows/s | Driver rows/s | Share (≥ 0.5) | Stored "
        "| Met |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {f['rows']:,} | {_duration(f['service_seconds'])} | {_duration(f['floor_seconds'])} | "
        f"{f['rows'] / f['service_seconds']:,.0f} | {f['rows'] / f['floor_seconds']:,.0f} | "
        f"{share:.2f} | {f['stored_by_service']:,} / {f['stored_by_floor']:,} | "
        f"{_yes(share >= 0.5)} |",
    ]


def section(result: dict) -> str:
    name = result["database_name"]
    lines = [
        f"## {name}",
        "",
        f"Run {result['started']} to {result['finished']} at scale `{result['scale']}` "
        f"({result['data_note']}); `{result['command']}`."
        + (f" Kept: {result['earlier']}." if result.get("earlier") else ""),
        "",
        "| Machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in result["machine"].items()),
        "",
        "The machine was shared: other engineers' builds and tests were running on the same "
        "two cores, so treat single figures with care; every figure was measured in turn with "
        "its floor or ceiling so that the ratios suffer less than the times.",
        "",
    ]
    for part, table in (
        ("dashboards", dashboards_table),
        ("lists", lists_table),
        ("readers", readers.table),
        ("exports", exports_table),
        ("imports", imports_table),
    ):
        if result.get(part):
            lines += [*table(result), ""]
    lines += ["### Targets", "", *(f"- {line}" for line in result["verdicts"]), ""]
    return "\n".join(lines)


def write(path: Path, result: dict) -> None:
    key = result["database"]
    start, end = f"<!-- results:{key}:start -->", f"<!-- results:{key}:end -->"
    block = f"{start}\n{section(result)}\n{end}"
    text = path.read_text() if path.exists() else HEADING
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        # SQLite's section before PostgreSQL's, both before the notes.
        other = "<!-- results:postgresql:start -->"
        if key == "sqlite" and other in text:
            text = text.replace(other, block + "\n\n" + other)
        else:
            notes = text.find("\n## Notes")
            text = (
                text.rstrip() + "\n\n" + block + "\n"
                if notes < 0
                else text[:notes] + "\n" + block + "\n" + text[notes:]
            )
    path.write_text(text)
