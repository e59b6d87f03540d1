"""Hostile files, built in the test: zip bombs that expand to gigabytes (made in milliseconds,
from one compressed block repeated), workbooks with a million rows, executables renamed."""

import functools
import io
import struct
import zlib

CHUNK = 1 << 20  # 1MiB of zeros per repeated block


@functools.cache
def _deflated_zeros(total: int) -> tuple[bytes, int]:
    """Raw deflate of `total` zero bytes (a multiple of CHUNK), and their CRC-32. After a full
    flush a deflate block refers to nothing before it, so one block can be repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressor.compress(b"\0" * CHUNK)
    head = compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(b"\0" * CHUNK) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush(zlib.Z_FINISH)
    count = total // CHUNK
    crc = 0
    zeros = b"\0" * CHUNK
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    return head + block * (count - 1) + tail, crc


def _deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def zip_of(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive of (name, raw deflate data, CRC-32, size it says it expands to)."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size in entries:
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0
            )
        )
        out.write(encoded)
        out.write(data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(
        struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0
        )
    )
    return out.getvalue()


def _small(name: str, text: str) -> tuple[str, bytes, int, int]:
    data = text.encode()
    return name, _deflated(data), zlib.crc32(data), len(data)


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Allocations" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
)


def _workbook_parts() -> list[tuple[str, bytes, int, int]]:
    return [
        _small("[Content_Types].xml", CONTENT_TYPES),
        _small("_rels/.rels", RELS),
        _small("xl/workbook.xml", WORKBOOK),
        _small("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ]


def office_zip_bomb(kind: str = "xlsx", expands_to: int = 3 << 30) -> bytes:
    """An XLSX (or DOCX) of about 3MB whose one big part expands to 3GiB."""
    data, crc = _deflated_zeros(expands_to)
    big = "xl/worksheets/sheet1.xml" if kind == "xlsx" else "word/document.xml"
    parts = _workbook_parts() if kind == "xlsx" else [_small("[Content_Types].xml", CONTENT_TYPES)]
    return zip_of([*parts, (big, data, crc, expands_to)])


def lying_zip_bomb(expands_to: int = 1 << 30) -> bytes:
    """An XLSX whose sheet says it is 60KB but whose data expands to 1GiB."""
    data, crc = _deflated_zeros(expands_to)
    return zip_of([*_workbook_parts(), ("xl/worksheets/sheet1.xml", data, crc, 60_000)])


def sheet(rows_xml: str) -> bytes:
    """An XLSX with the given <row> elements (inline strings) in its one sheet."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows_xml}</sheetData></worksheet>"
    )
    return zip_of([*_workbook_parts(), _small("xl/worksheets/sheet1.xml", xml)])


def row_xml(number: int, cells: list[str]) -> str:
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    inner = "".join(
        f'<c r="{get_column_letter(i)}{number}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
        for i, v in enumerate(cells, start=1)
        if v != ""
    )
    return f'<row r="{number}">{inner}</row>'


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40
PE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8"
    + b"\x00" * 43
    + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21This program cannot be run in DOS mode.\r\n$"
)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf_of_size(size: int) -> bytes:
    body = PDF[:-6]
    return body + b"%" + b"x" * (size - len(body) - 1 - 6) + b"%%EOF\n"
