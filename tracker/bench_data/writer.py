"""Bulk writes: SQLAlchemy Core executemany in batches on SQLite, COPY FROM STDIN (psycopg 3)
on PostgreSQL, all in the caller's one transaction. Rows arrive as tuples from generators and
leave in batches, so no table is ever held in memory whole."""

import json
import time
from collections.abc import Callable, Iterable
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
        started = time.perf_counter()
        table = Base.metadata.tables[table_name]
        if self.postgres:
            written = self._copy(table, columns, rows)
        else:
            written = self._executemany(table, columns, rows)
        self.counts[table_name] = self.counts.get(table_name, 0) + written
        self.report(table_name, written, time.perf_counter() - started)
        return written

    def _executemany(self, table: sa.Table, columns: list[str], rows: Iterable[tuple]) -> int:
        statement, written, rows = sa.insert(table), 0, iter(rows)
        while batch := [dict(zip(columns, row, strict=True)) for row in islice(rows, BATCH)]:
            self.connection.execute(statement, batch)
            written += len(batch)
        return written

    def _copy(self, table: sa.Table, columns: list[str], rows: Iterable[tuple]) -> int:
        as_json = [n for n, name in enumerate(columns) if isinstance(table.c[name].type, sa.JSON)]
        sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        cursor = self.connection.connection.driver_connection.cursor()
        written = 0
        with cursor.copy(sql) as copy:
            for row in rows:
                if as_json:
                    row = list(row)
                    for n in as_json:
                        if row[n] is not None:
                            row[n] = json.dumps(row[n])
                copy.write_row(row)
                written += 1
        cursor.close()
        return written


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
