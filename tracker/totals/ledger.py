"""Writing the running totals: changes as `UPDATE ... SET x = x + :delta` (never read, change
and write back), rebuilding every table from the live rows, and checking them.

A change first makes its key's row if it is missing (`INSERT ... ON CONFLICT DO NOTHING`, on
SQLite and PostgreSQL alike), then adds to it: two writers reaching the same new key at once
both land, one making the row and both adding. Rows are touched in key order, table by table,
and `tracking` writes a transaction's changes in one go as it commits, so writers on
PostgreSQL take the totals' row locks in one order and never deadlock on them.
A change never deletes a row (a zero row is harmless and saves the next change an insert)."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker.models.totals import ADDITIVE, LatestProjectRating
from tracker.totals import contributions
from tracker.totals.figures import Figures

TABLES = {model.__tablename__: model.__table__ for model in ADDITIVE}


def _keys(table) -> list[str]:
    """The key's columns in the order the model declares them (the order of every key tuple in
    `contributions`), whatever the order of the primary key's index."""
    return [c.name for c in table.columns if c.primary_key]


def _values(table) -> list[str]:
    keys = set(_keys(table))
    return [c.name for c in table.columns if c.name not in keys]


def _insert_missing(connection, table):
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(dialect)


def apply(connection, changes: dict) -> None:
    """Adds each change ({(table name, key): {column: delta}}) to its row."""
    by_table: dict = defaultdict(list)
    for (name, key), delta in changes.items():
        by_table[name].append((key, delta))
    for name in sorted(by_table):
        table = TABLES[name]
        keys, values = _keys(table), _values(table)
        rows = sorted(by_table[name], key=lambda item: item[0])
        connection.execute(
            _insert_missing(connection, table),
            [{**dict(zip(keys, key, strict=True)), **{c: 0 for c in values}} for key, _ in rows],
        )
        # One statement shape per set of columns changed, each run for all its rows at once.
        shapes: dict = defaultdict(list)
        for key, delta in rows:
            shapes[tuple(sorted(delta))].append(
                {
                    **{f"k_{k}": part for k, part in zip(keys, key, strict=True)},
                    **{f"d_{c}": d for c, d in delta.items()},
                }
            )
        for columns, params in shapes.items():
            statement = (
                update(table)
                .where(and_(*[table.c[k] == bindparam(f"k_{k}") for k in keys]))
                .values({c: table.c[c] + bindparam(f"d_{c}") for c in columns})
            )
            connection.execute(statement, params)


def replace_ratings(connection, project_ids, ratings: dict) -> None:
    """The latest rating of these projects becomes `ratings` (none where it has none). Only the
    writer holding their allocation's lock changes them, so replacing is safe here."""
    ids = sorted(set(project_ids))
    table = LatestProjectRating.__table__
    for start in range(0, len(ids), 1_000):
        connection.execute(delete(table).where(table.c.project_id.in_(ids[start : start + 1_000])))
    rows = [ratings[p] for p in ids if p in ratings]
    if rows:
        connection.execute(insert(table), rows)


def replace_changed_ratings(connection, before: Figures, after: Figures) -> None:
    """The latest ratings that differ between two sets of figures become `after`'s."""
    changed = {
        p
        for p in set(before.ratings) | set(after.ratings)
        if before.ratings.get(p) != after.ratings.get(p)
    }
    if changed:
        replace_ratings(connection, changed, after.ratings)


def _live(connection) -> Figures:
    """What the live rows add up to, every table."""
    total = Figures()
    for chunk in contributions.of_everything(connection):
        total.merge(chunk)
    return total


def rebuild(connection) -> Figures:
    """Empties every totals table and fills it again from the live rows."""
    live = _live(connection)
    for table in TABLES.values():
        connection.execute(delete(table))
    connection.execute(delete(LatestProjectRating.__table__))
    by_table: dict = defaultdict(list)
    for (name, key), values in live.sums.items():
        table = TABLES[name]
        by_table[name].append(
            {
                **dict(zip(_keys(table), key, strict=True)),
                **{c: 0 for c in _values(table)},
                **values,
            }
        )
    for name, rows in by_table.items():
        for start in range(0, len(rows), 5_000):
            connection.execute(insert(TABLES[name]), rows[start : start + 5_000])
    ratings = list(live.ratings.values())
    for start in range(0, len(ratings), 5_000):
        connection.execute(insert(LatestProjectRating.__table__), ratings[start : start + 5_000])
    return live


@dataclass
class Difference:
    table: str
    key: dict
    column: str
    kept: object
    live: object

    def __str__(self) -> str:
        where = ", ".join(f"{k}={v}" for k, v in self.key.items())
        return (
            f"{self.table} ({where}): {self.column} is {self.kept}, the live rows give {self.live}"
        )


def check(connection) -> list[Difference]:
    """Every figure the totals hold that the live rows do not give (a missing row counts as
    zeros), and every latest rating that differs."""
    live = _live(connection)
    differences = []
    for name, table in sorted(TABLES.items()):
        keys, values = _keys(table), _values(table)
        kept = {
            tuple(row[k] for k in keys): row for row in connection.execute(select(table)).mappings()
        }
        expected = {key: row for (n, key), row in live.sums.items() if n == name}
        for key in sorted(set(kept) | set(expected), key=repr):
            for column in values:
                have = int(kept[key][column]) if key in kept else 0
                want = int(expected.get(key, {}).get(column, 0))
                if have != want:
                    differences.append(
                        Difference(name, dict(zip(keys, key, strict=True)), column, have, want)
                    )
    table = LatestProjectRating.__table__
    kept_ratings = {
        row["project_id"]: dict(row) for row in connection.execute(select(table)).mappings()
    }
    for project_id in sorted(set(kept_ratings) | set(live.ratings)):
        have, want = kept_ratings.get(project_id), live.ratings.get(project_id)
        if have != want:
            differences.append(
                Difference(
                    table.name,
                    {"project_id": project_id},
                    "rating",
                    have and have["rag"],
                    want and want["rag"],
                )
            )
    return differences
