"""Importing allocations: rows through the service's own preview and confirm (read the file,
keep it, check it, check it again under the streams' locks and write, commit), against the
database driver's own bulk insert of the same rows (psycopg's COPY, sqlite3's executemany).

The service takes at most 20,000 rows a file (MAX_ROWS in
tracker/infrastructure/import_files.py), so 100,000 rows are five files, imported one after
another, as an officer would. The rows go to a stream of the benchmark's own with room for them
all, and are deleted again after each measurement."""

import csv
import io
import json
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import text

from bench.app_client import service
from tracker.data.audit import CHAIN_LOCK_KEY
from tracker.domain.audit_chain import GENESIS

STREAM_CODE = "BENCH-IMPORT"
HEADER = [
    "identifier",
    "stream_code",
    "organisation_org_id",
    "title",
    "amount",
    "award_date",
    "planned_start",
    "planned_end",
    "2020-21",
    "2021-22",
]
AMOUNT_PENCE, FIRST_YEAR_PENCE = 100_000, 60_000  # £1,000.00: £600 in 2020-21, £400 in 2021-22


@dataclass
class ImportFigure:
    rows: int
    files: int
    service_seconds: float
    floor_seconds: float
    stored_by_service: int  # allocations the service's import left in the database
    stored_by_floor: int

    @property
    def service_rate(self) -> float:
        return self.rows / self.service_seconds

    @property
    def floor_rate(self) -> float:
        return self.rows / self.floor_seconds

    @property
    def rate_share(self) -> float:
        return self.service_rate / self.floor_rate

    @property
    def met(self) -> bool:
        return self.rate_share >= 0.5


def _bench_stream(db) -> int:
    """A stream of the benchmark's own, with budget for any number of imported rows."""
    from tracker.models import FundingStream, StreamBudget

    found = db.session.scalar(
        text("SELECT id FROM funding_stream WHERE code = :code"), {"code": STREAM_CODE}
    )
    if found:
        return found
    stream = FundingStream(
        code=STREAM_CODE,
        name="Benchmark imports (not a real stream)",
        announced_pence=10**15,
        announced_on=date(2020, 5, 21),
        first_year=2020,
        last_year=2021,
        is_illustrative=True,
    )
    db.session.add(stream)
    db.session.flush()
    for year in (2020, 2021):
        db.session.add(
            StreamBudget(stream_id=stream.id, financial_year=year, resource_pence=10**15)
        )
    db.session.commit()
    return stream.id


def _files(org_ids: list[str], rows: int, per_file: int, run: str) -> list[bytes]:
    files = []
    for start in range(0, rows, per_file):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(start, min(rows, start + per_file)):
            writer.writerow(
                [
                    f"360G-BENCH-{run}-{n:06d}",
                    STREAM_CODE,
                    org_ids[n % len(org_ids)],
                    f"Imported allocation {n}",
                    "1000.00",
                    "2020-09-01",
                    "2020-10-01",
                    "2021-09-30",
                    "600.00",
                    "400.00",
                ]
            )
        files.append(out.getvalue().encode())
    return files


def _service_import(app, officer_id: int, files: list[bytes], folder) -> None:
    from tracker.extensions import db
    from tracker.infrastructure import import_files
    from tracker.models import User
    from tracker.services import audit
    from tracker.services import imports as import_service

    with app.app_context():
        actor = audit.Actor(db.session.get(User, officer_id), "127.0.0.1")
        for number, content in enumerate(files, start=1):
            pending = import_service.read_upload(
                actor, f"allocations-{number}.csv", content, app.config["UPLOAD_MAX_BYTES"]
            )
            import_id, sha256 = import_files.keep(folder, pending)
            preview = import_service.check(import_files.load(folder, import_id, sha256))
            if not preview.can_import:
                reasons = [r.reasons for r in preview.rows if r.reasons][:3]
                raise RuntimeError(f"the benchmark's import file has errors: {reasons}")
            db.session.rollback()  # the preview page's request ends here
            pending = import_files.load(folder, import_id, sha256)  # the confirm's
            if pending is None or not import_files.claim(folder, import_id):
                raise RuntimeError("the kept import could not be claimed")
            import_service.import_allocations(actor, pending)
            db.session.commit()
            import_files.discard(folder, import_id)


def _floor_rows(app, stream_id: int, officer_id: int, org_ids: list[str], rows: int, run: str):
    """The same allocations, their profiles and their audit events, as plain tuples."""
    from tracker.extensions import db

    with app.app_context():
        by_org = dict(db.session.execute(text("SELECT org_id, id FROM organisation")).all())
    now = datetime.now(UTC).replace(tzinfo=None)
    allocations, years, events = [], [], []
    for n in range(rows):
        identifier = f"360G-BENCH-{run}-{n:06d}"
        values = (
            stream_id,
            by_org[org_ids[n % len(org_ids)]],
            identifier,
            f"Imported allocation {n}",
            AMOUNT_PENCE,
            date(2020, 9, 1),
            date(2020, 10, 1),
            date(2021, 9, 30),
            "",
            "draft",
            officer_id,
            None,
            False,
            1,
            now,
            now,
        )
        allocations.append(values)
        years.append([(2020, FIRST_YEAR_PENCE), (2021, AMOUNT_PENCE - FIRST_YEAR_PENCE)])
        after = {
            "stream_id": stream_id,
            "organisation_id": values[1],
            "identifier": identifier,
            "title": values[3],
            "amount_pence": AMOUNT_PENCE,
            "awarded_on": "2020-09-01",
            "planned_start": "2020-10-01",
            "planned_end": "2021-09-30",
            "conditions": "",
            "profile": {"2020": FIRST_YEAR_PENCE, "2021": AMOUNT_PENCE - FIRST_YEAR_PENCE},
            "imported_from": f"allocations.csv, row {n + 2}",
        }
        events.append((now, officer_id, "allocation created", "allocation", after))
    return allocations, years, events


def _chained(events, ids, head: str) -> list[tuple]:
    """The events as audit rows chained after `head`, as every writer must (and the service
    does): so the floor pays for the hashing too."""
    from tracker.domain.audit_chain import chain

    rows = (
        {
            "occurred_at": event[0],
            "actor_id": event[1],
            "action": event[2],
            "object_type": event[3],
            "object_id": i,
            "after": event[4],
            "remote_address": "127.0.0.1",
        }
        for i, event in zip(ids, events, strict=True)
    )
    return [
        tuple(json.dumps(row[c]) if c == "after" else row[c] for c in AUDIT_COLUMNS)
        for row in chain(rows, head)
    ]


AUDIT_COLUMNS = (
    "occurred_at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "after",
    "remote_address",
    "previous_hash",
    "event_hash",
)
QUOTED_AUDIT_COLUMNS = ", ".join(AUDIT_COLUMNS).replace("after", '"after"')
HEAD = "SELECT event_hash FROM audit_event ORDER BY id DESC LIMIT 1"


ALLOCATION_COLUMNS = (
    "stream_id, organisation_id, identifier, title, amount_pence, awarded_on, planned_start, "
    "planned_end, conditions, status, created_by_id, approved_by_id, is_illustrative, version, "
    "created_at, updated_at"
)


def _floor_insert(app, allocations, years, events) -> None:
    """The driver's own bulk insert, ids reserved first so profiles and events can name them."""
    from tracker.extensions import db

    with app.app_context():
        raw = db.engine.raw_connection()
    connection = raw.driver_connection
    cursor = connection.cursor()
    count = len(allocations)
    if hasattr(connection, "create_function"):  # sqlite3
        cursor.execute("BEGIN")
        first = cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM allocation").fetchone()[0]
        ids = list(range(first, first + count))
        cursor.executemany(
            f"INSERT INTO allocation (id, {ALLOCATION_COLUMNS}) VALUES ({', '.join('?' * 17)})",
            [(i, *values) for i, values in zip(ids, allocations, strict=True)],
        )
        cursor.executemany(
            "INSERT INTO allocation_year (allocation_id, financial_year, amount_pence, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            [
                (i, year, pence, values[-1], values[-1])
                for i, values, split in zip(ids, allocations, years, strict=True)
                for year, pence in split
            ],
        )
        head = (cursor.execute(HEAD).fetchone() or [GENESIS])[0]
        cursor.executemany(
            f"INSERT INTO audit_event ({QUOTED_AUDIT_COLUMNS}) "
            f"VALUES ({', '.join('?' * len(AUDIT_COLUMNS))})",
            _chained(events, ids, head),
        )
        cursor.execute("COMMIT")
    else:  # psycopg: COPY
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('allocation', 'id')) "
            "FROM generate_series(1, %s)",
            (count,),
        )
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.copy(f"COPY allocation (id, {ALLOCATION_COLUMNS}) FROM STDIN") as copy:
            for i, values in zip(ids, allocations, strict=True):
                copy.write_row((i, *values))
        with cursor.copy(
            "COPY allocation_year (allocation_id, financial_year, amount_pence, created_at, "
            "updated_at) FROM STDIN"
        ) as copy:
            for i, values, split in zip(ids, allocations, years, strict=True):
                for year, pence in split:
                    copy.write_row((i, year, pence, values[-1], values[-1]))
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK_KEY,))
        cursor.execute(HEAD)
        head = (cursor.fetchone() or [GENESIS])[0]
        with cursor.copy(f"COPY audit_event ({QUOTED_AUDIT_COLUMNS}) FROM STDIN") as copy:
            for row in _chained(events, ids, head):
                copy.write_row(row)
        connection.commit()
    cursor.close()
    raw.close()


def _stored(app, stream_id: int) -> int:
    from tracker.extensions import db

    with app.app_context():
        count = db.session.scalar(
            text("SELECT count(*) FROM allocation WHERE stream_id = :s"), {"s": stream_id}
        )
        db.session.rollback()
    return count


def _last_event(app) -> int:
    from tracker.extensions import db

    with app.app_context():
        last = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM audit_event"))
        db.session.rollback()
    return last


def _remove(app, stream_id: int, after_event: int) -> None:
    """Takes the benchmark's rows out again (untimed), with the audit events they made."""
    from tracker.extensions import db
    from tracker.totals import tracking

    mine = "SELECT id FROM allocation WHERE stream_id = :s"
    with app.app_context():
        ids = list(db.session.scalars(text(mine), {"s": stream_id}))
        with tracking.moving(ids):  # the running totals lose them too
            for statement in (
                f"DELETE FROM audit_event WHERE object_type = 'allocation' "
                f"AND object_id IN ({mine})",
                "DELETE FROM audit_event WHERE object_type = 'allocation_import' AND id > :e",
                f"DELETE FROM allocation_year WHERE allocation_id IN ({mine})",
                "DELETE FROM allocation WHERE stream_id = :s",
            ):
                db.session.execute(text(statement), {"s": stream_id, "e": after_event})
        db.session.commit()


def run(url: str, email: str, *, rows: int, repeats: int, folder, log=print) -> ImportFigure:
    from tracker.extensions import db
    from tracker.infrastructure import import_files

    app = service(url)
    with app.app_context():
        stream_id = _bench_stream(db)
        officer_id = db.session.scalar(
            text("SELECT id FROM app_user WHERE email = :e"), {"e": email}
        )
        org_ids = list(
            db.session.scalars(text("SELECT org_id FROM organisation ORDER BY id LIMIT 5000"))
        )
        db.session.rollback()
    mark = _last_event(app)
    _remove(app, stream_id, mark)
    service_times, floor_times = [], []
    stored_service = stored_floor = 0
    for repeat in range(max(1, repeats)):
        run_id = f"{int(time.time())}{repeat}"
        files = _files(org_ids, rows, import_files.MAX_ROWS, run_id)
        started = time.perf_counter()
        _service_import(app, officer_id, files, folder)
        service_times.append(time.perf_counter() - started)
        stored_service = _stored(app, stream_id)
        _remove(app, stream_id, mark)

        allocations, years, events = _floor_rows(app, stream_id, officer_id, org_ids, rows, run_id)
        started = time.perf_counter()
        _floor_insert(app, allocations, years, events)
        floor_times.append(time.perf_counter() - started)
        stored_floor = _stored(app, stream_id)
        _remove(app, stream_id, mark)
    figure = ImportFigure(
        rows,
        len(files),
        statistics.median(service_times),
        statistics.median(floor_times),
        stored_service,
        stored_floor,
    )
    log(
        f"  {rows:,} rows in {figure.files} files: service {figure.service_seconds:.1f} s "
        f"({figure.service_rate:,.0f} rows/s); driver {figure.floor_seconds:.1f} s "
        f"({figure.floor_rate:,.0f} rows/s)"
    )
    with app.app_context():
        db.engine.dispose()
    return figure
