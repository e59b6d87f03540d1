"""One export, in its own process so that /usr/bin/time -v measures its peak memory alone.

    python -m bench.export_job service|floor TABLE csv|xlsx|json OUT

`service`: the download through the service's own view (the Flask test client, signed in as a
programme officer, so every column), its streamed body written to OUT.
`floor`: the very SQL the service's export runs (captured as it starts), executed on the
driver's own cursor (server-side on PostgreSQL), each row written as it comes with csv.writer,
XlsxWriter's constant-memory sheet (as the service) or json.dumps: no per-column Python at all.

Prints one line of JSON: seconds, rows (floor only), the RSS before the export began and the
peak RSS during it."""

import csv
import json
import os
import sys
import time
from pathlib import Path

from sqlalchemy import event

PATHS = {
    ("allocations", "csv"): "/exports/allocations.csv",
    ("allocations", "xlsx"): "/exports/allocations.xlsx",
    ("returns", "csv"): "/exports/returns.csv",
    ("returns", "xlsx"): "/exports/returns.xlsx",
    ("payments", "csv"): "/exports/payments.csv",
    ("payments", "xlsx"): "/exports/payments.xlsx",
    ("360giving", "json"): "/exports/360giving.json",
}


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def rss_kb() -> int:
    """The RSS now, after resetting the peak (Linux's clear_refs), so that peak_kb() measures
    the export alone: the sign-in before it hashes with argon2, which takes 64 MiB for a moment."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status("VmRSS")


def peak_kb() -> int:
    return _status("VmHWM")


def service_export(app, email: str, table: str, kind: str, out: Path) -> dict:
    from bench.app_client import signed_in

    client = signed_in(app, email)
    before = rss_kb()
    started = time.perf_counter()
    response = client.get(PATHS[table, kind], buffered=False)
    if response.status_code != 200:
        raise SystemExit(f"{PATHS[table, kind]} answered {response.status_code}")
    with open(out, "wb") as handle:
        for chunk in response.iter_encoded():
            handle.write(chunk)
    response.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rss_before_kb": before, "peak_kb": peak_kb()}


def _statements(app, table: str) -> list[tuple[str, object]]:
    """The statements the service's export query runs, as the driver receives them."""
    from tracker.data import exports
    from tracker.data.exports import ExportFilters
    from tracker.extensions import db

    readers = {
        "allocations": lambda: exports.allocation_rows(ExportFilters()),
        "returns": lambda: exports.return_rows(ExportFilters(), personal=True),
        "payments": lambda: exports.payment_rows(ExportFilters(), personal=True),
        "360giving": lambda: exports.awarded_allocation_rows(ExportFilters()),
    }
    captured: list[tuple[str, object]] = []

    def listen(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", listen)
        rows = readers[table]()
        next(rows, None)
        rows.close()
        event.remove(db.engine, "before_cursor_execute", listen)
        db.session.rollback()
    return captured


def _cursor(connection, number: int):
    """A cursor that reads a batch at a time: server-side on PostgreSQL."""
    if hasattr(connection, "create_function"):  # sqlite3 reads lazily anyway
        return connection.cursor()
    cursor = connection.cursor(name=f"floor_{number}")
    cursor.itersize = 1000
    return cursor


def floor_export(app, table: str, kind: str, out: Path) -> dict:
    from tracker.extensions import db

    statements = _statements(app, table)
    with app.app_context():
        raw = db.engine.raw_connection()
    connection = raw.driver_connection
    before = rss_kb()
    started = time.perf_counter()
    cursors = []
    for number, (statement, parameters) in enumerate(statements):
        cursor = _cursor(connection, number)
        cursor.execute(statement, parameters)
        cursors.append(cursor)
    if table == "returns":  # the returns first, then their outputs (captured the other way)
        cursors.sort(key=lambda c: "indicator_name" in [column[0] for column in c.description])
    rows = _rows(table, cursors)
    header = [column[0] for column in cursors[0].description] + (
        ["outputs"] if table == "returns" else []
    )
    count = _write(kind, header, rows, out)
    for cursor in cursors:
        cursor.close()
    raw.rollback()
    raw.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": count, "rss_before_kb": before, "peak_kb": peak_kb()}


def _rows(table: str, cursors):
    """Plain tuples; for returns, each with its outputs (the second statement) joined in, as
    both are sorted by due date and id."""
    if table != "returns":
        yield from cursors[0]
        return
    returns, outputs = iter(cursors[0]), iter(cursors[1])
    due, ident = _positions(cursors[0].description)
    pending = next(outputs, None)
    for row in returns:
        key = (row[due], row[ident])
        while pending is not None and (pending[0], pending[1]) < key:
            pending = next(outputs, None)
        found = []
        while pending is not None and (pending[0], pending[1]) == key:
            found.append(f"{pending[2]}: {pending[3]}")
            pending = next(outputs, None)
        yield (*row, "; ".join(found))


def _positions(description) -> tuple[int, int]:
    names = [column[0] for column in description]
    return names.index("due_on"), names.index("return_id")


def _write(kind: str, header: list[str], rows, out: Path) -> int:
    count = 0
    if kind == "csv":
        with open(out, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for count, row in enumerate(rows, start=1):  # noqa: B007 - the count is the point
                writer.writerow(row)
    elif kind == "xlsx":
        import xlsxwriter

        workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "remove_timezone": True})
        sheet = workbook.add_worksheet("Rows")
        sheet.write_row(0, 0, header)
        for count, row in enumerate(rows, start=1):  # noqa: B007
            sheet.write_row(count, 0, row)
        workbook.close()
    else:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write('{"grants": [')
            for count, row in enumerate(rows, start=1):  # noqa: B007
                handle.write(("," if count > 1 else "") + "\n")
                handle.write(json.dumps(dict(zip(header, row, strict=True)), default=str))
            handle.write("\n]}\n")
    return count


def main(argv: list[str]) -> None:
    mode, table, kind, out = argv
    from bench.app_client import service

    app = service(os.environ["DATABASE_URL"])
    if mode == "service":
        result = service_export(app, os.environ["BENCH_EMAIL"], table, kind, Path(out))
    else:
        result = floor_export(app, table, kind, Path(out))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
