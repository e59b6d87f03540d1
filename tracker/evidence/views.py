from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.data import returns as return_data
from tracker.evidence.forms import UploadForm
from tracker.services import evidence as evidence_service
from tracker.services import returns as return_service
from tracker.services.errors import RuleBroken
from tracker.web.access import CIVIL_SERVANTS, GRANTEES, current_actor, requires_role
from tracker.web.forms import DoneForm
from tracker.web.pages import found, show_rule_broken
from tracker.web.stored_files import send_stored
from tracker.web.transactions import commits

bp = Blueprint("evidence", __name__, url_prefix="/returns/<int:return_id>/evidence")


def _folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def _file_of(milestone_return, file_id: int):
    return found(next((f for f in milestone_return.evidence if f.id == file_id), None))


@bp.route("", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def manage(return_id: int):
    milestone_return = found(return_data.return_for_user(return_id, current_user))
    if milestone_return.status not in return_service.EDITABLE:
        flash(
            f"This return is {milestone_return.status.value}: it can no longer be changed", "info"
        )
        return redirect(url_for("returns.view_return", return_id=return_id))
    form = UploadForm()
    # The app-wide CSRFProtect checks every POST; these small forms add only the version.
    done = DoneForm(prefix="done", meta={"csrf": False})
    if not form.is_submitted():
        form.version.data = done.version.data = str(milestone_return.version)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            content = upload.read() if upload else b""
            kept = evidence_service.add_file(
                current_actor(),
                milestone_return,
                filename=getattr(upload, "filename", "") or "",
                content=content,
                folder=_folder(),
                max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
                expected_version=form.expected_version(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            # The name kept (no path, at most 200 characters), not the one sent: a flash
            # lives in the session cookie, which a 5,000-character name would overflow.
            flash(f"{kept.original_name} has been uploaded")
            return redirect(url_for("evidence.manage", return_id=return_id))
    return render_template("evidence/manage.html", form=form, done=done, ret=milestone_return)


@bp.post("/done")
@requires_role(*GRANTEES)
@commits
def mark_done(return_id: int):
    milestone_return = found(return_data.return_for_user(return_id, current_user))
    done = DoneForm(prefix="done", meta={"csrf": False})
    if done.validate_on_submit():
        try:
            return_service.mark_evidence_done(
                current_actor(), milestone_return, expected_version=done.expected_version()
            )
        except RuleBroken as error:
            flash(error.message, "info")
            return redirect(url_for("evidence.manage", return_id=return_id))
        flash("Evidence section marked as done")
        return redirect(url_for("returns.view_return", return_id=return_id))
    flash("Your form has expired: try again", "info")
    return redirect(url_for("evidence.manage", return_id=return_id))


@bp.post("/<int:file_id>/delete")
@requires_role(*GRANTEES)
@commits
def remove(return_id: int, file_id: int):
    milestone_return = found(return_data.return_for_user(return_id, current_user))
    evidence = _file_of(milestone_return, file_id)
    try:
        evidence_service.remove_file(current_actor(), milestone_return, evidence, _folder())
    except RuleBroken as error:
        flash(error.message, "info")
    else:
        flash(f"{evidence.original_name} has been removed")
    return redirect(url_for("evidence.manage", return_id=return_id))


@bp.get("/<int:file_id>")
@requires_role(*CIVIL_SERVANTS, *GRANTEES)
def download(return_id: int, file_id: int):
    milestone_return = found(return_data.return_for_user(return_id, current_user))
    return send_stored(_file_of(milestone_return, file_id))
