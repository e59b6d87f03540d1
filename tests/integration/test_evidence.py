"""Evidence files on a return: what may be uploaded (judged from the content, not the name), where
it is kept (a random name in the upload folder, its SHA-256 recorded), what is refused (with a
message, and nothing kept), who may download it, and that a submitted return's files are frozen."""

import hashlib
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select
from werkzeug.http import parse_options_header

from tests.conftest import (
    FINANCE,
    LAMBETH_GRANTEE,
    OFFICER,
    SOUTHAMPTON_GRANTEE,
    VIEWER,
    text_of,
)
from tests.factories import user
from tracker.models import (
    Allocation,
    AuditEvent,
    EvidenceFile,
    MilestoneReturn,
    Project,
    Rag,
    ReturnStatus,
    SpendCategory,
)

LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"
ALLOWED_MESSAGE = "The selected file must be a PDF, DOCX, XLSX, CSV, PNG or JPEG"

# --- real, small files of each kind ----------------------------------------------------------


def pdf_file(padding: int = 0) -> bytes:
    body = (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n"
    )
    return body + b"%" + b"x" * max(padding - len(body) - 8, 0) + b"\n%%EOF\n"


def pdf_of_size(size: int) -> bytes:
    content = pdf_file(size)
    assert len(content) == size
    return content


def png_file() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def jpeg_file() -> bytes:
    """A baseline JPEG of one grey 8x8 block: one DC and one AC Huffman code, both '0'."""

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">HH", marker, len(payload) + 2) + payload

    return b"".join(
        [
            b"\xff\xd8",
            segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            segment(0xFFDB, b"\x00" + b"\x01" * 64),
            segment(0xFFC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00"),
            segment(0xFFC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"),
            segment(0xFFC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00"),
            segment(0xFFDA, b"\x01\x01\x00\x00\x3f\x00"),
            b"\x3f",
            b"\xff\xd9",
        ]
    )


def csv_file() -> bytes:
    return b"category,amount\r\nstaff,1200.00\r\ndelivery,300.50\r\n"


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
)


def office_file(kind: str, sheet_xml: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if kind == "docx":
            main = "/word/document.xml"
            main_type = (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
            )
        else:
            main = "/xl/workbook.xml"
            main_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
        archive.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(
                overrides=f'<Override PartName="{main}" ContentType="{main_type}"/>'
            ),
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="' + main.lstrip("/") + '" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        if kind == "docx":
            archive.writestr(
                "word/document.xml",
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                "<w:body><w:p><w:r><w:t>Attendance for the quarter</w:t></w:r></w:p></w:body>"
                "</w:document>",
            )
        else:
            archive.writestr(
                "xl/workbook.xml",
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                '<sheets><sheet name="Spend" sheetId="1"/></sheets></workbook>',
            )
            archive.writestr(
                "xl/worksheets/sheet1.xml",
                sheet_xml
                or b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<sheetData><row r="1"><c r="A1"><v>1200</v></c></row></sheetData></worksheet>',
            )
    return buffer.getvalue()


def xlsx_zip_bomb() -> bytes:
    """An XLSX whose one sheet expands from a few kilobytes to 5MB of spaces."""
    return office_file("xlsx", sheet_xml=b"<worksheet>" + b" " * (5 * 1024 * 1024) + b"</w>")


def windows_executable() -> bytes:
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8"
        + b"\x00" * 43
        + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21This program cannot be run in DOS mode.\r\n$"
    )


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- helpers ---------------------------------------------------------------------------------


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def lambeth_return(session) -> MilestoneReturn:
    """Lambeth's first social-workers-in-schools return (not started: it can be changed)."""
    return session.scalars(
        select(MilestoneReturn)
        .join(Project, MilestoneReturn.project_id == Project.id)
        .join(Allocation, Project.allocation_id == Allocation.id)
        .where(Allocation.identifier == "360G-HHT-DEMO-SWIS-LBH")
        .order_by(MilestoneReturn.period_start)
    ).first()


def evidence_of(session, milestone_return: MilestoneReturn) -> list[EvidenceFile]:
    return list(
        session.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.return_id == milestone_return.id)
            .order_by(EvidenceFile.id)
        )
    )


def count_evidence(session) -> int:
    return session.scalar(select(func.count(EvidenceFile.id)))


def version_on(response) -> str:
    field = BeautifulSoup(response.get_data(as_text=True), "html.parser").find(
        "input", attrs={"name": "version"}
    )
    assert field is not None, "no version field on the page"
    return field["value"]


def upload(visitor, milestone_return, content: bytes | None, filename: str = ""):
    url = f"/returns/{milestone_return.id}/evidence"
    data = {"version": version_on(visitor.get(url))}
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    return visitor.post(url, data, content_type="multipart/form-data")


def file_error(response) -> str:
    message = BeautifulSoup(response.get_data(as_text=True), "html.parser").find(id="file-error")
    return " ".join(message.get_text(" ").split()) if message else ""


def disposition(response) -> tuple[str, str | None]:
    """The disposition and the file name a browser would use (filename* first, RFC 6266)."""
    kind, options = parse_options_header(response.headers["Content-Disposition"])
    return kind, options.get("filename")


def submit_through_services(session, milestone_return: MilestoneReturn) -> None:
    """Completes every section as Lambeth's grantee, submits, and has the certifier sign off."""
    from tracker.data import returns as return_data
    from tracker.services import returns as return_service
    from tracker.services.audit import Actor

    grantee = Actor(user(session, LAMBETH_GRANTEE), "test")
    certifier = Actor(user(session, LAMBETH_CERTIFIER), "test")
    return_service.save_spend(grantee, milestone_return, {SpendCategory.STAFF: 1_000_00})
    return_service.save_forecast(grantee, milestone_return, {})
    return_service.save_outputs(
        grantee,
        milestone_return,
        {i.id: 3 for i in milestone_return.project.allocation.stream.indicators},
    )
    return_service.save_milestones(
        grantee,
        milestone_return,
        {m.id: (True, "Done") for m in return_data.milestones_due(milestone_return)},
    )
    return_service.save_narrative(grantee, milestone_return, narrative="Going well", risks="")
    return_service.save_rag(grantee, milestone_return, Rag.GREEN)
    return_service.mark_evidence_done(grantee, milestone_return)
    return_service.submit(grantee, milestone_return, declared_by_name="Gail Grantee")
    return_service.sign_off(certifier, milestone_return, approve=True)
    session.commit()
    assert milestone_return.status == ReturnStatus.SUBMITTED


# --- what is kept ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "make", "content_type"),
    [
        ("invoice.pdf", pdf_file, "application/pdf"),
        ("photo of the session.png", png_file, "image/png"),
        ("register.jpg", jpeg_file, "image/jpeg"),
        ("register.jpeg", jpeg_file, "image/jpeg"),
        ("spend.csv", csv_file, "text/csv"),
        ("attendance.docx", lambda: office_file("docx"), DOCX_TYPE),
        ("payroll.xlsx", lambda: office_file("xlsx"), XLSX_TYPE),
    ],
)
def test_a_valid_file_is_kept_under_a_random_name_with_its_sha256(
    signed_in, transaction, uploads, filename, make, content_type
):
    content = make()
    milestone_return = lambeth_return(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)

    response = upload(grantee, milestone_return, content, filename)

    assert response.status_code == 302, text_of(response)[:400]
    [kept] = evidence_of(transaction, milestone_return)
    assert kept.original_name == filename
    assert kept.content_type == content_type
    assert kept.size_bytes == len(content)
    assert kept.sha256 == hashlib.sha256(content).hexdigest()
    assert kept.uploaded_by_id == user(transaction, LAMBETH_GRANTEE).id
    # A random name, not the one it came with, holding exactly what was sent (and nothing else
    # in the folder: no half-written temporary file).
    assert re.fullmatch(r"[0-9a-f]{32}", kept.stored_name)
    assert files_in(uploads) == [uploads / kept.stored_name]
    assert (uploads / kept.stored_name).read_bytes() == content
    page = grantee.get(f"/returns/{milestone_return.id}/evidence")
    assert filename in text_of(page)
    assert (
        transaction.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.action == "evidence added",
                AuditEvent.object_type == "milestone_return",
                AuditEvent.object_id == milestone_return.id,
            )
        )
        == 1
    )


def test_a_file_of_exactly_the_largest_size_allowed_is_kept(app, signed_in, transaction, uploads):
    content = pdf_of_size(app.config["UPLOAD_MAX_BYTES"])
    milestone_return = lambeth_return(transaction)

    response = upload(signed_in(LAMBETH_GRANTEE), milestone_return, content, "big.pdf")

    assert response.status_code == 302
    [kept] = evidence_of(transaction, milestone_return)
    assert kept.size_bytes == app.config["UPLOAD_MAX_BYTES"]
    assert (uploads / kept.stored_name).stat().st_size == app.config["UPLOAD_MAX_BYTES"]


def test_a_path_in_the_uploaded_name_is_dropped_from_the_name_kept(signed_in, transaction, uploads):
    milestone_return = lambeth_return(transaction)

    response = upload(
        signed_in(LAMBETH_GRANTEE), milestone_return, pdf_file(), "../../instance/invoice.pdf"
    )

    assert response.status_code == 302
    [kept] = evidence_of(transaction, milestone_return)
    assert kept.original_name == "invoice.pdf"


# --- what is refused, with nothing kept ------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "make", "message"),
    [
        ("empty.pdf", lambda: b"", "The selected file is empty"),
        ("setup.exe", windows_executable, ALLOWED_MESSAGE),
        ("invoice.pdf", windows_executable, ALLOWED_MESSAGE),
        ("scan.pdf", png_file, "scan.pdf is not a PDF file, although its name ends in .pdf"),
        ("photo.png", pdf_file, "photo.png is not a PNG file, although its name ends in .png"),
        ("notes", csv_file, ALLOWED_MESSAGE),
        (
            "spend.xlsx",
            xlsx_zip_bomb,
            "The selected file could not be opened safely: upload it again as a normal Word "
            "or Excel file",
        ),
        ("spend.xlsx", lambda: b"PK\x03\x04 not really a zip", ALLOWED_MESSAGE),
    ],
    ids=[
        "empty",
        "exe",
        "renamed-executable",
        "png-named-pdf",
        "pdf-named-png",
        "no-extension",
        "xlsx-zip-bomb",
        "broken-zip",
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(
    signed_in, transaction, uploads, filename, make, message
):
    milestone_return = lambeth_return(transaction)
    before = count_evidence(transaction)

    response = upload(signed_in(LAMBETH_GRANTEE), milestone_return, make(), filename)

    assert response.status_code == 200
    assert file_error(response) == f"Error: {message}"
    assert count_evidence(transaction) == before
    assert files_in(uploads) == []


def test_a_file_one_byte_over_the_limit_is_refused_and_nothing_is_kept(
    app, signed_in, transaction, uploads
):
    milestone_return = lambeth_return(transaction)
    content = pdf_of_size(app.config["UPLOAD_MAX_BYTES"] + 1)

    response = upload(signed_in(LAMBETH_GRANTEE), milestone_return, content, "big.pdf")

    assert response.status_code == 200
    assert file_error(response) == "Error: The selected file must be smaller than 10MB"
    assert evidence_of(transaction, milestone_return) == []
    assert files_in(uploads) == []


def test_uploading_with_no_file_chosen_asks_for_one(signed_in, transaction, uploads):
    milestone_return = lambeth_return(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)

    nothing = upload(grantee, milestone_return, None)
    unnamed = upload(grantee, milestone_return, b"", "")

    for response in (nothing, unnamed):
        assert response.status_code == 200
        assert file_error(response) == "Error: Select a file"
    assert evidence_of(transaction, milestone_return) == []
    assert files_in(uploads) == []


def test_a_body_far_over_the_limit_gets_the_file_too_big_page(app, signed_in, transaction, uploads):
    milestone_return = lambeth_return(transaction)
    content = b"%PDF-1.4\n" + b"x" * (2 * app.config["UPLOAD_MAX_BYTES"])

    response = upload(signed_in(LAMBETH_GRANTEE), milestone_return, content, "huge.pdf")

    assert response.status_code == 413
    page = text_of(response)
    assert "The file is too big" in page
    assert "Files must be smaller than 10MB" in page
    assert evidence_of(transaction, milestone_return) == []
    assert files_in(uploads) == []


def test_an_unwritable_upload_folder_gives_a_clear_error_and_loses_nothing_else(
    app, signed_in, transaction, uploads, tmp_path, monkeypatch
):
    milestone_return = lambeth_return(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    assert upload(grantee, milestone_return, pdf_file(), "first.pdf").status_code == 302
    [first] = evidence_of(transaction, milestone_return)
    # The folder becomes unusable: a plain file stands where its parent directory should be.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("in the way")
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(blocker / "uploads"))

    response = upload(grantee, milestone_return, csv_file(), "second.csv")

    assert response.status_code == 200
    assert file_error(response) == (
        "Error: The file could not be saved. Try again later; nothing else was lost."
    )
    transaction.expire_all()
    assert [f.original_name for f in evidence_of(transaction, milestone_return)] == ["first.pdf"]
    assert files_in(uploads) == [uploads / first.stored_name]
    assert blocker.read_text() == "in the way"
    assert transaction.get(MilestoneReturn, milestone_return.id).status == ReturnStatus.NOT_STARTED


def test_a_disk_that_fills_up_while_writing_leaves_no_partial_file(
    signed_in, transaction, uploads, monkeypatch
):
    import errno
    import os

    milestone_return = lambeth_return(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    page = grantee.get(f"/returns/{milestone_return.id}/evidence")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    url = f"/returns/{milestone_return.id}/evidence"
    response = grantee.post(
        url,
        {"file": (io.BytesIO(pdf_file()), "invoice.pdf"), "version": version_on(page)},
        content_type="multipart/form-data",
    )

    assert response.status_code == 200
    assert file_error(response) == (
        "Error: The file could not be saved. Try again later; nothing else was lost."
    )
    assert evidence_of(transaction, milestone_return) == []
    assert files_in(uploads) == []


# --- downloading -----------------------------------------------------------------------------


def test_download_is_an_attachment_with_the_original_name_and_recorded_type(
    signed_in, transaction, uploads
):
    milestone_return = lambeth_return(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    content = png_file()
    assert upload(grantee, milestone_return, content, "photo of the session.png").status_code == 302
    [kept] = evidence_of(transaction, milestone_return)

    response = grantee.get(f"/returns/{milestone_return.id}/evidence/{kept.id}")

    assert response.status_code == 200
    assert response.get_data() == content
    assert response.mimetype == "image/png"
    assert disposition(response) == ("attachment", "photo of the session.png")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_name_with_unusual_characters_is_offered_safely_on_download(
    signed_in, transaction, uploads
):
    milestone_return = lambeth_return(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    name = "Réunion\x07 report (final).pdf"
    assert upload(grantee, milestone_return, pdf_file(), name).status_code == 302
    [kept] = evidence_of(transaction, milestone_return)
    assert kept.original_name == "Réunion report (final).pdf"

    response = grantee.get(f"/returns/{milestone_return.id}/evidence/{kept.id}")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].isascii()
    assert disposition(response) == ("attachment", "Réunion report (final).pdf")


@pytest.mark.parametrize(
    ("email", "status"),
    [
        (LAMBETH_GRANTEE, 200),
        (LAMBETH_CERTIFIER, 200),
        (OFFICER, 200),
        (FINANCE, 200),
        (SOUTHAMPTON_GRANTEE, 404),
        (VIEWER, 403),
    ],
)
def test_only_the_owning_organisation_and_civil_servants_can_download(
    signed_in, transaction, uploads, email, status
):
    milestone_return = lambeth_return(transaction)
    content = csv_file()
    grantee = signed_in(LAMBETH_GRANTEE)
    assert upload(grantee, milestone_return, content, "spend.csv").status_code == 302
    [kept] = evidence_of(transaction, milestone_return)

    response = signed_in(email).get(f"/returns/{milestone_return.id}/evidence/{kept.id}")

    assert response.status_code == status
    if status == 200:
        assert response.get_data() == content
    else:
        assert content not in response.get_data()


def test_another_organisation_cannot_upload_to_or_remove_from_a_return(
    signed_in, transaction, uploads
):
    milestone_return = lambeth_return(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    assert upload(grantee, milestone_return, pdf_file(), "a.pdf").status_code == 302
    [kept] = evidence_of(transaction, milestone_return)
    other = signed_in(SOUTHAMPTON_GRANTEE)

    page = other.get(f"/returns/{milestone_return.id}/evidence")
    removal = other.post(
        f"/returns/{milestone_return.id}/evidence/{kept.id}/delete", form_page="/organisation"
    )

    assert (page.status_code, removal.status_code) == (404, 404)
    assert [f.id for f in evidence_of(transaction, milestone_return)] == [kept.id]
    assert files_in(uploads) == [uploads / kept.stored_name]


# --- removing, and the freeze on submission ---------------------------------------------------


def test_a_grantee_can_remove_a_file_from_a_return_they_are_drafting(
    signed_in, transaction, uploads
):
    milestone_return = lambeth_return(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    assert upload(grantee, milestone_return, pdf_file(), "wrong.pdf").status_code == 302
    [kept] = evidence_of(transaction, milestone_return)
    url = f"/returns/{milestone_return.id}/evidence"

    response = grantee.post(f"{url}/{kept.id}/delete", form_page=url)

    assert response.status_code == 302
    assert evidence_of(transaction, milestone_return) == []
    assert files_in(uploads) == []
    assert "wrong.pdf has been removed" in text_of(grantee.get(url))


def test_files_cannot_be_added_or_removed_once_the_return_is_submitted(
    signed_in, transaction, uploads
):
    milestone_return = lambeth_return(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    assert upload(grantee, milestone_return, pdf_file(), "kept.pdf").status_code == 302
    [kept] = evidence_of(transaction, milestone_return)
    url = f"/returns/{milestone_return.id}/evidence"
    version = version_on(grantee.get(url))
    submit_through_services(transaction, milestone_return)

    page = grantee.get(url, follow_redirects=True)
    added = grantee.post(
        url,
        {"file": (io.BytesIO(csv_file()), "late.csv"), "version": version},
        form_page=f"/returns/{milestone_return.id}",
        content_type="multipart/form-data",
    )
    removed = grantee.post(f"{url}/{kept.id}/delete", form_page=f"/returns/{milestone_return.id}")

    assert "This return is submitted: it can no longer be changed" in text_of(page)
    assert added.status_code == 302
    assert removed.status_code == 302
    assert "it can no longer be changed" in text_of(
        grantee.get(removed.location, follow_redirects=True)
    )
    transaction.expire_all()
    assert [f.original_name for f in evidence_of(transaction, milestone_return)] == ["kept.pdf"]
    assert files_in(uploads) == [uploads / kept.stored_name]
    # Still there for the department to read.
    download = signed_in(OFFICER).get(f"{url}/{kept.id}")
    assert download.status_code == 200
    assert download.get_data() == pdf_file()
