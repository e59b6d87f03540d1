"""Storage faults on evidence uploads (issue 6, part 5), made by the kernel rather than by a
patched function: the upload folder on a small tmpfs of the test's own that really fills up
(ENOSPC), or that is remounted read-only (EROFS, which stops root too).

Each time: the GOV.UK error message on the upload page, nothing recorded in the database for
that file, the return's other answers and the earlier evidence intact (its bytes and SHA-256),
no partial file left behind; and once the space or the folder is back, the same upload works."""

import hashlib

import pytest
from sqlalchemy import select

from tests.conftest import LAMBETH_GRANTEE
from tests.integration.test_evidence import (
    csv_file,
    evidence_of,
    file_error,
    files_in,
    lambeth_return,
    pdf_file,
    upload,
    user,
)
from tests.live.mounts import fill, remount, tmpfs
from tracker.models import AuditEvent, ReturnStatus, SpendCategory
from tracker.services import returns as return_service
from tracker.services.audit import Actor

COULD_NOT_SAVE = "Error: The file could not be saved. Try again later; nothing else was lost."


@pytest.fixture
def small_disk(tmp_path, app, monkeypatch):
    """A 256 KB filesystem holding the upload folder, for this test only."""
    with tmpfs(tmp_path / "disk", size="256k") as disk:
        monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(disk / "uploads"))
        yield disk


def answered_return(transaction):
    """Lambeth's return with answers already saved, and one evidence file already kept."""
    milestone_return = lambeth_return(transaction)
    grantee = Actor(user(transaction, LAMBETH_GRANTEE), "test")
    return_service.save_spend(grantee, milestone_return, {SpendCategory.STAFF: 1_234_00})
    return_service.save_narrative(
        grantee, milestone_return, narrative="Three schools started", risks="None"
    )
    transaction.flush()
    return milestone_return


def what_is_saved(transaction, milestone_return) -> dict:
    transaction.expire_all()
    return {
        "status": milestone_return.status,
        "version": milestone_return.version,
        "spend": sorted((s.category.value, s.amount_pence) for s in milestone_return.spend),
        "narrative": milestone_return.narrative,
        "evidence": [
            (f.original_name, f.sha256) for f in evidence_of(transaction, milestone_return)
        ],
        "audit": transaction.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "milestone_return",
                AuditEvent.object_id == milestone_return.id,
            )
        ).all(),
    }


def assert_first_file_intact(uploads, transaction, milestone_return, content: bytes) -> None:
    [kept] = evidence_of(transaction, milestone_return)
    assert files_in(uploads) == [uploads / kept.stored_name]  # no partial file beside it
    assert (uploads / kept.stored_name).read_bytes() == content
    assert hashlib.sha256(content).hexdigest() == kept.sha256


def test_a_full_disk_refuses_the_upload_clearly_and_loses_nothing(
    app, signed_in, transaction, small_disk, reliability
):
    uploads = small_disk / "uploads"
    milestone_return = answered_return(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    first = pdf_file()
    assert upload(grantee, milestone_return, first, "first.pdf").status_code == 302
    before = what_is_saved(transaction, milestone_return)
    filler = fill(small_disk)

    response = upload(grantee, milestone_return, pdf_file(padding=64 * 1024), "second.pdf")

    assert response.status_code == 200
    assert file_error(response) == COULD_NOT_SAVE
    assert what_is_saved(transaction, milestone_return) == before
    assert_first_file_intact(uploads, transaction, milestone_return, first)

    filler.unlink()  # room again: the same upload now works
    again = upload(grantee, milestone_return, pdf_file(padding=64 * 1024), "second.pdf")
    assert again.status_code == 302
    assert [f.original_name for f in evidence_of(transaction, milestone_return)] == [
        "first.pdf",
        "second.pdf",
    ]
    reliability.record("faults", "disk full (a real 256 KB tmpfs)", 1)
    reliability.record("faults", "rows lost", 0)


def test_a_read_only_upload_folder_refuses_the_upload_clearly_and_loses_nothing(
    app, signed_in, transaction, small_disk, reliability
):
    uploads = small_disk / "uploads"
    milestone_return = answered_return(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    first = pdf_file()
    assert upload(grantee, milestone_return, first, "first.pdf").status_code == 302
    before = what_is_saved(transaction, milestone_return)
    remount(small_disk, read_only=True)
    try:
        response = upload(grantee, milestone_return, csv_file(), "second.csv")
    finally:
        remount(small_disk, read_only=False)

    assert response.status_code == 200
    assert file_error(response) == COULD_NOT_SAVE
    assert what_is_saved(transaction, milestone_return) == before
    assert before["status"] == ReturnStatus.DRAFT
    assert_first_file_intact(uploads, transaction, milestone_return, first)
    assert upload(grantee, milestone_return, csv_file(), "second.csv").status_code == 302
    reliability.record("faults", "upload folder read-only (a real read-only mount)", 1)
    reliability.record("faults", "rows lost", 0)
