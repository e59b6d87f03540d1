"""Bulk writes: SQLAlchemy Core executemany in batches on SQLite, COPY FROM STDIN (psycopg 3)
on PostgreSQL, all in the caller's one transaction. Rows arrive as tuples from generators and
leave in batches, so no table is ever held in memory whole."""

import json
import time
from collections.abc import Callable, Iterable, Sequence
from itertools import islice

import sqlalchemy as sa

from tracker.models import Base

BATCH = 10_000


class BulkWriter:
    def __init__(self, connection: sa.Connection, report: Callable[[str, int, float], None]):
        self.connection = connection
        self.report = report
        self.postgres = connection.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def insert(self, table_name: str, columns: list[str], rows: Iterable[tuple]) -> int:
        """Writes one table's rows, BATCH at a time."""
        started, written, rows = time.perf_counter(), 0, iter(rows)
        while batch := list(islice(rows, BATCH)):
            self._write(table_name, columns, batch)
            written += len(batch)
        self.counts[table_name] = self.counts.get(table_name, 0) + written
        self.report(table_name, written, time.perf_counter() - started)
        return written

    def insert_together(
        self, tables: list[tuple[str, list[str]]], groups: Iterable[Sequence[list[tuple]]]
    ) -> None:
        """Writes several tables from one walk: each group holds a list of rows per table (a
        return, its spend lines, ...). Buffers are written parents first, every BATCH rows of
        the first table. Reports each table's count and the seconds spent writing it, then the
        walk's own seconds."""
        started = time.perf_counter()
        buffers: list[list[tuple]] = [[] for _ in tables]
        spent = [0.0] * len(tables)
        written = [0] * len(tables)

        def flush() -> None:
            for n, (name, columns) in enumerate(tables):
                if buffers[n]:
                    began = time.perf_counter()
                    self._write(name, columns, buffers[n])
                    spent[n] += time.perf_counter() - began
                    written[n] += len(buffers[n])
                    buffers[n] = []

        for group in groups:
            for buffer, rows in zip(buffers, group, strict=True):
                buffer.extend(rows)
            if len(buffers[0]) >= BATCH:
                flush()
        flush()
        for n, (name, _) in enumerate(tables):
            self.counts[name] = self.counts.get(name, 0) + written[n]
            self.report(name, written[n], spent[n])
        self.report("(working them out)", sum(written), time.perf_counter() - started - sum(spent))

    def _write(self, table_name: str, columns: list[str], batch: list[tuple]) -> None:
        table = Base.metadata.tables[table_name]
        if self.postgres:
            self._copy(table, columns, batch)
        else:
            rows = [dict(zip(columns, row, strict=True)) for row in batch]
            self.connection.execute(sa.insert(table), rows)

    def _copy(self, table: sa.Table, columns: list[str], batch: list[tuple]) -> None:
        as_json = [n for n, name in enumerate(columns) if isinstance(table.c[name].type, sa.JSON)]
        sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with (
            self.connection.connection.driver_connection.cursor() as cursor,
            cursor.copy(sql) as copy,
        ):
            for row in batch:
                if as_json:
                    row = list(row)
                    for n in as_json:
                        if row[n] is not None:
                            row[n] = json.dumps(row[n])
                copy.write_row(row)


def speed_up(connection: sa.Connection) -> None:
    """SQLite only, and only on this connection: skip fsync (a crash mid-way leaves a database
    to throw away anyway) and give it a bigger cache. Called before its transaction begins."""
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("PRAGMA cache_size=-262144")  # 256 MB
        raw.execute("PRAGMA temp_store=MEMORY")


def empty_every_table(engine: sa.Engine) -> None:
    """Removes every row of every table of the models (the generator's own data only: the
    caller has checked there is nothing else)."""
    names = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            with connection.begin():
                connection.exec_driver_sql(f"TRUNCATE {', '.join(names)} RESTART IDENTITY")
            return
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")  # lets SQLite drop each table's rows at once
        try:
            with connection.begin():
                for name in names:
                    connection.exec_driver_sql(f"DELETE FROM {name}")  # noqa: S608 - ours
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def reset_sequences(connection: sa.Connection, tables: Iterable[str]) -> None:
    """PostgreSQL: COPY with explicit ids leaves each id sequence behind; move it past them."""
    if connection.dialect.name != "postgresql":
        return
    for name in tables:
        sql = (
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - ours
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
        )
        connection.exec_driver_sql(sql)
