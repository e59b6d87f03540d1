"""Moving the running totals in the same transaction as every change that moves a figure.

Every service writes through the session and flushes (`data/store.py`), so the totals follow
the flush rather than each service remembering to call them: before a flush that touches an
allocation, its profile, a project or its targets, a return or its spend, forecast or outputs,
a payment, or an organisation's region, the allocations concerned are locked (a row lock on
PostgreSQL; SQLite's writers already hold the database's) and what they add to the totals is
worked out; after the flush it is worked out again, and the totals move by the difference.
New operations (another engineer's service that creates returns, say) are followed without
being wired in, as long as they write through the session.

The lock matters on PostgreSQL: without it, another transaction committing a change to the
same allocation between our "before" and "after" would be counted twice.

The differences are added up over the transaction and written to the totals once, as it
commits (`ledger.apply`, every row in one order: table, then key). Writing them at each flush
took the totals' row locks in a different order in each flush, so two transactions that each
flushed twice could wait for each other (PostgreSQL's deadlock, seen in the racing-writers
test), and a writer holding totals rows from its first flush could wait for an allocation
another writer had locked while that writer waited for the same totals rows. Now a transaction
takes totals locks only at its end, after all its other locks, in one order. A read of the
totals inside the writing transaction (a query naming a totals table) writes the differences
first (`settle`), so the transaction reads its own changes. Savepoints are honoured: a
savepoint's differences join its parent's when it is released and are dropped when it is
rolled back.

A flush of the same allocations as the flush before it starts from what that one left them
adding (`_KNOWN`) rather than reading them again: a return's sections saved one after another
read their allocation once each, not twice.

Writes that bypass the session (Core bulk inserts: the import, the benchmark data) say what
they touched with `moving(...)`."""

from contextlib import contextmanager

from sqlalchemy import TableClause, event, inspect, select
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.sql import visitors

from tracker.models import (
    Allocation,
    AllocationYear,
    MilestoneReturn,
    Organisation,
    Payment,
    Project,
    ProjectTarget,
    RecoveryReceipt,
    ReturnForecast,
    ReturnIndicatorValue,
    ReturnSpend,
)
from tracker.totals import contributions, ledger

_KEY = "totals.before"
# {SessionTransaction: changes} the differences not yet written, by the transaction or
# savepoint whose flushes made them; and {savepoint: {transaction: changes}} the differences
# of outer transactions that `settle` wrote inside a savepoint (given back if it rolls back).
_PENDING, _SETTLED = "totals.pending", "totals.settled"
_TOTALS = frozenset(ledger.TABLES)
# (allocation ids, what they add) as the last flush left them. The next flush of exactly those
# allocations starts from it instead of reading them again. Nothing else can have moved them
# since: their rows change only through a flush (which replaces this), `moving` (which drops
# it) or a rollback, of a savepoint or the whole (which drops it); a savepoint released keeps
# its changes, so this stays; and on PostgreSQL the transaction holds their locks till it ends.
_KNOWN = "totals.known"
# For each kind of row: the attributes whose change can move a figure (None: any), and how to
# find its allocation (foreign key, relationship, the parent's class).
RELEVANT = {
    Allocation: {"status", "amount_pence", "stream_id", "organisation_id", "planned_end"},
    AllocationYear: None,
    Project: {"evidence_rating", "allocation_id"},
    ProjectTarget: None,
    MilestoneReturn: {
        "status",
        "due_on",
        "submitted_at",
        "self_rag",
        "reviewer_rag",
        "period_start",
        "project_id",
        "revision",
    },
    ReturnSpend: None,
    ReturnForecast: None,
    ReturnIndicatorValue: None,
    Payment: {"status", "amount_pence", "paid_on", "approved_at", "allocation_id"},
    RecoveryReceipt: None,
    Organisation: {"region"},
}
PARENT = {
    AllocationYear: ("allocation_id", "allocation", Allocation),
    Project: ("allocation_id", "allocation", Allocation),
    Payment: ("allocation_id", "allocation", Allocation),
    RecoveryReceipt: ("allocation_id", "allocation", Allocation),
    ProjectTarget: ("project_id", "project", Project),
    MilestoneReturn: ("project_id", "project", Project),
    ReturnSpend: ("return_id", "milestone_return", MilestoneReturn),
    ReturnForecast: ("return_id", "milestone_return", MilestoneReturn),
    ReturnIndicatorValue: ("return_id", "milestone_return", MilestoneReturn),
}
TRACKED = tuple(RELEVANT)


class Untraceable(RuntimeError):
    """A row whose allocation cannot be found: its change could not be counted."""


def _changed(obj) -> bool:
    relevant = RELEVANT[type(obj)]
    state = inspect(obj)
    if relevant is None:
        return any(state.attrs[a.key].history.has_changes() for a in state.mapper.column_attrs)
    return any(state.attrs[name].history.has_changes() for name in relevant)


def _allocations_of(session, obj, ids: set, new: list) -> None:
    """Adds the allocation(s) this row belongs to (before and after its change) to `ids`, or
    the new Allocation object to `new` when it has no id yet."""
    if isinstance(obj, Organisation):
        if obj.id is not None:
            ids.update(
                session.connection().scalars(
                    select(Allocation.id).where(Allocation.organisation_id == obj.id)
                )
            )
        return
    if isinstance(obj, Allocation):
        if obj.id is None:
            new.append(obj)
        else:
            ids.add(obj.id)
        return
    fk, relationship, parent_class = PARENT[type(obj)]
    state = inspect(obj)
    history = state.attrs[fk].history
    parents = [p for p in (*history.deleted, *history.unchanged, *history.added) if p is not None]
    if not parents and state.persistent:
        parents = [getattr(obj, fk)]  # expired since a commit: loads the row's own columns
    parent = state.dict.get(relationship)  # set by an append, never loaded from here
    if parent is not None:
        _allocations_of(session, parent, ids, new)
    for parent_id in parents:
        if parent is not None and parent_id == parent.id:
            continue
        if parent_class is Allocation:
            ids.add(parent_id)
            continue
        found = session.get(parent_class, parent_id)
        if found is None:
            raise Untraceable(f"{type(obj).__name__} belongs to no {parent_class.__name__}")
        _allocations_of(session, found, ids, new)
    if parent is None and not parents:
        raise Untraceable(f"{type(obj).__name__} has no {parent_class.__name__}")


def _lock(connection, ids, *, organisations=(), moving_organisations=()) -> None:
    """PostgreSQL: the organisations first (their region is part of every figure the
    allocations add: shared, or exclusive where this flush moves an organisation), then the
    allocations, each in id order, so writers always lock in one order. SQLite's writers hold
    the database's lock already."""
    if connection.dialect.name != "postgresql":
        return
    moving = sorted(set(moving_organisations))
    sharing = sorted(set(organisations) - set(moving))
    if moving:
        connection.execute(
            select(Organisation.id)
            .where(Organisation.id.in_(moving))
            .order_by(Organisation.id)
            .with_for_update()
        ).all()
    if sharing:
        connection.execute(
            select(Organisation.id)
            .where(Organisation.id.in_(sharing))
            .order_by(Organisation.id)
            .with_for_update(read=True)
        ).all()
    if ids:
        connection.execute(
            select(Allocation.id)
            .where(Allocation.id.in_(sorted(ids)))
            .order_by(Allocation.id)
            .with_for_update()
        ).all()


def _organisations_of(connection, ids, new) -> set[int]:
    """The organisations of these allocations, as stored and as about to be written."""
    found = set()
    for start in range(0, len(ids), 1_000):
        chunk = sorted(ids)[start : start + 1_000]
        found.update(
            connection.scalars(select(Allocation.organisation_id).where(Allocation.id.in_(chunk)))
        )
    for obj in new:
        organisation = obj.__dict__.get("organisation")
        found.add(obj.organisation_id if obj.organisation_id else getattr(organisation, "id", None))
    return {o for o in found if o is not None}


def _before_flush(session, _flush_context, _instances) -> None:
    session.info.pop(_KEY, None)
    touched = [
        obj
        for obj in (*session.new, *session.deleted, *session.dirty)
        if isinstance(obj, TRACKED)
        and (obj in session.new or obj in session.deleted or _changed(obj))
    ]
    if not touched:
        return
    connection = session.connection()
    # An organisation whose region moves is locked before its allocations are looked up, so
    # an allocation made for it meanwhile is either seen here or sees the new region.
    moving = sorted(o.id for o in touched if isinstance(o, Organisation) and o.id is not None)
    _lock(connection, (), moving_organisations=moving)
    ids: set[int] = set()
    new: list = []
    with session.no_autoflush:
        for obj in touched:
            _allocations_of(session, obj, ids, new)
        changed = [o for o in touched if isinstance(o, Allocation) and o.id is not None]
        organisations = _organisations_of(connection, ids, new + changed)
    _lock(connection, ids, organisations=organisations, moving_organisations=moving)
    known = session.info.get(_KNOWN)
    if not new and known is not None and known[0] == ids:
        before = known[1]
    else:
        before = contributions.of_allocations(connection, ids)
    session.info[_KEY] = (ids, new, before)


def _after_flush(session, _flush_context) -> None:
    pending = session.info.pop(_KEY, None)
    if pending is None:
        return
    ids, new, before = pending
    every = ids | {obj.id for obj in new if obj.id is not None}
    connection = session.connection()
    after = contributions.of_allocations(connection, every)
    _record(session, connection, before, after)
    session.info[_KNOWN] = (frozenset(every), after)


def _level(session):
    """The innermost transaction (savepoint or the session's own) the session is in."""
    if isinstance(session, scoped_session):
        session = session()
    return session.get_nested_transaction() or session.get_transaction()


def _add(into: dict, changes: dict) -> None:
    for key, delta in changes.items():
        row = into.setdefault(key, {})
        for column, amount in delta.items():
            row[column] = row.get(column, 0) + amount


def _record(session, connection, before, after) -> None:
    """Keeps the difference for the commit; the latest ratings are replaced now (only the
    holder of their allocation's lock writes them, so there is no order to keep)."""
    changes = after.minus(before)
    if changes:
        _add(session.info.setdefault(_PENDING, {}).setdefault(_level(session), {}), changes)
    ledger.replace_changed_ratings(connection, before, after)


def _write(connection, changes: dict) -> None:
    nonzero = {key: {c: d for c, d in delta.items() if d} for key, delta in changes.items()}
    nonzero = {key: delta for key, delta in nonzero.items() if delta}
    if nonzero:
        ledger.apply(connection, nonzero)


def _before_commit(session) -> None:
    """The transaction's differences go to the totals as it commits; a released savepoint's
    join its parent's."""
    session.flush()  # the commit flushes after this hook: its differences are wanted here
    if not session.info.get(_PENDING) and not session.info.get(_SETTLED):
        return
    level = _level(session)
    pending = session.info.get(_PENDING, {})
    changes = pending.pop(level, None)
    settled = session.info.get(_SETTLED, {}).pop(level, {})
    parent = level.parent
    if parent is None:
        if changes:
            _write(session.connection(), changes)
        return
    if changes:
        _add(pending.setdefault(parent, {}), changes)
    for owner, written in settled.items():
        if owner is not parent:  # the parent's own were written inside it: nothing to give back
            _add(session.info[_SETTLED].setdefault(parent, {}).setdefault(owner, {}), written)


def _after_transaction_end(session, transaction) -> None:
    """A transaction that ends without committing loses its differences; a savepoint rolled
    back gives back the outer transactions' differences `settle` wrote inside it."""
    if transaction.parent is None:
        session.info.pop(_KNOWN, None)
        session.info.pop(_PENDING, None)
        session.info.pop(_SETTLED, None)
        return
    pending = session.info.get(_PENDING)
    if pending:
        pending.pop(transaction, None)
    settled = session.info.get(_SETTLED, {}).pop(transaction, None)
    for owner, written in (settled or {}).items():
        _add(session.info.setdefault(_PENDING, {}).setdefault(owner, {}), written)


def _after_rollback(session) -> None:
    """A rollback (of a savepoint or the whole) puts rows back: what the last flush left the
    allocations adding is no longer known."""
    session.info.pop(_KNOWN, None)


def settle(session) -> None:
    """Writes the differences not yet written, so this transaction reads its own changes."""
    pending = session.info.get(_PENDING)
    if not pending or not any(pending.values()):
        return
    here = _level(session)
    combined: dict = {}
    for owner, changes in pending.items():
        _add(combined, changes)
        if owner is not here:
            given_back = session.info.setdefault(_SETTLED, {}).setdefault(here, {})
            _add(given_back.setdefault(owner, {}), changes)
    pending.clear()
    _write(session.connection(), combined)


def _reads_totals(statement) -> bool:
    """By name: the ORM's copies of a table (annotated) are not the table itself."""
    return any(
        isinstance(e, TableClause) and e.name in _TOTALS for e in visitors.iterate(statement)
    )


def _before_orm_execute(state) -> None:
    pending = state.session.info.get(_PENDING)
    if pending and any(pending.values()) and _reads_totals(state.statement):
        settle(state.session)


def check(session) -> list:
    """`ledger.check` of what this session's transaction sees, its own changes written."""
    settle(session)
    return ledger.check(session.connection())


def listen() -> None:
    """Registers the hooks on every session (once)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush_postexec", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
        event.listen(Session, "after_rollback", _after_rollback)
        event.listen(Session, "do_orm_execute", _before_orm_execute)


@contextmanager
def moving(allocation_ids=()):
    """For writes that bypass the session's flush (Core bulk inserts and updates): the totals
    move by what these allocations add after the block, less what they added before it.
    Allocations inserted inside the block are told by appending a
    `contributions.NewAllocation` to the list it yields (counted from those values, unread)."""
    from tracker.extensions import db

    db.session.flush()
    db.session.info.pop(_KNOWN, None)  # the block writes past the flush: read them afresh
    connection = db.session.connection()
    ids = set(allocation_ids)
    _lock(connection, ids, organisations=_organisations_of(connection, ids, []))
    before = contributions.of_allocations(connection, ids)
    made: list[contributions.NewAllocation] = []
    yield made
    after = contributions.of_allocations(connection, ids)
    if made:
        _lock(connection, (), organisations={a.organisation_id for a in made})
        after.merge(contributions.of_new(connection, made))
    _record(db.session, connection, before, after)
