"""An import file checked: every row against the same rules as the form, and the whole file
against the database (the streams' budgets down the file, the allocations it names), giving a
preview of what each row will do: create, update a draft, change nothing, or why it cannot."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from tracker.data import imports as import_data
from tracker.data import streams as stream_data
from tracker.data.imports import ExistingAllocation
from tracker.domain.money import format_pounds
from tracker.domain.periods import FinancialYear
from tracker.infrastructure import import_files
from tracker.infrastructure.import_files import ImportFileError, PendingImport
from tracker.models import AllocationStatus, FundingStream
from tracker.services import allocations as allocation_rules
from tracker.services import audit, budget
from tracker.services.errors import RuleBroken
from tracker.services.imports.rows import (
    ERROR,
    RowCheck,
    listed,
    read_columns,
    read_row,
)


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
    ignored: list[str] = field(default_factory=list)  # columns for reading, passed over

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
        if row.identifier and _check_existing(row, existing.get(row.identifier)):
            continue  # left as it is, or refused: its profile is not checked either
        _check_profile(row)
    _check_budgets(rows, named, lock=lock)
    return Preview(pending.filename, pending.file_sha256, rows, list(columns.ignored.values()))


def _check_existing(row: RowCheck, found: ExistingAllocation | None) -> bool:
    """A row naming an allocation that exists: unchanged whatever its status if it holds what
    the allocation has (so an export imports back cleanly); otherwise an update, which only a
    draft in the same stream takes, or an error saying what the row would change. True when
    the row is settled (unchanged, or refused because the allocation is past a draft)."""
    if found is None:
        return False
    moving = row.stream is not None and found.stream_id != row.stream.id
    if not row.reasons and row.stream is not None and not moving and _holds(row, found):
        row.existing, row.unchanged = found, True
        return True
    if found.status != AllocationStatus.DRAFT:
        changes = _differences(row, found)
        what = f"the file changes its {listed(changes)}, but " if changes else ""
        row.reasons.append(
            f"Allocation {found.identifier} already exists and is {found.status.value}: "
            f"{what}only a draft can be updated (agree a variation instead)"
        )
        return True
    if moving:
        row.reasons.append(
            f"Allocation {found.identifier} already exists in another stream: an import cannot "
            f"move it to {row.stream.code}"
        )
    elif row.stream is not None:
        row.existing = found
    return False


def _shares(profile: dict) -> dict[int, int]:
    """A profile without its empty years (a year of nothing says nothing)."""
    return {year: pence for year, pence in profile.items() if pence}


def _holds(row: RowCheck, found: ExistingAllocation) -> bool:
    """Whether the allocation already has every value the row gives: its profile is compared
    only when the row gives one (an allocation saved without one, or a file without the year
    columns, is not a change)."""
    if any(getattr(found, name) != value for name, value in row_values(row, found).items()):
        return False
    given = _shares(row.given_profile)
    return not given or given == _shares(found.profile)


_NAMES = {
    "organisation_id": "organisation",
    "title": "title",
    "amount_pence": "amount",
    "awarded_on": "award date",
    "planned_start": "planned start date",
    "planned_end": "planned end date",
    "conditions": "conditions",
}


def _differences(row: RowCheck, found: ExistingAllocation) -> list[str]:
    """What the row would change in the allocation, in words."""
    changed = [] if row.stream is None or row.stream.id == found.stream_id else ["stream"]
    changed += [
        _NAMES[name]
        for name, value in row_values(row, found).items()
        if getattr(found, name) != value
    ]
    given = _shares(row.given_profile)
    if given and given != _shares(found.profile):
        changed.append("profile by year")
    return changed


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
        if row.existing is not None and not row.unchanged and row.existing.id not in given_back:
            given_back.add(row.existing.id)
            space = room[row.existing.stream_id]
            space.used_pence -= row.existing.amount_pence
            for year, pence in row.existing.profile.items():
                space.used_by_year[year] = space.used_by_year.get(year, 0) - pence
    for row in rows:
        if row.split is None or row.stream is None or row.unchanged:
            continue  # an unchanged row moves no money
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


# --- what a row changes ------------------------------------------------------------------------


def plain(values: dict) -> dict:
    """JSON-ready values for the audit trail: dates as ISO text, statuses as their names."""
    out = {}
    for key, value in values.items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, AllocationStatus):
            value = value.value
        out[key] = value
    return out


def years_of(profile: dict[int, int]) -> dict[str, int]:
    """A profile as the audit trail keeps it (JSON keys are text; a year of nothing says
    nothing, so is left out)."""
    return {str(year): pence for year, pence in sorted(profile.items()) if pence}


def row_values(row: RowCheck, found: ExistingAllocation) -> dict:
    """The allocation's values as the row gives them (a file without a conditions column keeps
    the allocation's conditions)."""
    return {
        "organisation_id": row.organisation_id,
        "title": row.title,
        "amount_pence": row.amount_pence,
        "awarded_on": row.awarded_on,
        "planned_start": row.planned_start,
        "planned_end": row.planned_end,
        "conditions": found.conditions if row.conditions is None else row.conditions,
    }


def changes_of(row: RowCheck, found: ExistingAllocation) -> tuple[dict, dict]:
    """(before, after) of what the row would change in the allocation, profile included; two
    empty dicts when it would change nothing."""
    values = row_values(row, found)
    before = {
        **plain({name: getattr(found, name) for name in values}),
        "profile": years_of(found.profile),
    }
    after = {**plain(values), "profile": years_of(row.split or {})}
    return audit.changes(before, after)
