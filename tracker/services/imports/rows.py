"""The rows of an import file read into values, each row checked on its own (the checks that
need the database, and the file as a whole, are in checks.py)."""

import re
from dataclasses import dataclass, field
from datetime import date

from tracker.data.imports import ExistingAllocation
from tracker.domain import allocation_file
from tracker.domain.money import MoneyError, parse_pounds
from tracker.domain.periods import FinancialYear
from tracker.models import FundingStream
from tracker.services.errors import RuleBroken

REQUIRED = (
    "stream_code",
    "organisation_org_id",
    "title",
    "amount",
    "award_date",
    "planned_start",
    "planned_end",
)
OPTIONAL = ("identifier", "conditions")
DATE_NAMES = {
    "award_date": "award date",
    "planned_start": "planned start date",
    "planned_end": "planned end date",
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)

# The CSV export puts a quote before text a spreadsheet would run as a formula (formula_safe in
# web/downloads.py): the import takes it off again, so such a title comes back as it was.
_FORMULA_QUOTED = ("'=", "'+", "'-", "'@")

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


# --- the columns -----------------------------------------------------------------------------


@dataclass
class Columns:
    positions: dict[str, int]  # column name -> index
    years: dict[int, int]  # financial year (start year) -> index of its column
    # An export's columns for reading only: index -> heading. Passed over, values and all.
    ignored: dict[int, str] = field(default_factory=dict)
    used: frozenset[int] = field(init=False)  # the indexes of named columns

    def __post_init__(self) -> None:
        self.used = (
            frozenset(self.positions.values())
            | frozenset(self.years.values())
            | frozenset(self.ignored)
        )


def listed(names: list[str]) -> str:
    """Names joined as a sentence: 'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def read_columns(header: list[str]) -> Columns:
    """Where each column is, by its key or by the allocations export's heading (so an export
    imports back as it is; its columns for reading only are passed over, and named). A file
    missing a required column, or with one the import does not know (a misspelt year would
    otherwise be silently left out), is refused as a whole."""
    positions: dict[str, int] = {}
    years: dict[int, int] = {}
    ignored: dict[int, str] = {}
    unknown: list[str] = []
    twice: list[str] = []
    for index, cell in enumerate(header):
        name = cell.strip()
        if not name:
            continue
        key = allocation_file.key_of(name)
        try:
            year = FinancialYear.parse(allocation_file.year_label_of(name)).start_year
        except ValueError:
            year = None
        if year is not None:
            if year in years:
                twice.append(name)
            years[year] = index
        elif key in REQUIRED or key in OPTIONAL:
            if key in positions:
                twice.append(name)
            positions[key] = index
        elif allocation_file.is_for_information(name):
            ignored[index] = name
        else:
            unknown.append(name)
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        noun = "a column" if len(missing) == 1 else "columns"
        raise RuleBroken(f"The file must have {noun} called {listed(missing)}", "file")
    if twice:
        raise RuleBroken(f"The file has more than one column called {twice[0]}", "file")
    if unknown:
        raise RuleBroken(
            f"The file has a column called {unknown[0]} that the import does not know: use "
            f"{', '.join(REQUIRED + OPTIONAL)}, and financial years like 2020-21",
            "file",
        )
    return Columns(positions, years, ignored)


# --- each row --------------------------------------------------------------------------------


@dataclass
class RowCheck:
    """One row of the file: what it holds, what it will do, and every reason it cannot."""

    number: int
    identifier: str = ""
    stream_code: str = ""
    org_id: str = ""
    title: str = ""
    amount_pence: int | None = None
    awarded_on: date | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    conditions: str | None = None  # None: the file has no conditions column
    given_profile: dict[int, int | None] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    stream: FundingStream | None = None
    organisation_id: int | None = None
    split: dict[int, int] | None = None  # the profile, once it has passed its rules
    existing: ExistingAllocation | None = None
    unchanged: bool = False  # the existing allocation already holds exactly these values

    @property
    def outcome(self) -> str:
        if self.reasons:
            return ERROR
        if self.existing is None:
            return CREATE
        return UNCHANGED if self.unchanged else UPDATE


def _date(text: str, name: str) -> date:
    if not text:
        raise ValueError(f"Enter the {name}")
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _UK_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(f"The {name} must be a date like 2020-08-03 or 03/08/2020")
    if not 1900 <= year <= 2100:
        raise ValueError(f"The {name} must be a date like 2020-08-03 or 03/08/2020")
    try:
        return date(year, month, day)
    except ValueError as error:
        raise ValueError(f"The {name} must be a real date") from error


def _has_control_characters(text: str) -> bool:
    return any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text)


def _unquoted(text: str) -> str:
    return text[1:] if text.startswith(_FORMULA_QUOTED) else text


def read_row(number: int, cells: list[str], columns: Columns) -> RowCheck:
    """The row's own values, each checked on its own (lookups come later, for all rows)."""

    def cell(name: str) -> str:
        index = columns.positions.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    row = RowCheck(
        number,
        identifier=cell("identifier"),
        stream_code=cell("stream_code"),
        org_id=cell("organisation_org_id"),
        title=_unquoted(cell("title")),
    )
    reasons = row.reasons
    if any(value for index, value in enumerate(cells) if index not in columns.used):
        reasons.append(
            "The row has a value in a column with no name: check for commas outside quotes"
        )
    if row.identifier and not row.identifier.startswith("360G-"):
        reasons.append("The identifier must start with 360G-")
    elif len(row.identifier) > 100 or any(ch.isspace() for ch in row.identifier):
        reasons.append("The identifier must be 100 characters or fewer, with no spaces")
    if not row.stream_code:
        reasons.append("Enter the stream code")
    if not row.org_id:
        reasons.append("Enter the organisation's org-id")
    if not row.title:
        reasons.append("Enter a title for the allocation")
    elif len(row.title) > 200 or _has_control_characters(row.title):
        reasons.append("The title must be 200 characters or fewer, with no unusual characters")
    if "conditions" in columns.positions:
        row.conditions = _unquoted(cell("conditions"))
        if len(row.conditions) > 5000 or _has_control_characters(row.conditions):
            reasons.append("The conditions must be 5,000 characters or fewer")
    try:
        row.amount_pence = parse_pounds(cell("amount"), name="amount")
    except MoneyError as error:
        reasons.append(str(error))
    for attribute, column in (
        ("awarded_on", "award_date"),
        ("planned_start", "planned_start"),
        ("planned_end", "planned_end"),
    ):
        try:
            setattr(row, attribute, _date(cell(column), DATE_NAMES[column]))
        except ValueError as error:
            reasons.append(str(error))
    for year, index in sorted(columns.years.items()):
        text = cells[index].strip() if index < len(cells) else ""
        if not text:
            continue
        label = FinancialYear(year).label
        try:
            row.given_profile[year] = parse_pounds(text, name=f"amount for {label}")
        except MoneyError as error:
            reasons.append(str(error))
    return row
