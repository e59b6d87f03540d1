"""Importing allocations from a file: every row checked against the same rules as the form, a
preview of what each row will do, and a confirm that writes all of the rows or none of them.

The confirm checks everything again inside the transaction that holds the locks of every stream
the file names, so the preview may be out of date but the write never is: a stream whose budget
was used up since the preview refuses the whole file."""

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date

from tracker.data import imports as import_data
from tracker.data import streams as stream_data
from tracker.data.imports import ExistingAllocation
from tracker.data.store import ConcurrentChange
from tracker.domain.money import format_pounds
from tracker.domain.periods import FinancialYear
from tracker.infrastructure import clock, import_files
from tracker.infrastructure.import_files import ImportFileError, PendingImport
from tracker.models import AllocationStatus, FundingStream
from tracker.services import allocations as allocation_rules
from tracker.services import audit, budget
from tracker.services.errors import RuleBroken
from tracker.services.import_rows import (
    CREATE,
    ERROR,
    OPTIONAL,
    REQUIRED,
    UPDATE,
    RowCheck,
    listed,
    read_columns,
    read_row,
)
from tracker.totals import tracking
from tracker.totals.contributions import NewAllocation

__all__ = ["ERROR", "OPTIONAL", "REQUIRED", "ImportRefused", "check", "import_allocations"]


def read_upload(actor: audit.Actor, filename: str, content: bytes, max_bytes: int):
    """The uploaded file read into rows, if it is a CSV or Excel file (by its content) with
    every column the import needs; otherwise RuleBroken naming what is wrong."""
    try:
        pending = import_files.read(
            filename, content, max_bytes=max_bytes, uploaded_by_id=actor.user_id
        )
    except ImportFileError as error:
        raise RuleBroken(str(error), "file") from error
    read_columns(pending.header)
    return pending


# --- the whole file against the database -----------------------------------------------------


@dataclass
class Preview:
    filename: str
    file_sha256: str
    rows: list[RowCheck]

    @property
    def counts(self) -> Counter:
        return Counter(row.outcome for row in self.rows)

    @property
    def can_import(self) -> bool:
        return bool(self.rows) and not self.counts[ERROR]


def check(pending: PendingImport, *, lock: bool = False) -> Preview:
    """What each row would do, in file order. With lock=True (the confirm), the streams the
    file names and the allocations it would update are locked first, so nothing the check
    relies on can change before the write."""
    columns = read_columns(pending.header)
    rows = [read_row(number, cells, columns) for number, cells in pending.rows]
    streams = {stream.code.upper(): stream for stream in stream_data.all_streams()}
    named = {streams[r.stream_code.upper()] for r in rows if r.stream_code.upper() in streams}
    if lock:
        for stream in sorted(named, key=lambda s: s.id):  # one order: no deadlocks
            budget.lock(stream)
    organisations = import_data.organisation_ids_by_org_id(r.org_id for r in rows if r.org_id)
    existing = import_data.allocations_by_identifier(
        (r.identifier for r in rows if r.identifier), lock=lock
    )
    rows_with: dict[str, list[int]] = {}
    for row in rows:
        if row.identifier:
            rows_with.setdefault(row.identifier, []).append(row.number)

    for row in rows:
        row.stream = streams.get(row.stream_code.upper()) if row.stream_code else None
        if row.stream_code and row.stream is None:
            row.reasons.append(f"There is no stream with the code {row.stream_code}")
        row.organisation_id = organisations.get(row.org_id)
        if row.org_id and row.organisation_id is None:
            row.reasons.append(f"There is no organisation with the org-id {row.org_id}")
        if row.identifier:
            others = [n for n in rows_with[row.identifier] if n != row.number]
            if others:
                rows_named = listed([str(n) for n in others])
                row.reasons.append(
                    f"The identifier {row.identifier} is also in row{'s' * (len(others) > 1)} "
                    f"{rows_named}: each allocation must have its own"
                )
            _check_existing(row, existing.get(row.identifier))
        _check_profile(row)
    _check_budgets(rows, named, lock=lock)
    return Preview(pending.filename, pending.file_sha256, rows)


def _check_existing(row: RowCheck, found: ExistingAllocation | None) -> None:
    if found is None:
        return
    if found.status != AllocationStatus.DRAFT:
        row.reasons.append(
            f"Allocation {found.identifier} already exists and is {found.status.value}: only a "
            "draft can be updated (agree a variation instead)"
        )
    elif row.stream is not None and found.stream_id != row.stream.id:
        row.reasons.append(
            f"Allocation {found.identifier} already exists in another stream: an import cannot "
            f"move it to {row.stream.code}"
        )
    elif row.stream is not None:
        row.existing = found


def _check_profile(row: RowCheck) -> None:
    """The split by year follows the form's rules (within the planned dates and the stream's
    years, adding up to the amount)."""
    if None in (row.stream, row.amount_pence, row.planned_start, row.planned_end):
        return
    try:
        row.split = allocation_rules.profile_for(
            row.stream, row.amount_pence, row.planned_start, row.planned_end, row.given_profile
        )
    except RuleBroken as error:
        row.reasons.append(error.message)


@dataclass
class _Room:
    budget_pence: int
    budgets_by_year: dict[int, int]
    used_pence: int
    used_by_year: dict[int, int]


def _check_budgets(rows: list[RowCheck], streams: set[FundingStream], *, lock: bool) -> None:
    """The over-commitment rule, cumulatively down the file: each row must fit in what the
    stream (and each of its years) still has free after what is already allocated and after
    the rows above it. An allocation the file updates gives back its current amount first."""
    room: dict[int, _Room] = {}
    for stream in streams:
        budgets = {
            b.financial_year: b.total_pence
            for b in stream_data.budgets_for_stream(stream.id, lock=lock)
        }
        room[stream.id] = _Room(
            sum(budgets.values()),
            budgets,
            stream_data.allocated_to_stream(stream.id),
            stream_data.allocated_by_year(stream.id),
        )
    given_back: set[int] = set()
    for row in rows:
        if row.existing is not None and row.existing.id not in given_back:
            given_back.add(row.existing.id)
            space = room[row.existing.stream_id]
            space.used_pence -= row.existing.amount_pence
            for year, pence in row.existing.profile.items():
                space.used_by_year[year] = space.used_by_year.get(year, 0) - pence
    for row in rows:
        if row.split is None or row.stream is None:
            continue
        space = room[row.stream.id]
        name = row.stream.name
        if space.used_pence + row.amount_pence > space.budget_pence:
            free = max(space.budget_pence - space.used_pence, 0)
            row.reasons.append(
                f"This row would take {name} past its budget: {format_pounds(free)} is still "
                "free after what is already allocated and the rows above"
            )
            continue  # past the whole budget: which year it is past as well is noise
        for year, pence in sorted(row.split.items()):
            used, limit = space.used_by_year.get(year, 0), space.budgets_by_year.get(year, 0)
            if used + pence > limit:
                label = FinancialYear(year).label
                row.reasons.append(
                    f"This row would take {name} past its {label} budget: "
                    f"{format_pounds(max(limit - used, 0))} of it is still free after what is "
                    "already allocated and the rows above"
                )
        if not row.reasons:
            space.used_pence += row.amount_pence
            for year, pence in row.split.items():
                space.used_by_year[year] = space.used_by_year.get(year, 0) + pence


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


def _plain(values: dict) -> dict:
    """JSON-ready values for the audit trail: dates as ISO text, statuses as their names."""
    out = {}
    for key, value in values.items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, AllocationStatus):
            value = value.value
        out[key] = value
    return out


def _years(profile: dict[int, int]) -> dict[str, int]:
    """A profile as the audit trail keeps it (JSON keys are text)."""
    return {str(year): pence for year, pence in sorted(profile.items())}


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
                    **_plain({key: values[key] for key in allocation_rules.FIELDS}),
                    "profile": _years(row.split),
                    "imported_from": f"{source}, row {row.number}",
                },
            )
            for allocation_id, values, row in made
        ]
        + updates.events
    )
    created = [
        NewAllocation(
            allocation_id, values["stream_id"], values["organisation_id"], values["status"],
            values["amount_pence"], row.split,
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
        if row.outcome != UPDATE:
            continue
        found = row.existing
        values = {
            "organisation_id": row.organisation_id,
            "title": row.title,
            "amount_pence": row.amount_pence,
            "awarded_on": row.awarded_on,
            "planned_start": row.planned_start,
            "planned_end": row.planned_end,
            "conditions": found.conditions if row.conditions is None else row.conditions,
        }
        before = {
            **_plain({name: getattr(found, name) for name in values}),
            "profile": _years(found.profile),
        }
        after = {**_plain(values), "profile": _years(row.split)}
        old, new = audit.changes(before, after)
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
