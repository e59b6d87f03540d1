"""What an uploaded evidence file really is, judged from its content, not its name.

Allowed: PDF, DOCX, XLSX, CSV, PNG and JPEG. A file whose name says one type and whose content
is another is refused, as is an Office file whose zip would expand to far more than it holds
(a zip bomb)."""

import io
import zipfile
from dataclasses import dataclass

ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
NAMES = "PDF, DOCX, XLSX, CSV, PNG or JPEG"
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100


class EvidenceError(ValueError):
    """The message is written for the user."""


@dataclass(frozen=True)
class Checked:
    extension: str
    content_type: str


def _sniff_office(content: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    expanded = sum(entry.file_size for entry in entries)
    if expanded > MAX_EXPANDED_BYTES or expanded > MAX_COMPRESSION_RATIO * max(len(content), 1):
        raise EvidenceError(
            "The selected file could not be opened safely: upload it again as a "
            "normal Word or Excel file"
        )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("word/") for name in names):
        return "docx"
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    return None


def _is_csv(content: bytes) -> bool:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text)


def sniff(content: bytes) -> str | None:
    """The type the content is, by its first bytes (or its zip entries), or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"PK\x03\x04"):
        return _sniff_office(content)
    if _is_csv(content):
        return "csv"
    return None


def shown(filename: str) -> str:
    """A file's name as an error message may quote it: no folders, no control characters."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned if len(cleaned) <= 80 else cleaned[:79] + "…"


def misnamed(filename: str, extension: str, kind: str) -> str:
    """The refusal of a file whose contents are not what its name says, naming it."""
    article = "an" if kind[:1] in set("AEFHILMNORSX") else "a"
    return f"{shown(filename)} is not {article} {kind} file, although its name ends in .{extension}"


def check(filename: str, content: bytes, max_bytes: int) -> Checked:
    """Raises EvidenceError with a GOV.UK-style message unless the file may be kept."""
    name = (filename or "").strip()
    if not name:
        raise EvidenceError("Select a file")
    if not content:
        raise EvidenceError("The selected file is empty")
    if len(content) > max_bytes:
        raise EvidenceError(
            f"The selected file must be smaller than {max_bytes // (1024 * 1024)}MB"
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise EvidenceError(f"The selected file must be a {NAMES}")
    actual = sniff(content)
    if actual is None:
        raise EvidenceError(f"The selected file must be a {NAMES}")
    same = {actual} | ({"jpg", "jpeg"} if actual == "jpeg" else set())
    if extension not in same:
        raise EvidenceError(misnamed(name, extension, extension.upper()))
    return Checked(extension, ALLOWED[extension])
