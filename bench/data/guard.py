"""When the generator refuses. Its own data is known by its marks: the benchmark department
(org-id GB-GOR-ZZ9999), stream codes BENCH-..., organisation slugs bench-org-..., emails at
bench.invalid and allocation identifiers 360G-HHT-BENCH-.... Anything else is someone's data."""

from dataclasses import dataclass

import sqlalchemy as sa
from alembic.migration import MigrationContext

from bench.data.sizes import DEPARTMENT_ORG_ID, EMAIL_DOMAIN, STREAM_CODE_PREFIX


class Refused(Exception):
    """The generator will not run; the message says why and what to do."""


# Rows of these tables that are not the generator's own: (table, what marks its own).
NOT_OURS = {
    "department": f"org_id <> '{DEPARTMENT_ORG_ID}'",
    "funding_stream": f"code NOT LIKE '{STREAM_CODE_PREFIX}%'",
    "organisation": "slug NOT LIKE 'bench-org-%'",
    "app_user": f"email NOT LIKE '%{EMAIL_DOMAIN}'",
    "allocation": "identifier NOT LIKE '360G-HHT-BENCH-%'",
}


@dataclass
class Found:
    ours: bool  # the generator's own department is there
    others: dict[str, int]  # rows of other data, by table


def check_schema(connection: sa.Connection, heads: set[str]) -> None:
    revision = MigrationContext.configure(connection).get_current_revision()
    if revision is None:
        raise Refused("The database has no tables yet: run `flask db upgrade` first.")
    if revision not in heads:
        raise Refused(
            f"The database is at migration {revision}, not the latest "
            f"({', '.join(sorted(heads))}): run `flask db upgrade` first."
        )


def look(connection: sa.Connection) -> Found:
    others = {}
    for table, condition in NOT_OURS.items():
        # Our own constants, not input.
        sql = f"SELECT COUNT(*) FROM {table} WHERE {condition}"  # noqa: S608
        count = connection.execute(sa.text(sql))
        if n := count.scalar():
            others[table] = n
    ours = connection.exec_driver_sql(
        f"SELECT COUNT(*) FROM department WHERE org_id = '{DEPARTMENT_ORG_ID}'"  # noqa: S608
    ).scalar()
    return Found(bool(ours), others)


def decide(found: Found, environment: str, force: bool) -> str:
    """'replace' (empty the database of our own earlier data first) or 'add'; or Refused."""
    if environment == "production":
        raise Refused(
            "TRACKER_ENV is production: benchmark data is never generated there, "
            "whatever the options. Use a throwaway database."
        )
    if found.others:
        listed = ", ".join(f"{n:,} {table}" for table, n in found.others.items())
        if not force:
            raise Refused(
                f"The database holds data the generator did not make ({listed}): it may be "
                "real. Use an empty database, or --force to add benchmark data beside it."
            )
        if found.ours:
            raise Refused(
                f"The database holds benchmark data and other data ({listed}): the generator "
                "cannot replace its own without touching the rest. Use an empty database."
            )
        return "add"
    return "replace" if found.ours else "add"
