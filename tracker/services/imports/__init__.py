"""Importing allocations from a file: every row checked against the same rules as the form, a
preview of what each row will do, and a confirm that writes all of the rows or none of them.

The confirm checks everything again inside the transaction that holds the locks of every stream
the file names, so the preview may be out of date but the write never is: a stream whose budget
was used up since the preview refuses the whole file.

`rows` reads each row on its own, `checks` checks the file against the database (the preview),
`confirm` writes it; this module is their public face."""

from tracker.services.imports.checks import Preview, check, read_upload
from tracker.services.imports.confirm import ImportRefused, ImportResult, import_allocations
from tracker.services.imports.rows import ERROR, OPTIONAL, REQUIRED, UNCHANGED

__all__ = [
    "ERROR",
    "OPTIONAL",
    "REQUIRED",
    "UNCHANGED",
    "ImportRefused",
    "ImportResult",
    "Preview",
    "check",
    "import_allocations",
    "read_upload",
]
