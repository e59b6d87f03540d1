"""The second round of hostile import files (issue 14 items 1, 2 and 7): crafted cells that made
openpyxl raise while rows were read (a 500), a sheet padded to 16,384 columns, a table of shared
texts far bigger than any import, a workbook linking to other files, a zip bomb, and text that
forms refuse (direction overrides, C1 controls, zero-width characters). Each is answered with a
message that says where the problem is, stores nothing and keeps no file."""

import functools
import random
import zlib

import pytest

from tests.conftest import text_of
from tests.hostile.files import _small, _workbook_parts, office_zip_bomb, row_xml, sheet, zip_of
from tests.hostile.test_hostile_files import HEADER, folders, import_file  # noqa: F401
from tests.reading import soup_of

COLUMNS = HEADER.split(",")
GOOD = ["SWIS", "GB-LAE-SKP", "School placements", "1000", "2020-09-01", "2020-09-01", "2021-03-31"]


def header_and(cell_xml: str) -> bytes:
    """The header, then row 2 with good inline text in columns A-C and the crafted cell."""
    good = "".join(
        f'<c r="{col}2" t="inlineStr"><is><t>{value}</t></is></c>'
        for col, value in zip("ABC", GOOD, strict=False)
    )
    return sheet(row_xml(1, COLUMNS) + f'<row r="2">{good}{cell_xml}</row>')


def wide_sheet(rows: int = 20_000) -> bytes:
    """20,000 rows each with one blank cell at column XFD (a 105 KB workbook that took a worker
    34 s: every row was padded to 16,384 columns, and blank rows did not count)."""
    body = row_xml(1, COLUMNS) + "".join(
        f'<row r="{n}"><c r="XFD{n}"/></row>' for n in range(2, rows + 2)
    )
    return sheet(body)


def too_wide_header() -> bytes:
    return sheet(row_xml(1, COLUMNS + [f"extra {n}" for n in range(101)]))


@functools.cache
def huge_shared_strings() -> bytes:
    """A 17 MB table of shared texts (720,000 of them) in a 4 MB workbook: under the zip-bomb
    ratio, far over what 20,000 rows of allocations need."""
    rng = random.Random(14)
    body = "".join(f"<si><t>{rng.randrange(10**7, 10**8)}</t></si>" for _ in range(720_000))
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{body}</sst>"
    ).encode()
    deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = deflater.compress(xml) + deflater.flush()
    strings = ("xl/sharedStrings.xml", data, zlib.crc32(xml), len(xml))
    return zip_of([*_workbook_parts(), strings, _sheet_part(row_xml(1, COLUMNS))])


def _sheet_part(rows_xml: str):
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows_xml}</sheetData></worksheet>"
    )
    return _small("xl/worksheets/sheet1.xml", xml)


def external_links() -> bytes:
    link = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<externalBook r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships"/></externalLink>'
    )
    rows = row_xml(1, COLUMNS) + row_xml(2, GOOD)
    return zip_of(
        [
            *_workbook_parts(),
            _sheet_part(rows),
            _small("xl/externalLinks/externalLink1.xml", link),
        ]
    )


def text_row(value: str) -> bytes:
    return sheet(row_xml(1, COLUMNS) + row_xml(2, [*GOOD[:2], value, *GOOD[3:]]))


CANNOT_READ = (
    "Error: Row 2, column {} of the file could not be read: check that cell holds a plain "
    "number, date or text"
)
TOO_BIG = (
    "Error: The workbook holds far more than a file of allocations needs: copy just the "
    "allocations into a new workbook and upload that"
)
NOT_ALLOWED = (
    "Error: Row 2, column C has a character that is not allowed ({}): remove it and upload the "
    "file again"
)

CASES = {
    "number-cell-holding-text": (
        lambda: header_and('<c r="D2"><v>abc</v></c>'),
        CANNOT_READ.format("D"),
    ),
    "date-that-does-not-exist": (
        lambda: header_and('<c r="E2" t="d"><v>2025-02-30</v></c>'),
        CANNOT_READ.format("E"),
    ),
    "shared-text-that-is-not-there": (
        lambda: header_and('<c r="D2" t="s"><v>7</v></c>'),
        CANNOT_READ.format("D"),
    ),
    "formula-with-a-text-value": (
        lambda: header_and('<c r="D2"><f>A1&amp;"x"</f><v>School placementsx</v></c>'),
        CANNOT_READ.format("D"),
    ),
    "padded-to-column-xfd": (
        wide_sheet,
        "Error: The file has no allocations in it: add a row for each one",
    ),
    "padded-and-one-blank-row-too-many": (
        lambda: wide_sheet(20_001),
        "Error: The file must have 20,000 rows or fewer: split it into smaller files",
    ),
    "header-of-108-columns": (
        too_wide_header,
        "Error: The file must have 100 columns or fewer: remove the columns an import does not use",
    ),
    "huge-shared-strings": (huge_shared_strings, TOO_BIG),
    "external-links": (
        external_links,
        "Error: The workbook links to other workbooks: copy the values into it (Paste Special, "
        "Values), remove the links, and upload it again",
    ),
    "zip-bomb": (
        office_zip_bomb,
        "Error: The selected file could not be opened safely: upload it again as a normal Word "
        "or Excel file",
    ),
    "right-to-left-override": (
        lambda: text_row("School \u202eplacements"),
        NOT_ALLOWED.format("U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ),
    "next-line-control": (
        lambda: text_row("School\u0085placements"),
        NOT_ALLOWED.format("U+0085"),
    ),
    "zero-width-space": (
        lambda: text_row("School\u200bplacements"),
        NOT_ALLOWED.format("U+200B (ZERO WIDTH SPACE)"),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_workbook_is_answered_with_a_message_saying_where(
    signed_in, transaction, folders, reliability, case  # noqa: F811
):
    make, message = CASES[case]
    result = import_file(signed_in, transaction, folders, make(), f"{case}.xlsx", measure=True)

    assert result.response.status_code == 200, text_of(result.response)[:400]
    assert result.error == message, text_of(result.response)[:800]
    assert soup_of(result.response).select(".govuk-error-summary")
    assert not result.changed
    assert not result.kept
    reliability.record("hostile input", "imports tried", 1)


@pytest.mark.parametrize(
    ("value", "named"),
    [("School\u202eplacements", "U+202E"), ("School\ufffdplacements", "U+FFFD")],
    ids=["direction-override", "not-real-utf-8"],
)
def test_a_csv_cell_that_a_form_would_refuse_is_refused_by_row_and_column(
    signed_in, transaction, folders, reliability, value, named  # noqa: F811
):
    lines = [HEADER, ",".join([*GOOD[:2], value, *GOOD[3:]])]
    content = ("\r\n".join(lines) + "\r\n").encode()
    result = import_file(signed_in, transaction, folders, content, "text.csv")

    assert result.error.startswith(
        f"Error: Row 2, column C has a character that is not allowed ({named}"
    )
    assert not result.changed and not result.kept
    reliability.record("hostile input", "imports tried", 1)


def test_a_form_refuses_the_same_characters_as_an_import(signed_in, transaction):
    """One rule for both (tracker/domain/typed_text.py): the organisation form refuses a zero-width
    space as the import does."""
    from wtforms.validators import ValidationError

    from tracker.web.forms import no_control_characters

    class Field:
        data = "Lambeth\u200b"

    with pytest.raises(ValidationError):
        no_control_characters(None, Field())
