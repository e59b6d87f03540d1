"""Queries and bulk writes for importing allocations from a file: lookups by the thousand (in
chunks the databases' parameter limits allow) and inserts of whole lists in one statement each."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm.exc import StaleDataError

from tracker.data.audit import add_events
from tracker.data.store import ConcurrentChange
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationStatus,
    AllocationYear,
    Organisation,
)

CHUNK = 500


def _chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class ExistingAllocation:
    """What an import needs to know about an allocation it may update (read as plain values,
    so that the bulk update below does not leave stale objects in the session)."""

    id: int
    identifier: str
    stream_id: int
    organisation_id: int
    title: str
    amount_pence: int
    awarded_on: date
    planned_start: date
    planned_end: date
    conditions: str
    status: AllocationStatus
    version: int
    profile: dict[int, int] = field(default_factory=dict)


def organisation_ids_by_org_id(org_ids: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(set(org_ids)):
        found.update(
            db.session.execute(
                select(Organisation.org_id, Organisation.id).where(Organisation.org_id.in_(chunk))
            ).all()
        )
    return found


def allocations_by_identifier(
    identifiers: Iterable[str], *, lock: bool = False
) -> dict[str, ExistingAllocation]:
    """With lock=True the rows are held (FOR UPDATE on PostgreSQL) until the transaction ends,
    so no one can offer or change them between the import's check and its write."""
    columns = [
        Allocation.id,
        Allocation.identifier,
        Allocation.stream_id,
        Allocation.organisation_id,
        Allocation.title,
        Allocation.amount_pence,
        Allocation.awarded_on,
        Allocation.planned_start,
        Allocation.planned_end,
        Allocation.conditions,
        Allocation.status,
        Allocation.version,
    ]
    found: dict[str, ExistingAllocation] = {}
    for chunk in _chunks(set(identifiers)):
        query = select(*columns).where(Allocation.identifier.in_(chunk))
        if lock:
            query = query.with_for_update()
        for row in db.session.execute(query):
            found[row.identifier] = ExistingAllocation(**row._asdict())
    by_id = {item.id: item for item in found.values()}
    for chunk in _chunks(by_id):
        for allocation_id, year, pence in db.session.execute(
            select(
                AllocationYear.allocation_id,
                AllocationYear.financial_year,
                AllocationYear.amount_pence,
            ).where(AllocationYear.allocation_id.in_(chunk))
        ):
            by_id[allocation_id].profile[year] = pence
    return found


def identifiers_taken(candidates: Iterable[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in _chunks(set(candidates)):
        taken.update(
            db.session.scalars(
                select(Allocation.identifier).where(Allocation.identifier.in_(chunk))
            )
        )
    return taken


def insert_allocations(rows: list[dict]) -> list[int]:
    """One Core INSERT for the lot (the driver's executemany, none of the ORM's bookkeeping);
    the new ids, in the order of `rows`."""
    if not rows:
        return []
    table = Allocation.__table__
    result = db.session.connection().execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    )
    return list(result.scalars())


def update_allocations(rows: list[dict]) -> None:
    """Each dict has the allocation's id and the version it was read at: the version moves on,
    and a row whose version has already moved on raises ConcurrentChange (the caller rolls back)."""
    if not rows:
        return
    try:
        db.session.execute(update(Allocation), rows)
    except StaleDataError as error:
        raise ConcurrentChange(str(error)) from error


def replace_profiles(allocation_ids: list[int], rows: list[dict]) -> None:
    """Removes every profile row of these allocations, then inserts `rows`."""
    for chunk in _chunks(allocation_ids):
        db.session.execute(
            delete(AllocationYear).where(AllocationYear.allocation_id.in_(chunk)),
            execution_options={"synchronize_session": False},
        )
    if rows:
        db.session.connection().execute(insert(AllocationYear.__table__), rows)


def insert_events(rows: list[dict]) -> None:
    """Appended to the audit chain in bulk (data/audit.add_events holds the chain's lock)."""
    if rows:
        add_events(rows)
