"""The confirm, which writes all of an import's rows or none of them, after checking them again
inside the transaction that holds the locks of every stream the file names."""

import secrets
from dataclasses import dataclass

from tracker.data import imports as import_data
from tracker.data.store import ConcurrentChange
from tracker.infrastructure import clock
from tracker.infrastructure.import_files import PendingImport
from tracker.models import AllocationStatus
from tracker.services import allocations as allocation_rules
from tracker.services import audit
from tracker.services.errors import RuleBroken
from tracker.services.imports.checks import (
    Preview,
    changes_of,
    check,
    plain,
    row_values,
    years_of,
)
from tracker.services.imports.rows import (
    CREATE,
    UNCHANGED,
    UPDATE,
    RowCheck,
)
from tracker.totals import tracking
from tracker.totals.contributions import NewAllocation

# --- the confirm -----------------------------------------------------------------------------


class ImportRefused(RuleBroken):
    """The check made inside the locks said no: nothing was written. `preview` shows why."""

    def __init__(self, preview: Preview, message: str = ""):
        super().__init__(
            message
            or "Nothing was imported: some rows cannot be imported now (the budget or the "
            "allocations may have changed since you checked the file). Fix the rows with "
            "errors and upload the file again."
        )
        self.preview = preview


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _new_identifiers(rows: list[RowCheck], in_file: set[str]) -> dict[int, str]:
    """An identifier for each row without one, like the form makes (360G-HHT-<stream>-<hex>),
    unused in the file and in the database."""
    made: dict[int, str] = {}
    waiting = [row for row in rows if not row.identifier]
    while waiting:
        for row in waiting:
            candidate = f"360G-HHT-{row.stream.code}-{secrets.token_hex(4).upper()}"
            while candidate in in_file:
                candidate = f"360G-HHT-{row.stream.code}-{secrets.token_hex(4).upper()}"
            in_file.add(candidate)
            made[row.number] = candidate
        taken = import_data.identifiers_taken(made[row.number] for row in waiting)
        waiting = [row for row in waiting if made[row.number] in taken]
    return made


def import_allocations(actor: audit.Actor, pending: PendingImport) -> ImportResult:
    """Writes every row of the file as a draft allocation (new, or an update of a draft), or
    none: the file is checked again under the streams' locks, and any error refuses it all.
    Each allocation gets its own audit event (so its history shows where it came from) and
    the import one more, with the counts, the file's SHA-256 and the identifiers."""
    preview = check(pending, lock=True)
    if not preview.can_import:
        raise ImportRefused(preview)
    now = clock.now()
    source = f"{pending.filename} (SHA-256 {pending.file_sha256})"
    updates = _updates(actor, preview, now, source)
    with tracking.moving([values["id"] for values in updates.values]) as made_here:
        created, new_identifiers = _write(preview, updates, actor, now, source)
        made_here += created
    audit.record(
        actor,
        "allocations imported",
        object_type="allocation_import",
        after={
            "file_name": pending.filename,
            "file_sha256": pending.file_sha256,
            "rows": len(preview.rows),
            "created": len(created),
            "updated": len(updates.values),
            "unchanged": len(updates.unchanged),
            "created_identifiers": new_identifiers,
            "updated_identifiers": updates.identifiers,
            "unchanged_identifiers": updates.unchanged,
        },
    )
    return ImportResult(len(created), len(updates.values), len(updates.unchanged))


def _write(preview: Preview, updates, actor, now, source: str) -> tuple[list, list[str]]:
    """The bulk writes of a confirmed import: updates first (so that a lost race is found
    before anything else is written), then the new allocations, their profiles and their audit
    events. Gives the new allocations as the running totals count them."""
    try:
        import_data.update_allocations(updates.values)
    except ConcurrentChange as error:
        raise ImportRefused(
            preview,
            "Nothing was imported: someone changed one of these allocations at the same time. "
            "Check the rows below and confirm again.",
        ) from error
    creating = [row for row in preview.rows if row.outcome == CREATE]
    identifiers = _new_identifiers(creating, {row.identifier for row in preview.rows})
    new_values = [
        {
            "stream_id": row.stream.id,
            "organisation_id": row.organisation_id,
            "identifier": row.identifier or identifiers[row.number],
            "title": row.title,
            "amount_pence": row.amount_pence,
            "awarded_on": row.awarded_on,
            "planned_start": row.planned_start,
            "planned_end": row.planned_end,
            "conditions": row.conditions or "",
            "status": AllocationStatus.DRAFT,
            "created_by_id": actor.user_id,
            "approved_by_id": None,
            "is_illustrative": False,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for row in creating
    ]
    new_ids = import_data.insert_allocations(new_values)
    made = list(zip(new_ids, new_values, creating, strict=True))
    import_data.replace_profiles(
        updates.resplit,
        [
            _year_row(allocation_id, year, pence, now)
            for allocation_id, _, row in made
            for year, pence in sorted(row.split.items())
        ]
        + updates.profile_rows,
    )
    import_data.insert_events(
        [
            _event(
                actor,
                now,
                "allocation created",
                allocation_id,
                after={
                    **plain({key: values[key] for key in allocation_rules.FIELDS}),
                    "profile": years_of(row.split),
                    "imported_from": f"{source}, row {row.number}",
                },
            )
            for allocation_id, values, row in made
        ]
        + updates.events
    )
    created = [
        NewAllocation(
            allocation_id,
            values["stream_id"],
            values["organisation_id"],
            values["status"],
            values["amount_pence"],
            row.split,
        )
        for allocation_id, values, row in made
    ]
    return created, [values["identifier"] for values in new_values]


@dataclass
class _Updates:
    values: list[dict]  # for the bulk update: id, the version read, the new values
    identifiers: list[str]
    unchanged: list[str]
    resplit: list[int]  # allocations whose profile is replaced
    profile_rows: list[dict]
    events: list[dict]


def _updates(actor: audit.Actor, preview: Preview, now, source: str) -> _Updates:
    """What each will-update row changes; a row that changes nothing is left alone (no new
    version, no audit event)."""
    updates = _Updates([], [], [], [], [], [])
    for row in preview.rows:
        if row.outcome == UNCHANGED:
            updates.unchanged.append(row.existing.identifier)
            continue
        if row.outcome != UPDATE:
            continue
        found = row.existing
        values = row_values(row, found)
        old, new = changes_of(row, found)
        if not new:
            updates.unchanged.append(found.identifier)
            continue
        updates.values.append(
            {"id": found.id, "version": found.version, "updated_at": now, **values}
        )
        updates.identifiers.append(found.identifier)
        if found.profile != row.split:
            updates.resplit.append(found.id)
            updates.profile_rows += [
                _year_row(found.id, year, pence, now) for year, pence in sorted(row.split.items())
            ]
        updates.events.append(
            _event(
                actor,
                now,
                "allocation changed",
                found.id,
                before=old,
                after={**new, "imported_from": f"{source}, row {row.number}"},
            )
        )
    return updates


def _year_row(allocation_id: int, year: int, pence: int, now) -> dict:
    return {
        "allocation_id": allocation_id,
        "financial_year": year,
        "amount_pence": pence,
        "created_at": now,
        "updated_at": now,
    }


def _event(actor, now, action: str, allocation_id: int, *, before=None, after=None) -> dict:
    return {
        "occurred_at": now,
        "actor_id": actor.user_id,
        "action": action,
        "object_type": "allocation",
        "object_id": allocation_id,
        "before": before,
        "after": after,
        "remote_address": actor.remote_address,
    }
