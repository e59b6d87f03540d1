"""A file of allocations to import: what it really is (judged from its content, not its name),
its cells read as text, and where it waits, server-side, between the preview and the confirm.

The waiting copy is JSON under the instance folder, named by a random number. The session holds
that number and the copy's SHA-256 (Flask signs the session cookie), so a confirm acts on exactly
the rows that were previewed, and only for the officer who uploaded them."""

import contextlib
import csv
import hashlib
import io
import json
import os
import secrets
import time
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet._reader import WorkSheetParser

from tracker.domain import typed_text
from tracker.infrastructure.evidence_files import EvidenceError, misnamed, sniff

KINDS = {"csv": "CSV", "xlsx": "Excel"}
# More rows than any one stream has allocations; a bigger file is split. Every row read counts,
# blank or not, so the time a file takes follows its size, not what it claims.
MAX_ROWS = 20_000
# Far more than the columns an import has (a dozen or so).
MAX_COLUMNS = 100
# What an Excel file may expand to: 20,000 rows of a dozen cells is a few MB of XML. A bigger
# sheet or table of texts (a zip bomb, a huge shared-strings table) is refused before parsing.
MAX_SHEET_XML_BYTES = 48 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
MAX_EXPANDED_BYTES = 96 * 1024 * 1024
# A pending import is kept this long; an abandoned one is deleted by the next upload.
KEEP_SECONDS = 24 * 3600


class ImportFileError(ValueError):
    """The message is written for the user."""


@dataclass
class PendingImport:
    """An uploaded file, read into text cells. Row numbers are as in the file (the header is
    row 1); blank rows are left out."""

    filename: str
    file_sha256: str
    kind: str
    uploaded_by_id: int | None
    header: list[str]
    rows: list[tuple[int, list[str]]]
    uploaded_at: float = field(default_factory=time.time)


# --- what the file is ------------------------------------------------------------------------


def _is_windows_text(content: bytes) -> bool:
    """Excel's "CSV (Comma delimited)" is Windows-1252, not UTF-8 (a £ is one byte, 0xA3)."""
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return not any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text)


def kind_of(filename: str, content: bytes, max_bytes: int) -> str:
    """ "csv" or "xlsx", if the file is one and its name says so; else ImportFileError."""
    name = (filename or "").strip()
    if not name:
        raise ImportFileError("Select a CSV or Excel file")
    if not content:
        raise ImportFileError("The selected file is empty")
    if len(content) > max_bytes:
        raise ImportFileError(
            f"The selected file must be smaller than {max_bytes // (1024 * 1024)}MB"
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in KINDS:
        raise ImportFileError("The selected file must be a CSV or Excel (.xlsx) file")
    try:
        actual = sniff(content)
    except EvidenceError as error:
        raise ImportFileError(str(error)) from error
    if actual is None and _is_windows_text(content):
        actual = "csv"
    if actual != extension:
        raise ImportFileError(misnamed(name, extension, KINDS[extension]))
    return extension


# --- its cells as text -----------------------------------------------------------------------


def _text_of_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # Excel keeps numbers as doubles: 1250.5 is 1250.5; repr is the shortest exact form.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value).strip()


def _rows_of_csv(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        # Numbered by record, as a spreadsheet numbers them (a quoted line break is one row).
        for number, cells in enumerate(reader, start=1):
            yield number, [cell.strip() for cell in cells]
    except csv.Error as error:
        raise ImportFileError(
            f"Row {reader.line_num} of the file could not be read as CSV: check its quotes"
        ) from error


def _column_name(index: int) -> str:
    return get_column_letter(min(max(index, 1), 16_384))


class _CellUnreadable(Exception):
    def __init__(self, row: int, column: int):
        super().__init__(row, column)
        self.row, self.column = row, column


class _Cells(WorkSheetParser):
    """openpyxl's sheet parser, reading only the first `width` columns of each row and saying
    which cell it could not read (a number cell holding text, a date that does not exist, a
    shared text that is not there) instead of failing somewhere inside openpyxl."""

    width = MAX_COLUMNS + 1

    def parse_row(self, row):
        try:
            number = int(row.get("r")) if row.get("r") is not None else self.row_counter + 1
        except ValueError as error:
            raise _CellUnreadable(self.row_counter + 1, 1) from error
        self.row_counter, self.col_counter = number, 0
        cells = []
        for element in row:
            reference = element.get("r")
            if reference:
                try:
                    column = column_index_from_string(coordinate_from_string(reference)[0])
                except ValueError as error:
                    raise _CellUnreadable(number, self.col_counter + 1) from error
            else:
                column = self.col_counter + 1
            if column > self.width:
                break  # cells are in column order: nothing further along is read
            try:
                cells.append(self.parse_cell(element))
            except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a bad cell
                raise _CellUnreadable(number, column) from error
        return number, cells


def _check_parts(content: bytes) -> None:
    """Refuses, before openpyxl reads anything, a workbook that links to other files or that
    would expand to far more than an import needs."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ImportFileError(
            "The selected file could not be opened as an Excel workbook: save it again as .xlsx"
        ) from error
    names = {entry.filename.lower() for entry in entries}
    if any(name.startswith("xl/externallinks/") for name in names):
        raise ImportFileError(
            "The workbook links to other workbooks: copy the values into it (Paste Special, "
            "Values), remove the links, and upload it again"
        )
    if sum(entry.file_size for entry in entries) > MAX_EXPANDED_BYTES:
        raise ImportFileError(TOO_BIG_INSIDE)
    for entry in entries:
        name = entry.filename.lower()
        if name == "xl/sharedstrings.xml" and entry.file_size > MAX_SHARED_STRINGS_BYTES:
            raise ImportFileError(TOO_BIG_INSIDE)
        if name.startswith("xl/worksheets/") and entry.file_size > MAX_SHEET_XML_BYTES:
            raise ImportFileError(TOO_BIG_INSIDE)


TOO_BIG_INSIDE = (
    "The workbook holds far more than a file of allocations needs: copy just the allocations "
    "into a new workbook and upload that"
)


def _rows_of_xlsx(content: bytes):
    _check_parts(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ImportFileError(
            "The selected file could not be opened as an Excel workbook: save it again as .xlsx"
        ) from error
    try:
        with sheet._get_source() as source:  # the sheet's XML, read as openpyxl reads it
            cells = _Cells(
                source,
                sheet._shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            rows = cells.parse()
            while True:
                try:
                    number, parsed = next(rows)
                except StopIteration:
                    return
                except _CellUnreadable as error:
                    raise ImportFileError(
                        f"Row {error.row}, column {_column_name(error.column)} of the file could "
                        "not be read: check that cell holds a plain number, date or text"
                    ) from error
                except Exception as error:  # noqa: BLE001 - a damaged sheet, anywhere in it
                    raise ImportFileError(
                        f"The file could not be read after row {cells.row_counter}: save it "
                        "again as .xlsx"
                    ) from error
                values = [""] * min(max((c["column"] for c in parsed), default=0), cells.width)
                for cell in parsed:
                    if cell["column"] <= len(values):
                        values[cell["column"] - 1] = _text_of_cell(cell["value"])
                yield number, values
                if number == 1:  # from the header on, read only the header's columns
                    cells.width = len(_trimmed(list(values))) or 1
    finally:
        workbook.close()


def _trimmed(cells: list[str]) -> list[str]:
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _check_text(number: int, cells: list[str]) -> None:
    for index, cell in enumerate(cells, start=1):
        found = typed_text.first_unusual(cell)
        if found is not None:
            raise ImportFileError(
                f"Row {number}, column {_column_name(index)} has a character that is not "
                f"allowed ({typed_text.describe(found)}): remove it and upload the file again"
            )


def read(filename: str, content: bytes, *, max_bytes: int, uploaded_by_id: int | None):
    """The file's header and non-blank rows as text, or ImportFileError saying why not."""
    kind = kind_of(filename, content, max_bytes)
    rows_of = _rows_of_csv if kind == "csv" else _rows_of_xlsx
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in rows_of(content):
        if number > MAX_ROWS + 1:  # every row counts, blank or not (the header is row 1)
            raise ImportFileError(
                f"The file must have {MAX_ROWS:,} rows or fewer: split it into smaller files"
            )
        cells = _trimmed(cells)
        if header is None:
            if number != 1 or not cells:
                raise ImportFileError("The first row of the file must name the columns")
            if len(cells) > MAX_COLUMNS:
                raise ImportFileError(
                    f"The file must have {MAX_COLUMNS} columns or fewer: remove the columns "
                    "an import does not use"
                )
            _check_text(number, cells)
            header = cells
            continue
        cells = _trimmed(cells[: len(header)])
        if not cells:
            continue
        _check_text(number, cells)
        rows.append((number, cells))
    if header is None:
        raise ImportFileError("The first row of the file must name the columns")
    if not rows:
        raise ImportFileError("The file has no allocations in it: add a row for each one")
    return PendingImport(
        filename=_shown_name(filename),
        file_sha256=hashlib.sha256(content).hexdigest(),
        kind=kind,
        uploaded_by_id=uploaded_by_id,
        header=header,
        rows=rows,
    )


def _shown_name(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable()).strip()[:200] or "allocations"


# --- where it waits between preview and confirm ----------------------------------------------


def _path(folder: Path, import_id: int, suffix: str = ".json") -> Path:
    return Path(folder) / f"{int(import_id)}{suffix}"


def keep(folder: Path, pending: PendingImport) -> tuple[int, str]:
    """Writes the pending import; returns its id and the SHA-256 of what was written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _purge_old(folder)
    body = json.dumps(asdict(pending), separators=(",", ":")).encode()
    for _ in range(10):
        import_id = secrets.randbelow(2**31 - 2) + 1  # fits the <int:...> of our URLs
        try:
            with open(_path(folder, import_id), "xb") as handle:
                handle.write(body)
        except FileExistsError:
            continue
        return import_id, hashlib.sha256(body).hexdigest()
    raise OSError("no free name for a pending import")  # pragma: no cover - 2**31 names


def load(folder: Path, import_id: int, sha256: str) -> PendingImport | None:
    """The pending import, if it is still there, unchanged, and not too old."""
    try:
        body = _path(folder, import_id).read_bytes()
    except OSError:
        return None
    if not secrets.compare_digest(hashlib.sha256(body).hexdigest(), sha256):
        return None
    values = json.loads(body)
    pending = PendingImport(**{**values, "rows": [(n, cells) for n, cells in values["rows"]]})
    if time.time() - pending.uploaded_at > KEEP_SECONDS:
        return None
    return pending


def claim(folder: Path, import_id: int) -> bool:
    """Marks the import as being confirmed; False if another confirm already has it (a double
    click, or a second tab), so the same rows are never imported twice."""
    try:
        os.rename(_path(folder, import_id), _path(folder, import_id, ".claimed"))
    except FileNotFoundError:
        return False
    return True


def release(folder: Path, import_id: int) -> None:
    """Puts a claimed import back (the confirm was refused), ready for another try."""
    with contextlib.suppress(FileNotFoundError):
        os.rename(_path(folder, import_id, ".claimed"), _path(folder, import_id))


def discard(folder: Path, import_id: int) -> None:
    for suffix in (".json", ".claimed"):
        with contextlib.suppress(FileNotFoundError):
            _path(folder, import_id, suffix).unlink()


def _purge_old(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.suffix in {".json", ".claimed"}:
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
