"""The import template: the columns an allocations import reads, with one example row, as a CSV
or an Excel file for an officer to download and fill in."""

import csv
import io

from openpyxl import Workbook

HEADER = [
    "identifier",
    "stream_code",
    "organisation_org_id",
    "title",
    "amount",
    "award_date",
    "planned_start",
    "planned_end",
    "conditions",
    "2020-21",
    "2021-22",
]
# An example to copy (illustrative: replace it before importing). Its identifier is blank, so
# importing it as it is would make a new draft allocation.
EXAMPLE = [
    "",
    "SWIS",
    "GB-LAE-SKP",
    "Social workers in Stockport schools (example)",
    "30000",
    "2020-08-03",
    "2020-09-01",
    "2021-08-31",
    "Quarterly returns",
    "20000",
    "10000",
]


def as_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([HEADER, EXAMPLE])
    # With a byte-order mark, Excel opens the file as UTF-8 (pound signs, accents).
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def as_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Allocations"
    sheet.append(HEADER)
    sheet.append(EXAMPLE)  # as text, so dates and amounts are read exactly as written
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
