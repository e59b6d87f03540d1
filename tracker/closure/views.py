"""Closing a grant: the grantee's final return, the officer's review that closes the grant, and
finance's recoveries of money paid but not spent on eligible costs."""

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tracker.closure.forms import (
    ClosureForm,
    ReceiptForm,
    WriteOffDecisionForm,
    WriteOffForm,
    final_return_form,
)
from tracker.data import allocations as allocation_data
from tracker.data import closure as closure_data
from tracker.domain.roles import Role
from tracker.domain.statuses import FinalReturnStatus, RecoveryStatus
from tracker.infrastructure import clock
from tracker.services import closure as closure_service
from tracker.services import recoveries as recovery_service
from tracker.services.errors import RuleBroken
from tracker.web.access import CIVIL_SERVANTS, GRANTEES, current_actor, requires_role
from tracker.web.pages import found, id_or_none, page_number, show_rule_broken
from tracker.web.stored_files import send_stored
from tracker.web.transactions import commits

bp = Blueprint("closure", __name__)
STAFF = (Role.OFFICER, Role.FINANCE)


@bp.route("/organisation/allocations/<int:allocation_id>/final-return", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def final_return(allocation_id: int):
    """The grantee's final return, once the grant is past its planned end; read-only once
    submitted, until the officer sends it back."""
    chosen = found(allocation_data.allocation_for_user(allocation_id, current_user))
    final = closure_data.final_return_of(chosen.id)
    targets = closure_data.targets_of(chosen.id)
    due = closure_service.final_return_due(chosen, clock.today())
    editable = due and (final is None or final.status == FinalReturnStatus.CHANGES_REQUESTED)
    form = final_return_form(targets)()
    if not form.is_submitted() and final is not None:
        form.eligible_spend.data = final.eligible_spend_pence
        form.lessons.data, form.evidence.data = final.lessons, final.evidence
        for target in targets:
            value = (final.delivered or {}).get(str(target.id))
            getattr(form, f"target_{target.id}").data = "" if value is None else str(value)
    if request.method == "POST":
        if not editable:
            flash("This final return cannot be changed now", "info")
            return redirect(url_for("closure.final_return", allocation_id=chosen.id))
        if form.validate_on_submit():
            try:
                closure_service.submit_final_return(
                    current_actor(),
                    chosen,
                    delivered=form.delivered(),
                    eligible_spend_pence=form.eligible_spend.data,
                    lessons=form.lessons.data,
                    evidence=form.evidence.data,
                    today=clock.today(),
                    attachment=form.attachment(),
                    folder=Path(current_app.config["UPLOAD_FOLDER"]),
                    max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
                )
            except RuleBroken as error:
                show_rule_broken(form, error)
            else:
                flash("Your final return has been submitted for review")
                return redirect(url_for("grantee.allocation", allocation_id=chosen.id))
        # A browser never keeps a chosen file when a refused form comes back: say so.
        chose_one = bool(getattr(form.file.data, "filename", ""))
        if chose_one and "file" not in form.errors:
            form.file.description = (
                "Choose the file again: it was not kept, as other answers need changing. "
                + form.file.description
            )
    return render_template(
        "closure/final_return.html",
        allocation=chosen,
        final=final,
        targets=targets,
        form=form,
        editable=editable,
        due=due,
    )


@bp.get("/allocations/<int:allocation_id>/final-return-files/<int:final_file_id>")
@requires_role(*CIVIL_SERVANTS, *GRANTEES)
def final_return_file(allocation_id: int, final_file_id: int):
    """A file sent with the grant's final return, to the grant's own people and the
    department's staff."""
    chosen = found(allocation_data.allocation_for_user(allocation_id, current_user))
    final = found(closure_data.final_return_of(chosen.id))
    return send_stored(found(next((f for f in final.files if f.id == final_file_id), None)))


@bp.route("/allocations/<int:allocation_id>/closure", methods=["GET", "POST"])
@requires_role(*STAFF)
@commits
def review(allocation_id: int):
    """The grant's final return beside what was paid; the officer closes the grant (raising a
    recovery of what was paid but not spent on eligible costs) or sends the return back."""
    chosen = found(allocation_data.allocation_for_user(allocation_id, current_user))
    final = closure_data.final_return_of(chosen.id)
    paid = closure_data.paid_on(chosen.id)
    form = ClosureForm()
    if not form.is_submitted() and final is not None:
        form.version.data = str(final.version)
    if request.method == "POST":
        if current_user.role != Role.OFFICER:
            abort(403)
        if form.validate_on_submit():
            try:
                if form.decision.data == "close":
                    recovery = closure_service.close(
                        current_actor(),
                        final,
                        due_on=form.due_on.data,
                        reason=form.reason.data or "",
                        today=clock.today(),
                        expected_version=form.expected_version(),
                    )
                    message = "The grant has been closed" + (
                        ": a recovery has been raised for finance" if recovery else ""
                    )
                else:
                    closure_service.send_back(
                        current_actor(),
                        final,
                        form.reasons.data or "",
                        expected_version=form.expected_version(),
                    )
                    message = "The final return has been sent back to the grantee"
            except RuleBroken as error:
                show_rule_broken(form, error)
            else:
                flash(message)
                return redirect(url_for("allocations.view_allocation", allocation_id=chosen.id))
    return render_template(
        "closure/review.html",
        allocation=chosen,
        final=final,
        targets=closure_data.targets_of(chosen.id),
        paid=paid,
        recovery=closure_data.recovery_of(chosen.id),
        form=form,
        may_decide=current_user.role == Role.OFFICER
        and final is not None
        and final.status == FinalReturnStatus.SUBMITTED,
    )


@bp.get("/recoveries")
@requires_role(*STAFF)
def recoveries():
    settled = request.args.get("settled") == "yes"
    return render_template(
        "closure/recoveries.html",
        page=closure_data.recoveries_page(page_number(), settled=settled),
        settled=settled,
        today=clock.today(),
    )


def _recovery(recovery_id: int):
    return found(closure_data.recovery_by_id(recovery_id))


@bp.get("/recoveries/<int:recovery_id>")
@requires_role(*STAFF)
def recovery(recovery_id: int):
    chosen = _recovery(recovery_id)
    return render_template(
        "closure/recovery.html",
        recovery=chosen,
        today=clock.today(),
        may_decide=current_user.role == Role.FINANCE
        and chosen.status == RecoveryStatus.WRITE_OFF_REQUESTED
        and chosen.write_off_requested_by_id != current_user.id,
    )


def _recovery_form(recovery_id: int, form_class, template: str, act, done):
    """A finance form about one recovery: the version it was read at kept in the form, the
    service's refusal shown beside its field, and on success back to the recovery, saying
    `done(form)`. `act(recovery, form, expected_version)` calls the service."""
    chosen = _recovery(recovery_id)
    form = form_class()
    if not form.is_submitted():
        form.version.data = str(chosen.version)
    if form.validate_on_submit():
        try:
            act(chosen, form, id_or_none(form.version.data))
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(done(form))
            return redirect(url_for("closure.recovery", recovery_id=chosen.id))
    return render_template(template, form=form, recovery=chosen)


@bp.route("/recoveries/<int:recovery_id>/receipts", methods=["GET", "POST"])
@requires_role(Role.FINANCE)
@commits
def receipt(recovery_id: int):
    return _recovery_form(
        recovery_id,
        ReceiptForm,
        "closure/receipt.html",
        lambda chosen, form, version: recovery_service.record_receipt(
            current_actor(),
            chosen,
            amount_pence=form.amount.data,
            received_on=form.received_on.data,
            reference=form.reference.data or "",
            expected_version=version,
        ),
        lambda form: "The money received has been recorded",
    )


@bp.route("/recoveries/<int:recovery_id>/write-off", methods=["GET", "POST"])
@requires_role(Role.FINANCE)
@commits
def write_off(recovery_id: int):
    return _recovery_form(
        recovery_id,
        WriteOffForm,
        "closure/write_off.html",
        lambda chosen, form, version: recovery_service.request_write_off(
            current_actor(), chosen, form.reason.data, expected_version=version
        ),
        lambda form: "The write-off is waiting for a second finance officer",
    )


@bp.route("/recoveries/<int:recovery_id>/write-off/decision", methods=["GET", "POST"])
@requires_role(Role.FINANCE)
@commits
def write_off_decision(recovery_id: int):
    return _recovery_form(
        recovery_id,
        WriteOffDecisionForm,
        "closure/write_off_decision.html",
        lambda chosen, form, version: recovery_service.decide_write_off(
            current_actor(),
            chosen,
            approve=form.decision.data == "approve",
            expected_version=version,
        ),
        lambda form: "The write-off has been approved"
        if form.decision.data == "approve"
        else "The write-off has been refused: the money is still owed",
    )
