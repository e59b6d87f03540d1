"""Importing allocations from a CSV or Excel file: upload, check the preview, confirm."""

from math import ceil
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from tracker.domain.roles import Role
from tracker.imports.forms import ConfirmForm, UploadForm
from tracker.infrastructure import import_files, import_template
from tracker.services import imports as import_service
from tracker.services.errors import RuleBroken
from tracker.web.access import current_actor, requires_role
from tracker.web.pages import page_number, show_rule_broken
from tracker.web.transactions import commits

bp = Blueprint("imports", __name__)

# The session (signed by Flask) maps each pending import's id to the SHA-256 of its kept copy.
SESSION_KEY = "allocation_imports"
KEEP_IN_SESSION = 3
ROWS_PER_PAGE = 500
EXPIRED = "That file is no longer waiting to be imported: upload it again"


def counted(number: int, noun: str) -> str:
    """ "1 row", "2 rows", "1,000 rows"."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _folder() -> Path:
    return Path(current_app.config["IMPORT_FOLDER"])


def _remember(import_id: int, sha256: str) -> None:
    kept = dict(session.get(SESSION_KEY, {}))
    kept[str(import_id)] = sha256
    session[SESSION_KEY] = dict(list(kept.items())[-KEEP_IN_SESSION:])


def _forget(import_id: int) -> None:
    kept = dict(session.get(SESSION_KEY, {}))
    kept.pop(str(import_id), None)
    session[SESSION_KEY] = kept


def _pending(import_id: int):
    """The import this officer uploaded in this session, exactly as it was kept, or None."""
    sha256 = session.get(SESSION_KEY, {}).get(str(import_id))
    if not sha256:
        return None
    pending = import_files.load(_folder(), import_id, sha256)
    if pending is None or pending.uploaded_by_id != current_user.id:
        return None
    return pending


def _max_bytes() -> int:
    return current_app.config["UPLOAD_MAX_BYTES"]


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/allocations/import/template.csv")
@requires_role(Role.OFFICER)
def template_csv():
    return _download(import_template.as_csv(), "text/csv", "allocations-import-template.csv")


@bp.get("/allocations/import/template.xlsx")
@requires_role(Role.OFFICER)
def template_xlsx():
    return _download(
        import_template.as_xlsx(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "allocations-import-template.xlsx",
    )


@bp.route("/allocations/import", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def upload():
    form = UploadForm()
    form.file.description = (
        f"A CSV or Excel (.xlsx) file, smaller than {_max_bytes() // (1024 * 1024)}MB"
    )
    if form.validate_on_submit():
        upload = form.file.data
        try:
            pending = import_service.read_upload(
                current_actor(),
                getattr(upload, "filename", "") or "",
                upload.read(_max_bytes() + 1) if upload else b"",
                _max_bytes(),
            )
            import_id, sha256 = import_files.keep(_folder(), pending)
        except RuleBroken as error:
            show_rule_broken(form, error)
        except OSError:
            current_app.logger.exception("Could not keep an uploaded import")
            show_rule_broken(
                form, RuleBroken("The file could not be kept for checking. Try again later.")
            )
        else:
            _remember(import_id, sha256)
            return redirect(url_for("imports.preview", import_id=import_id))
    return render_template("imports/upload.html", form=form, title="Import allocations")


def _show_preview(import_id: int, checked, form, *, refused: str = ""):
    """The rows with errors (or, asked for, every row), a page of ROWS_PER_PAGE at a time."""
    errors_only = checked.counts[import_service.ERROR] > 0 and request.args.get("show") != "all"
    rows = [r for r in checked.rows if r.outcome == import_service.ERROR or not errors_only]
    pages = max(1, ceil(len(rows) / ROWS_PER_PAGE))
    number = min(page_number(), pages)
    return render_template(
        "imports/preview.html",
        form=form,
        title="Check the allocations to import",
        import_id=import_id,
        preview=checked,
        rows=rows[(number - 1) * ROWS_PER_PAGE : number * ROWS_PER_PAGE],
        errors_only=errors_only,
        page=number,
        pages=pages,
        refused=refused,
    )


@bp.get("/allocations/import/<int:import_id>")
@requires_role(Role.OFFICER)
def preview(import_id: int):
    pending = _pending(import_id)
    if pending is None:
        flash(EXPIRED, "info")
        return redirect(url_for("imports.upload"))
    return _show_preview(import_id, import_service.check(pending), ConfirmForm())


@bp.post("/allocations/import/<int:import_id>/confirm")
@requires_role(Role.OFFICER)
@commits
def confirm(import_id: int):
    pending = _pending(import_id)
    form = ConfirmForm()
    if pending is None or not form.validate_on_submit():
        flash(EXPIRED, "info")
        return redirect(url_for("imports.upload"))
    folder = _folder()
    if not import_files.claim(folder, import_id):
        flash(
            "This file is already being imported: check the allocations before you try again",
            "info",
        )
        return redirect(url_for("allocations.list_allocations"))
    try:
        result = import_service.import_allocations(current_actor(), pending)
    except import_service.ImportRefused as refused:
        import_files.release(folder, import_id)
        return _show_preview(import_id, refused.preview, form, refused=refused.message)
    except BaseException:
        import_files.release(folder, import_id)
        raise
    import_files.discard(folder, import_id)
    _forget(import_id)
    unchanged = f" ({result.unchanged:,} had no changes)" if result.unchanged else ""
    flash(
        f"{counted(len(pending.rows), 'row')} imported from {pending.filename}: "
        f"{counted(result.created, 'allocation')} created and {result.updated:,} updated"
        f"{unchanged}"
    )
    return redirect(url_for("allocations.list_allocations"))
