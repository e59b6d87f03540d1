"""Evidence files: checked from their content, stored outside the web root under a random name,
with their SHA-256 recorded. Only the owning organisation and civil servants can read them."""

import contextlib
import hashlib
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tracker.data.store import delete, save
from tracker.extensions import db
from tracker.infrastructure.evidence_files import EvidenceError, check
from tracker.models import EvidenceFile, MilestoneReturn
from tracker.services import audit
from tracker.services import returns as return_rules
from tracker.services.errors import RuleBroken

FIELDS = ["original_name", "content_type", "size_bytes", "sha256"]
MAX_NAME = 200


def _safe_name(filename: str) -> str:
    """The name to show and to offer on download: no folders, no control characters."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(cleaned) > MAX_NAME:
        # Cut the name, not its type: a download must still open as what it is.
        stem, dot, extension = cleaned.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            return stem[: MAX_NAME - len(extension) - 1].rstrip() + "." + extension
        return cleaned[:MAX_NAME]
    return cleaned or "evidence"


@dataclass(frozen=True)
class Stored:
    """A file checked and written to the upload folder, for a row to name."""

    original_name: str
    stored_name: str
    content_type: str
    size_bytes: int
    sha256: str


def store(filename: str, content: bytes, *, folder: Path, max_bytes: int) -> Stored:
    """Checks a file from its content and writes it under a random name, removed again if the
    transaction rolls back. Refused (on the "file" field) if it is not what it says it is or
    the folder cannot take it (not writable, disk full): nothing is kept then."""
    try:
        checked = check(filename, content, max_bytes)
    except EvidenceError as error:
        raise RuleBroken(str(error), "file") from error
    stored_name = secrets.token_hex(16)
    path = Path(folder) / stored_name
    temporary = path.with_suffix(".part")
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        with open(temporary, "xb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.rename(path)
    except OSError as error:
        # A disk that filled up mid-write must not keep the part it managed to write.
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise RuleBroken(
            "The file could not be saved. Try again later; nothing else was lost.", "file"
        ) from error
    _on_rollback_remove(path)
    return Stored(
        original_name=_safe_name(filename),
        stored_name=stored_name,
        content_type=checked.content_type,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def add_file(
    actor: audit.Actor,
    milestone_return: MilestoneReturn,
    *,
    filename: str,
    content: bytes,
    folder: Path,
    max_bytes: int,
    expected_version: int | None = None,
) -> EvidenceFile:
    """Keeps a file only if the return can still be changed and the file is what it says it
    is; nothing is stored otherwise."""
    return_rules.check_can_edit(actor, milestone_return, expected_version)
    stored = store(filename, content, folder=folder, max_bytes=max_bytes)
    evidence = EvidenceFile(
        return_id=milestone_return.id, uploaded_by_id=actor.user_id, **asdict(stored)
    )
    save(evidence)
    audit.record(actor, "evidence added", milestone_return, after=audit.snapshot(evidence, FIELDS))
    return evidence


def remove_file(
    actor: audit.Actor, milestone_return: MilestoneReturn, evidence: EvidenceFile, folder: Path
) -> None:
    """The grantee removes an evidence file from a return they can still edit; audited."""
    return_rules.check_can_edit(actor, milestone_return, None)
    """The row goes in the transaction; the file only once it has committed, so a crash or a
    rollback between the two leaves the file listed and downloadable, never a listed file that
    is not found (a crash after the commit leaves an orphan for `flask evidence sweep`)."""
    before = audit.snapshot(evidence, FIELDS)
    delete(evidence)
    _on_commit_remove(Path(folder) / evidence.stored_name)
    audit.record(actor, "evidence removed", milestone_return, before=before)


# Files to remove from disk once the session's transaction ends: on commit (a removed file), or
# on rollback (an upload whose row was never kept). A crash in between leaves at worst an
# orphan file (never a row without its file), which the sweep removes.
_AFTER_COMMIT, _AFTER_ROLLBACK = "evidence_remove_after_commit", "evidence_remove_after_rollback"


def _on_commit_remove(path: Path) -> None:
    db.session().info.setdefault(_AFTER_COMMIT, []).append(path)


def _on_rollback_remove(path: Path) -> None:
    db.session().info.setdefault(_AFTER_ROLLBACK, []).append(path)


def _unlink_all(paths) -> None:
    for path in paths or ():
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    if session.in_nested_transaction():  # a SAVEPOINT released (data/store.save): not yet
        return
    session.info.pop(_AFTER_ROLLBACK, None)
    _unlink_all(session.info.pop(_AFTER_COMMIT, None))


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is not None:  # a nested transaction: the outer one decides
        return
    session.info.pop(_AFTER_COMMIT, None)
    _unlink_all(session.info.pop(_AFTER_ROLLBACK, None))


def sweep(folder: Path, *, older_than_seconds: int = 24 * 3600) -> list[str]:
    """Removes the files in the evidence folder that no row names (a return's evidence file or
    a final return's file), and half-written .part files, once they are older than a day: what
    a crash between writing a file and
    committing its row (or between committing a removal and deleting the file) leaves. A
    younger file may belong to an upload still in flight, so it is left. Gives the names."""
    from tracker.models import EvidenceFile, FinalReturnFile

    folder = Path(folder)
    if not folder.is_dir():
        return []
    kept = set(db.session.scalars(select(EvidenceFile.stored_name)))
    kept |= set(db.session.scalars(select(FinalReturnFile.stored_name)))
    cutoff = time.time() - older_than_seconds
    removed = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name in kept:
            continue
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path.name)
    return removed


def path_of(evidence, folder: Path) -> Path:
    """Where an evidence file is kept on disk, under the upload folder."""
    return Path(folder) / evidence.stored_name
