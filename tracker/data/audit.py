from collections.abc import Iterable, Iterator

from sqlalchemy import insert, select, text
from sqlalchemy.orm import joinedload

from tracker.data.pagination import Page, paginate
from tracker.domain.audit_chain import (
    GENESIS,
    HASHED_FIELDS,
    chain,
    event_hash,
    stored_datetime,
)
from tracker.extensions import db
from tracker.infrastructure import clock
from tracker.models import AuditEvent

# The key of the PostgreSQL advisory lock that orders appends to the audit chain ("HHTAUDIT").
CHAIN_LOCK_KEY = 0x4848544155444954
BULK_BATCH = 1000


def history(object_type: str, object_id: int, limit: int = 100) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .options(joinedload(AuditEvent.actor))
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )


def audit_page(page: int) -> Page:
    return paginate(
        select(AuditEvent).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc()),
        page,
    )


def lock_chain() -> None:
    """Holds the right to append to the audit chain until this transaction ends.

    Two transactions must never read the same chain head and both append after it (the unique
    previous_hash would refuse the second, as an error). On PostgreSQL this takes a
    transaction-level advisory lock; on SQLite every transaction already begins IMMEDIATE, so
    it holds the database's one write lock from its start and there is nothing more to do.

    The cost: on PostgreSQL, transactions that write an audit event are serialised from their
    first event to their commit, and every change to money, status or access writes one. That
    is acceptable here: such writes are a handful a minute (officers, finance, grantees
    filling in returns), each transaction is short, reads take no lock at all, and SQLite
    already serialises every write. It also orders ids: an event's id is drawn from the
    sequence while the lock is held, so id order is chain order.

    The risk: a transaction that holds this lock and then waits for a row another holds, while
    that other waits here, is a deadlock; PostgreSQL detects it within deadlock_timeout and
    rolls one back whole (nothing half-saved). So every POST takes this lock before its view
    runs (`tracker.web.transactions.commits`), before any row lock; code outside a request that
    records and also locks rows should lock rows first. It relies on READ COMMITTED
    (PostgreSQL's default, and ours): the head read after the lock is granted sees the commit
    of the lock's last holder.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})


def chain_head(*, lock: bool) -> str:
    """The newest event's hash (GENESIS for an empty trail). With lock=True, first takes the
    chain's lock (above): what a writer must do before it appends."""
    if lock:
        lock_chain()
    head = db.session.scalar(select(AuditEvent.event_hash).order_by(AuditEvent.id.desc()).limit(1))
    return head or GENESIS


def add_event(event: AuditEvent) -> None:
    """Appends one event to the chain: locks it, reads its head, hashes, inserts (flushes)."""
    previous = chain_head(lock=True)
    event.occurred_at = stored_datetime(event.occurred_at or clock.now())
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    event.previous_hash = previous
    event.event_hash = event_hash(values, previous)
    db.session.add(event)
    db.session.flush()


def add_events(rows: Iterable[dict]) -> int:
    """Appends many events (dicts of AuditEvent's columns, in order) in bulk: chained as they
    are inserted, a batch at a time, so memory stays flat. Returns how many were added."""
    added, last_id = 0, None
    for batch in _batches(chain(rows, chain_head(lock=True)), BULK_BATCH):
        table = AuditEvent.__table__  # Core: the driver's executemany, no ORM bookkeeping
        ids = list(
            db.session.connection()
            .execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), batch)
            .scalars()
        )
        # The chain is in the order rows were given; the ids must rise in that order too.
        for new_id in ids:
            if last_id is not None and new_id <= last_id:
                raise RuntimeError("audit event ids were not given in chain order")
            last_id = new_id
        added += len(ids)
    return added


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def chain_rows(batch_size: int = 2000) -> Iterator[dict]:
    """Every event's hashed values, id and hashes, in id order, streamed (a server-side cursor
    on PostgreSQL): constant memory however long the trail."""
    columns = [AuditEvent.id, AuditEvent.previous_hash, AuditEvent.event_hash] + [
        getattr(AuditEvent, name) for name in HASHED_FIELDS
    ]
    result = db.session.execute(
        select(*columns).order_by(AuditEvent.id).execution_options(yield_per=batch_size)
    )
    for row in result:
        yield row._asdict()


def rehash_all() -> int:
    """Every event's hashes recomputed in id order with the chain's current key (`flask audit
    rekey`, which has checked the old ones first). Holds the whole trail's ids and values in
    memory once: a maintenance command, run rarely."""
    rows = list(chain_rows())
    previous = GENESIS
    for row in rows:
        new_hash = event_hash(row, previous)
        db.session.execute(
            AuditEvent.__table__.update()
            .where(AuditEvent.__table__.c.id == row["id"])
            .values(previous_hash=previous, event_hash=new_hash)
        )
        previous = new_hash
    return len(rows)


def outbox_page(page: int) -> Page:
    from tracker.models import OutboxMessage

    return paginate(select(OutboxMessage).order_by(OutboxMessage.id.desc()), page)


def outbox_message(message_id: int):
    from tracker.models import OutboxMessage

    return db.session.get(OutboxMessage, message_id)
