"""`python -m bench.data`: a department's worth of realistic, reproducible data for benchmarks.

sizes.py says how much, plan.py decides streams, organisations and allocations, history.py what
happened to each return, milestone and payment and when, rows_*.py turn that into rows,
audit.py into the audit trail, writer.py writes them in bulk, guard.py refuses when it should."""

import hashlib
import time
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa

from bench.data import audit, guard, rows_allocations, rows_returns, rows_setup
from bench.data.ids import TABLES, Ids
from bench.data.plan import make_plan
from bench.data.sizes import NOW, fraction_of, sizes_for
from bench.data.writer import BulkWriter, empty_every_table, reset_sequences, speed_up
from tracker.services.password_policy import MIN_LENGTH
from tracker.services.passwords import hash_password
from tracker.totals import ledger

__all__ = ["generate", "Refused", "fraction_of", "sizes_for"]
Refused = guard.Refused


def password_hash(password: str, seed: int) -> str:
    """Hashed once for every generated user (argon2 5,000 times would take minutes), with a salt
    from the seed so the same seed gives the same rows."""
    if len(password) < MIN_LENGTH:
        raise Refused(f"Set TRACKER_DEMO_PASSWORD to {MIN_LENGTH} characters or more")
    salt = hashlib.sha256(f"bench-data-{seed}".encode()).digest()[:16]
    return hash_password(password, salt=salt)


def generate(
    engine: sa.Engine,
    *,
    fraction: float,
    seed: int,
    password: str,
    environment: str,
    force: bool,
    heads: set[str],
    echo: Callable[[str], None] = print,
) -> dict[str, int]:
    """Fills the database; returns the rows written per table. Raises Refused."""
    hashed = password_hash(password, seed)
    with engine.connect() as connection:
        guard.check_schema(connection, heads)
        found = guard.look(connection)
        connection.rollback()
    if guard.decide(found, environment, force) == "replace":
        echo("Replacing the benchmark data already there.")
        empty_every_table(engine)
    sizes = sizes_for(fraction)
    started = time.perf_counter()
    plan = make_plan(sizes, seed)
    echo(
        f"Planned {sizes.allocations:,} allocations (seed {seed}) in "
        f"{time.perf_counter() - started:.1f} s"
    )

    def report(table: str, count: int, seconds: float) -> None:
        echo(f"  {table:<24} {count:>10,} rows {seconds:7.1f} s")

    with engine.connect() as connection:
        speed_up(connection)
        with connection.begin():
            ids = Ids.after_existing(connection, plan)
            writer = BulkWriter(connection, report)
            notes = audit.AuditNotes()
            _write_tables(writer, plan, ids, notes, hashed)
            chosen = audit.final_notes(notes, sizes.audit_events, _sign_ins(plan, ids))
            describer = audit.Describer(plan, ids, notes)
            audit.write_audit_events(writer, (describer.row(note) for note in chosen))
            reset_sequences(connection, TABLES)
            totals_started = time.perf_counter()
            live = ledger.rebuild(connection)
            report("running totals", len(live.sums), time.perf_counter() - totals_started)
    echo(f"Done in {time.perf_counter() - started:.1f} s.")
    return writer.counts


def _write_tables(writer: BulkWriter, plan, ids: Ids, notes, hashed: str) -> None:
    s, a, r = rows_setup, rows_allocations, rows_returns
    for table, columns, build in [
        ("department", s.DEPARTMENT_COLUMNS, s.department),
        ("funding_stream", s.STREAM_COLUMNS, s.streams),
        ("indicator", s.INDICATOR_COLUMNS, s.indicators),
        ("stream_budget", s.BUDGET_COLUMNS, s.budgets),
        ("organisation", s.ORGANISATION_COLUMNS, s.organisations),
        ("app_user", s.USER_COLUMNS, lambda p, i, n: s.users(p, i, n, hashed)),
        ("allocation", a.ALLOCATION_COLUMNS, a.allocations),
        ("allocation_year", a.YEAR_COLUMNS, a.allocation_years),
        ("allocation_category", a.CATEGORY_COLUMNS, a.allocation_categories),
        ("variation", a.VARIATION_COLUMNS, a.variations),
        ("project", a.PROJECT_COLUMNS, a.projects),
        ("project_target", a.TARGET_COLUMNS, a.project_targets),
        ("milestone", r.MILESTONE_COLUMNS, r.milestones),
    ]:
        writer.insert(table, columns, build(plan, ids, notes))
    writer.insert_together(r.RETURN_TABLES, r.return_rows(plan, ids, notes))
    writer.insert("payment", r.PAYMENT_COLUMNS, r.milestone_payments(plan, ids, notes))


def _sign_ins(plan, ids: Ids):
    """Sign-ins to top the audit trail up with, if the history has fewer events than asked."""
    n = 0
    while True:
        n += 1
        organisation = n % plan.sizes.organisations
        user = ids.grantee(organisation) if n % 3 else ids.officer(n % plan.sizes.officers)
        yield NOW - timedelta(minutes=7 * n), user
