from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy import and_, insert, literal, or_, select, text
from sqlalchemy.orm import joinedload

from tracker.data.pagination import Page, paginate
from tracker.domain.audit_chain import (
    GENESIS,
    HASHED_FIELDS,
    chain,
    event_hash,
    stored_datetime,
)
from tracker.domain.money import format_pounds
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


# What signing in and out writes: kept apart from the record of changes (shown only on asking).
SIGN_IN_ACTIONS = (
    "signed in",
    "signed out",
    "sign-in failed",
    "two-factor code refused",
    "session ended",
)


@dataclass(frozen=True)
class AuditFilters:
    """What an investigator narrows the trail to; every field optional."""

    actor_id: int | None = None
    organisation_id: int | None = None
    object_type: str | None = None
    object_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None
    sign_ins: str = "hidden"  # "hidden", "shown" or "only"


def _organisation_objects(organisation_id: int):
    """Events about the organisation, its users, its allocations and all that hangs from them."""
    from tracker.models import Allocation, MilestoneReturn, Payment, Project, User
    from tracker.models.project import Milestone

    allocations = select(Allocation.id).where(Allocation.organisation_id == organisation_id)
    projects = select(Project.id).where(Project.allocation_id.in_(allocations))
    about = {
        "organisation": select(literal(organisation_id)),
        "app_user": select(User.id).where(User.organisation_id == organisation_id),
        "allocation": allocations,
        "payment": select(Payment.id).where(Payment.allocation_id.in_(allocations)),
        "milestone_return": select(MilestoneReturn.id).where(
            MilestoneReturn.project_id.in_(projects)
        ),
        "milestone": select(Milestone.id).where(Milestone.project_id.in_(projects)),
    }
    return or_(
        *(
            and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(ids))
            for kind, ids in about.items()
        )
    )


def filtered(filters: AuditFilters):
    query = select(AuditEvent)
    if filters.sign_ins == "hidden":
        query = query.where(AuditEvent.action.not_in(SIGN_IN_ACTIONS))
    elif filters.sign_ins == "only":
        query = query.where(AuditEvent.action.in_(SIGN_IN_ACTIONS))
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.organisation_id is not None:
        query = query.where(_organisation_objects(filters.organisation_id))
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id is not None:
        query = query.where(AuditEvent.object_id == filters.object_id)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.since is not None:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(filters.since, time()))
    if filters.until is not None:
        next_day = datetime.combine(filters.until + timedelta(days=1), time())
        query = query.where(AuditEvent.occurred_at < next_day)
    return query


def audit_page(
    page: int,
    filters: AuditFilters | None = None,
    *,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """50 events, newest first, paged by id (keyset): page 500 costs what page 1 costs."""
    query = filtered(filters or AuditFilters())
    return paginate(
        query.options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc()),
        page,
        keys=[AuditEvent.id],
        descending=True,
        after=after,
        before=before,
        count_query=query,
    )


def audit_rows(filters: AuditFilters, batch_size: int = 1000) -> Iterator[AuditEvent]:
    """Every event the filters keep, newest first, streamed for a download."""
    query = (
        filtered(filters)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
        .execution_options(yield_per=batch_size)
    )
    yield from db.session.scalars(query)


def actions() -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def object_types() -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.object_type)
            .where(AuditEvent.object_type != "")
            .distinct()
            .order_by(AuditEvent.object_type)
        )
    )


def names_of(refs: set[tuple[str, int]], filters: "AuditFilters | None" = None) -> dict:
    """The names of the things (kind, id) that events mention, in one query (a UNION ALL of a
    select per kind), however many events and kinds: a page of history costs one query.

    With `filters` (a download of the whole trail), the names of every record the filtered events
    are about, and of every user, organisation, stream and department, in the same one query."""
    from tracker.models import (
        Allocation,
        Department,
        FundingStream,
        MilestoneReturn,
        Organisation,
        PayeeAccount,
        Payment,
        Project,
        StreamBudget,
        User,
    )
    from tracker.models.account_link import Invitation
    from tracker.models.api_token import ApiToken
    from tracker.models.project import Milestone

    wanted: dict[str, set[int]] = {}
    for kind, ident in refs:
        if ident is not None:
            wanted.setdefault(kind, set()).add(ident)
    about = None
    if filters is not None:
        about = filtered(filters).with_only_columns(AuditEvent.object_id)

    def chosen(kind: str, column, *, reference: bool = False):
        if about is not None:
            if reference:
                return sa.true()
            return column.in_(about.where(AuditEvent.object_type == kind))
        return column.in_(sorted(wanted.get(kind, ())))

    no_text, no_number = sa.null().cast(sa.String), sa.null().cast(sa.BigInteger)
    no_day = sa.null().cast(sa.Date)

    def part(kind, ident, name, *, number=None, first=None, last=None, extra=None):
        return select(
            literal(kind).label("kind"),
            ident.label("id"),
            sa.cast(name, sa.String).label("name"),
            (number if number is not None else no_number).label("number"),
            (first if first is not None else no_day).label("first"),
            (last if last is not None else no_day).label("last"),
            (extra if extra is not None else no_text).label("extra"),
        )

    org = Organisation.__table__.alias("named_organisation")
    parts = [
        part("app_user", User.id, User.name).where(chosen("app_user", User.id, reference=True)),
        part("organisation", Organisation.id, Organisation.name).where(
            chosen("organisation", Organisation.id, reference=True)
        ),
        part("department", Department.id, Department.name).where(
            chosen("department", Department.id, reference=True)
        ),
        part("funding_stream", FundingStream.id, FundingStream.name).where(
            chosen("funding_stream", FundingStream.id, reference=True)
        ),
        part("stream_budget", StreamBudget.id, FundingStream.name)
        .join(FundingStream, FundingStream.id == StreamBudget.stream_id)
        .where(chosen("stream_budget", StreamBudget.id)),
        part("allocation", Allocation.id, Allocation.identifier, extra=org.c.name)
        .join(org, org.c.id == Allocation.organisation_id)
        .where(chosen("allocation", Allocation.id)),
        part("payment", Payment.id, Allocation.identifier, number=Payment.amount_pence)
        .join(Allocation, Allocation.id == Payment.allocation_id)
        .where(chosen("payment", Payment.id)),
        part("milestone", Milestone.id, Milestone.title).where(chosen("milestone", Milestone.id)),
        part("payee_account", PayeeAccount.id, org.c.name)
        .join(org, org.c.id == PayeeAccount.organisation_id)
        .where(chosen("payee_account", PayeeAccount.id)),
        part("project", Project.id, Project.title).where(chosen("project", Project.id)),
        part("invitation", Invitation.id, Invitation.name, extra=Invitation.email).where(
            chosen("invitation", Invitation.id)
        ),
        part("api_token", ApiToken.id, ApiToken.name).where(chosen("api_token", ApiToken.id)),
        part(
            "milestone_return",
            MilestoneReturn.id,
            Project.title,
            first=MilestoneReturn.period_start,
            last=MilestoneReturn.period_end,
            extra=org.c.name,
        )
        .join(Project, Project.id == MilestoneReturn.project_id)
        .join(Allocation, Allocation.id == Project.allocation_id)
        .join(org, org.c.id == Allocation.organisation_id)
        .where(chosen("milestone_return", MilestoneReturn.id)),
    ]
    names: dict[tuple[str, int], str] = {}
    for kind, ident, name, number, first, last, extra in db.session.execute(sa.union_all(*parts)):
        if kind == "allocation":
            name = f"{name} to {extra}"
        elif kind == "payment":
            name = f"{format_pounds(number)} on {name}"
        elif kind == "invitation":
            name = f"{name} ({extra})"
        elif kind == "api_token":
            name = f"“{name}”"
        elif kind == "milestone_return":
            first, last = _as_date(first), _as_date(last)
            name = f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y} on “{name}” ({extra})"
        names[(kind, ident)] = name
    return names


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


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
