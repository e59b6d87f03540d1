"""A table written as CSV or Excel a row at a time, so memory stays flat however long it is.

CSV: `csv.writer` into a small buffer that is handed on every few hundred rows (the view streams
the pieces). Excel: openpyxl's write-only workbook, which spills rows to a temporary file as they
are appended, saved into a file the view streams with send_file.

Text that a spreadsheet would run as a formula (starting =, +, -, @) is kept as text: a quote
before it in CSV (the usual defence against CSV injection), a string cell in Excel.
"""

import csv
import enum
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tracker.domain.money import to_pounds

# --- a download: a table of typed columns ----------------------------------------------------


class Kind(enum.Enum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    FLAG = "flag"


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict], Any]
    kind: Kind = Kind.TEXT
    width: int = 18


@dataclass
class Table:
    name: str  # allocations, returns, payments: the start of the file name
    title: str  # the Excel sheet's name
    columns: list[Column]
    rows: Iterator[dict]

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def values(self) -> Iterator[list[Any]]:
        for row in self.rows:
            yield [column.value(row) for column in self.columns]


def field(key: str) -> Callable[[dict], Any]:
    def read(row: dict) -> Any:
        value = row.get(key)
        return value.value if isinstance(value, enum.Enum) else value

    read.key = key  # the CSV writer reads text columns itself
    return read


def pounds(key: str) -> Callable[[dict], Decimal | None]:
    def read(row: dict) -> Decimal | None:
        pence = row.get(key)
        return None if pence is None else to_pounds(int(pence))

    read.pence_key = key  # the CSV writer formats the pence itself, without a Decimal
    return read


CSV_BATCH = 200
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMATS = {
    Kind.MONEY: "#,##0.00",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm:ss",
}


def csv_text(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind is Kind.FLAG:
        return "Yes" if value else "No"
    if kind is Kind.MONEY:
        return f"{value:.2f}"  # a Decimal: exact to the penny
    if kind is Kind.DATE:
        return value.isoformat()
    if kind is Kind.DATETIME:
        return value.isoformat(sep=" ", timespec="seconds")
    return formula_safe(str(value))


def formula_safe(text: str) -> str:
    """Text a spreadsheet would run as a formula, with a quote before it (OWASP's advice for
    CSV injection): the quote shows, the formula never runs."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _pence_text(key: str):
    """Pence as pounds to the penny (1234.50), straight from the integer: what csv_text gives
    for the same amount as a Decimal, at a fraction of the cost."""

    def text(row: dict) -> str:
        pence = row.get(key)
        if pence is None:
            return ""
        pence = int(pence)
        sign = "-" if pence < 0 else ""
        pounds, pennies = divmod(abs(pence), 100)
        return f"{sign}{pounds}.{pennies:02d}"

    return text


def _csv_cell(column):
    """One column's CSV text from a row, chosen once per column rather than once per cell."""
    key = getattr(column.value, "pence_key", None)
    if key is not None:
        return _pence_text(key)
    value, kind = column.value, column.kind
    key = getattr(value, "key", None)
    if kind is Kind.TEXT and key is not None:
        return _plain_text(key)
    return lambda row: csv_text(value(row), kind)


FORMULA_FIRST = frozenset(FORMULA_STARTS)  # each is one character


def _plain_text(key: str):
    """A text column straight from the row: what csv_text gives, with the usual case (a str)
    taken first."""

    def text(row: dict) -> str:
        found = row.get(key)
        if found is None:
            return ""
        if type(found) is not str:
            found = found.value if isinstance(found, enum.Enum) else str(found)
        return "'" + found if found[:1] in FORMULA_FIRST else found

    return text


def csv_chunks(table: Table) -> Iterator[str]:
    """The table as CSV text, in pieces. A byte-order mark first, so that Excel reads the file as
    UTF-8 (a £ in a header, an accent in a name)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(table.headers)
    cells = [_csv_cell(column) for column in table.columns]
    for count, row in enumerate(table.rows, start=1):
        writer.writerow([cell(row) for cell in cells])
        if count % CSV_BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue()


def _cell(sheet, value: Any, kind: Kind):
    if value is None:
        return None
    if kind is Kind.FLAG:
        return "Yes" if value else "No"
    if kind in NUMBER_FORMATS:
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = NUMBER_FORMATS[kind]
        return cell
    if kind is Kind.NUMBER:
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if value.startswith("="):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # text, never a formula
        return cell
    return value


def write_workbook(table: Table, about: list[tuple[str, str]], target: IO[bytes]) -> None:
    """The table on its own sheet (header row frozen), and an "About" sheet saying when it was
    made and with which filters."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title)
    sheet.freeze_panes = "A2"
    for number, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    bold = Font(bold=True)
    headers = []
    for header in table.headers:
        cell = WriteOnlyCell(sheet, header)
        cell.font = bold
        headers.append(cell)
    sheet.append(headers)
    kinds = [column.kind for column in table.columns]
    for values in table.values():
        sheet.append([_cell(sheet, value, kind) for value, kind in zip(values, kinds, strict=True)])
    notes = workbook.create_sheet("About")
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 80
    for label, value in about:
        notes.append([label, ILLEGAL_CHARACTERS_RE.sub("", value)])
    workbook.save(target)
