"""Evidence on disk follows the database, whatever fails in between (issue 14 item 4): a
removed file leaves the disk only after its row's removal commits; an upload whose row is never
committed leaves no file; and `flask evidence sweep` removes what a crash leaves (files no row
names, older than a day), never a listed file or a young one that may be an upload in flight."""

import os
import time

from tests.conftest import LAMBETH_GRANTEE
from tests.factories import actor
from tests.integration.test_evidence import (
    evidence_of,
    files_in,
    lambeth_return,
    pdf_file,
    upload,
)
from tracker.services import evidence as evidence_service

DAY = 24 * 3600


def test_a_removal_rolled_back_keeps_the_file_on_disk(signed_in, transaction, uploads):  # noqa: F811
    milestone_return = lambeth_return(transaction)
    assert (
        upload(signed_in(LAMBETH_GRANTEE), milestone_return, pdf_file(), "a.pdf").status_code == 302
    )
    [kept] = evidence_of(transaction, milestone_return)
    [on_disk] = files_in(uploads)

    # The removal's transaction fails after the row's DELETE (as a crash or a later error would).
    evidence_service.remove_file(
        actor(transaction, LAMBETH_GRANTEE), milestone_return, kept, uploads
    )
    transaction.flush()
    assert on_disk.exists(), "the file went before the removal committed"
    transaction.rollback()

    assert on_disk.exists()
    assert [e.stored_name for e in evidence_of(transaction, milestone_return)] == [on_disk.name]


def test_a_removal_committed_takes_the_file_off_the_disk(signed_in, transaction, uploads):  # noqa: F811
    milestone_return = lambeth_return(transaction)
    assert (
        upload(signed_in(LAMBETH_GRANTEE), milestone_return, pdf_file(), "a.pdf").status_code == 302
    )
    [kept] = evidence_of(transaction, milestone_return)
    [on_disk] = files_in(uploads)

    evidence_service.remove_file(
        actor(transaction, LAMBETH_GRANTEE), milestone_return, kept, uploads
    )
    assert on_disk.exists()
    transaction.commit()

    assert not on_disk.exists()
    assert evidence_of(transaction, milestone_return) == []


def test_an_upload_whose_row_is_rolled_back_leaves_no_file(transaction, uploads):  # noqa: F811
    milestone_return = lambeth_return(transaction)
    evidence_service.add_file(
        actor(transaction, LAMBETH_GRANTEE),
        milestone_return,
        filename="b.pdf",
        content=pdf_file(),
        folder=uploads,
        max_bytes=10 * 1024 * 1024,
    )
    assert len(files_in(uploads)) == 1
    transaction.rollback()

    assert files_in(uploads) == []
    assert evidence_of(transaction, milestone_return) == []


def test_the_sweep_removes_old_orphans_only(app, signed_in, transaction, uploads):  # noqa: F811
    milestone_return = lambeth_return(transaction)
    assert (
        upload(signed_in(LAMBETH_GRANTEE), milestone_return, pdf_file(), "a.pdf").status_code == 302
    )
    [listed] = files_in(uploads)
    old = time.time() - 2 * DAY
    os.utime(listed, (old, old))  # an old file that a row names stays
    orphan, half_written, young = (
        uploads / ("0" * 32),
        uploads / ("1" * 32 + ".part"),
        uploads / ("2" * 32),
    )
    for path in (orphan, half_written, young):
        path.write_bytes(b"left by a crash")
    for path in (orphan, half_written):
        os.utime(path, (old, old))

    result = app.test_cli_runner().invoke(args=["evidence", "sweep"])

    assert result.exit_code == 0, result.output
    assert "2 orphaned evidence files removed" in result.output
    assert sorted(p.name for p in files_in(uploads)) == sorted([listed.name, young.name])
