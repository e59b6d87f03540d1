"""A table written as CSV or Excel a row at a time, so memory stays flat however long it is.

CSV: `csv.writer` into a small buffer that is handed on every few hundred rows (the view streams
the pieces). Excel: XlsxWriter in its constant-memory mode, which writes each row to a temporary
file as it comes (at about three times the pace of openpyxl's write-only sheet), saved into a
file the view streams with send_file.

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

import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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


def _writer(sheet, kind: Kind, style) -> Callable[[int, int, Any], None]:
    """How one column's cells are written, chosen once per column: text always as text (a value
    starting = is never a formula), numbers as numbers, money and dates with their format."""
    if kind is Kind.FLAG:
        return lambda row, col, value: sheet.write_string(row, col, "Yes" if value else "No")
    if kind is Kind.MONEY:  # a Decimal of pounds: exact to the penny in a double below £90tn
        return lambda row, col, value: sheet.write_number(row, col, float(value), style)
    if kind in (Kind.DATE, Kind.DATETIME):
        return lambda row, col, value: sheet.write_datetime(row, col, value, style)
    if kind is Kind.NUMBER:
        return lambda row, col, value: sheet.write_number(row, col, float(value))

    def text(row: int, col: int, value: Any) -> None:
        found = value if type(value) is str else str(value)
        sheet.write_string(row, col, ILLEGAL_CHARACTERS_RE.sub("", found))

    return text


def write_workbook(table: Table, about: list[tuple[str, str]], target: IO[bytes]) -> None:
    """The table on its own sheet (header row frozen), and an "About" sheet saying when it was
    made and with which filters."""
    workbook = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "remove_timezone": True, "strings_to_numbers": False},
    )
    sheet = workbook.add_worksheet(table.title)
    sheet.freeze_panes(1, 0)
    bold = workbook.add_format({"bold": True})
    styles = {kind: workbook.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
    for number, column in enumerate(table.columns):
        sheet.set_column(number, number, column.width)
        sheet.write_string(0, number, column.header, bold)
    writers = [_writer(sheet, c.kind, styles.get(c.kind)) for c in table.columns]
    for row, values in enumerate(table.values(), start=1):
        for col, (value, write) in enumerate(zip(values, writers, strict=True)):
            if value is not None:
                write(row, col, value)
    notes = workbook.add_worksheet("About")
    notes.set_column(0, 0, 24)
    notes.set_column(1, 1, 80)
    for row, (label, value) in enumerate(about):
        notes.write_string(row, 0, label)
        notes.write_string(row, 1, ILLEGAL_CHARACTERS_RE.sub("", value))
    workbook.close()
