from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.data import audit as audit_data
from tracker.data import returns as return_data
from tracker.data import streams as stream_data
from tracker.domain.periods import Quarter
from tracker.domain.roles import Role
from tracker.domain.statuses import Rag, ReturnStatus, SpendCategory
from tracker.returns import forms
from tracker.services import returns as return_service
from tracker.services import schedule
from tracker.services.errors import RuleBroken
from tracker.services.schedule import reporting_periods
from tracker.services.variance import compare
from tracker.web.access import CIVIL_SERVANTS, GRANTEES, current_actor, requires_role
from tracker.web.pages import found, id_or_none, page_number, show_rule_broken
from tracker.web.transactions import commits

bp = Blueprint("returns", __name__, url_prefix="/returns")
READERS = (*CIVIL_SERVANTS, *GRANTEES)


def _load(return_id: int):
    return found(return_data.return_for_user(return_id, current_user))


def _editable_or_redirect(milestone_return):
    if milestone_return.status not in return_service.EDITABLE:
        flash(
            f"This return is {milestone_return.status.value}: it can no longer be changed", "info"
        )
        return redirect(url_for("returns.view_return", return_id=milestone_return.id))
    return None


def _to_task_list(milestone_return, message: str, category: str = "message"):
    flash(message, category)
    return redirect(url_for("returns.view_return", return_id=milestone_return.id))


def _section_page(template: str, form, milestone_return, **context):
    if not form.is_submitted():
        form.version.data = str(milestone_return.version)
    return render_template(f"returns/{template}", form=form, ret=milestone_return, **context)


@bp.get("")
@requires_role(Role.OFFICER, Role.FINANCE)
def queue():
    filters = forms.QueueFilterForm(request.args)
    filters.stream.choices = [("", "All streams")] + [
        (str(s.id), s.name) for s in stream_data.all_streams()
    ]
    stream_id = id_or_none(filters.stream.data)
    status = filters.status.data or ""
    statuses = None
    overdue_on = None
    if status == "overdue":
        overdue_on = date.today()
    elif status in {s.value for s in ReturnStatus}:
        statuses = [ReturnStatus(status)]
    else:
        statuses = [ReturnStatus.SUBMITTED] if "status" not in request.args else None
        if statuses:
            filters.status.data = ReturnStatus.SUBMITTED.value
    rag = filters.rag.data if filters.rag.data in {r.value for r in Rag} else None
    page = return_data.returns_page(
        current_user,
        page_number(),
        stream_id=stream_id,
        statuses=statuses,
        overdue_on=overdue_on,
        rag=rag,
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    return render_template("returns/queue.html", page=page, filters=filters, today=date.today())


@bp.get("/<int:return_id>")
@requires_role(*READERS)
def view_return(return_id: int):
    milestone_return = _load(return_id)
    grantee = current_user.role.is_grantee
    return render_template(
        "returns/view.html",
        ret=milestone_return,
        grantee=grantee,
        editable=grantee and milestone_return.status in return_service.EDITABLE,
        sections=return_service.SECTIONS,
        section_names=return_service.SECTION_NAMES,
        done=set(milestone_return.completed_sections or []),
        milestones=return_data.milestones_due(milestone_return),
        events=audit_data.history("milestone_return", milestone_return.id) if not grantee else None,
        today=date.today(),
    )


@bp.route("/<int:return_id>/spend", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def spend(return_id: int):
    milestone_return = _load(return_id)
    if (stop := _editable_or_redirect(milestone_return)) is not None:
        return stop
    form = forms.SpendForm()
    if not form.is_submitted():
        for line in milestone_return.spend:
            getattr(form, line.category.value).data = line.amount_pence
        form.overspend_explanation.data = milestone_return.overspend_explanation
    if form.validate_on_submit():
        try:
            return_service.save_spend(
                current_actor(),
                milestone_return,
                form.amounts(),
                explanation=form.overspend_explanation.data or "",
                expected_version=form.expected_version(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _to_task_list(milestone_return, "Spend saved")
    return _section_page(
        "spend.html", form, milestone_return, categories=[c.value for c in SpendCategory]
    )


def _later_periods(milestone_return):
    allocation = milestone_return.project.allocation
    periods = reporting_periods(
        allocation.stream.reporting_frequency, allocation.planned_start, allocation.planned_end
    )
    later = [(start, end) for start, end in periods if start > milestone_return.period_end]
    return [
        (
            start,
            Quarter.containing(start).label
            if allocation.stream.reporting_frequency.value == "quarterly"
            else f"{start:%B %Y}",
        )
        for start, _ in later
    ]


@bp.route("/<int:return_id>/forecast", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def forecast(return_id: int):
    milestone_return = _load(return_id)
    if (stop := _editable_or_redirect(milestone_return)) is not None:
        return stop
    periods = _later_periods(milestone_return)
    form = forms.forecast_form_class(periods)()
    if not form.is_submitted():
        for row in milestone_return.forecasts:
            field = getattr(form, f"period_{row.period_start:%Y_%m_%d}", None)
            if field is not None:
                field.data = row.amount_pence
    if form.validate_on_submit():
        try:
            return_service.save_forecast(
                current_actor(),
                milestone_return,
                form.amounts(),
                expected_version=form.expected_version(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _to_task_list(milestone_return, "Forecast saved")
    return _section_page("forecast.html", form, milestone_return, periods=periods)


@bp.route("/<int:return_id>/outputs", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def outputs(return_id: int):
    milestone_return = _load(return_id)
    if (stop := _editable_or_redirect(milestone_return)) is not None:
        return stop
    indicators = milestone_return.project.allocation.stream.indicators
    form = forms.outputs_form_class(indicators)()
    if not form.is_submitted():
        for row in milestone_return.indicator_values:
            field = getattr(form, f"indicator_{row.indicator_id}", None)
            if field is not None:
                field.data = str(row.value)
    if form.validate_on_submit():
        try:
            return_service.save_outputs(
                current_actor(),
                milestone_return,
                form.values(),
                expected_version=form.expected_version(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _to_task_list(milestone_return, "Outputs saved")
    return _section_page("outputs.html", form, milestone_return)


@bp.route("/<int:return_id>/milestones", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def milestones(return_id: int):
    milestone_return = _load(return_id)
    if (stop := _editable_or_redirect(milestone_return)) is not None:
        return stop
    due = return_data.milestones_due(milestone_return)
    form = forms.milestones_form_class(due)()
    if not form.is_submitted():
        for row in milestone_return.milestone_progress:
            if hasattr(form, f"completed_{row.milestone_id}"):
                getattr(form, f"completed_{row.milestone_id}").data = (
                    "yes" if row.completed else "no"
                )
                getattr(form, f"note_{row.milestone_id}").data = row.note
    if form.validate_on_submit():
        try:
            return_service.save_milestones(
                current_actor(),
                milestone_return,
                form.progress(),
                expected_version=form.expected_version(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _to_task_list(milestone_return, "Milestones saved")
    return _section_page("milestones.html", form, milestone_return, milestones=due)


@bp.route("/<int:return_id>/narrative", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def narrative(return_id: int):
    milestone_return = _load(return_id)
    if (stop := _editable_or_redirect(milestone_return)) is not None:
        return stop
    form = forms.NarrativeForm()
    if not form.is_submitted():
        form.narrative.data, form.risks.data = milestone_return.narrative, milestone_return.risks
    if form.validate_on_submit():
        try:
            return_service.save_narrative(
                current_actor(),
                milestone_return,
                narrative=form.narrative.data,
                risks=form.risks.data or "",
                expected_version=form.expected_version(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _to_task_list(milestone_return, "Progress and risks saved")
    return _section_page("narrative.html", form, milestone_return)


@bp.route("/<int:return_id>/rag", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def rag(return_id: int):
    milestone_return = _load(return_id)
    if (stop := _editable_or_redirect(milestone_return)) is not None:
        return stop
    form = forms.RagForm()
    if not form.is_submitted() and milestone_return.self_rag:
        form.rag.data = milestone_return.self_rag.value
    if form.validate_on_submit():
        try:
            return_service.save_rag(
                current_actor(),
                milestone_return,
                Rag(form.rag.data),
                expected_version=form.expected_version(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _to_task_list(milestone_return, "Overall status saved")
    return _section_page("rag.html", form, milestone_return)


@bp.route("/<int:return_id>/response", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def response(return_id: int):
    milestone_return = _load(return_id)
    if (stop := _editable_or_redirect(milestone_return)) is not None:
        return stop
    form = forms.ResponseForm()
    if not form.is_submitted():
        form.response.data = milestone_return.grantee_response
    if form.validate_on_submit():
        try:
            return_service.save_response(
                current_actor(),
                milestone_return,
                form.response.data,
                expected_version=form.expected_version(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _to_task_list(milestone_return, "Your answer has been saved")
    return _section_page("response.html", form, milestone_return)


@bp.route("/<int:return_id>/check-answers", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def check_answers(return_id: int):
    milestone_return = _load(return_id)
    if (stop := _editable_or_redirect(milestone_return)) is not None:
        return stop
    form = forms.SubmitForm()
    if form.validate_on_submit():
        try:
            return_service.submit(
                current_actor(),
                milestone_return,
                declared_by_name=form.declared_by_name.data,
                expected_version=form.expected_version(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            if milestone_return.status == ReturnStatus.AWAITING_SIGN_OFF:
                return _to_task_list(milestone_return, "Return sent to your certifier to sign off")
            return _to_task_list(milestone_return, "Return submitted to the department")
    return _section_page(
        "check_answers.html",
        form,
        milestone_return,
        missing=return_service.missing_sections(milestone_return),
        section_names=return_service.SECTION_NAMES,
        milestones=return_data.milestones_due(milestone_return),
    )


@bp.route("/<int:return_id>/sign-off", methods=["GET", "POST"])
@requires_role(Role.CERTIFIER)
@commits
def sign_off(return_id: int):
    milestone_return = _load(return_id)
    if milestone_return.status != ReturnStatus.AWAITING_SIGN_OFF:
        return _to_task_list(milestone_return, "This return is not waiting for sign-off", "info")
    form = forms.SignOffForm()
    if form.validate_on_submit():
        try:
            return_service.sign_off(
                current_actor(),
                milestone_return,
                approve=form.decision.data == "sign-off",
                reason=form.reason.data or "",
                expected_version=form.expected_version(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _to_task_list(
                milestone_return,
                "Return signed off and sent to the department"
                if milestone_return.status == ReturnStatus.SUBMITTED
                else "Return sent back to your colleague",
            )
    return _section_page(
        "sign_off.html",
        form,
        milestone_return,
        milestones=return_data.milestones_due(milestone_return),
    )


@bp.route("/<int:return_id>/review", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def review(return_id: int):
    milestone_return = _load(return_id)
    if milestone_return.status != ReturnStatus.SUBMITTED:
        return _to_task_list(milestone_return, "This return is not waiting for review", "info")
    form = forms.ReviewForm()
    if form.validate_on_submit():
        try:
            return_service.review(
                current_actor(),
                milestone_return,
                approve=form.decision.data == "approve",
                reasons=form.reasons.data or "",
                reviewer_rag=Rag(form.reviewer_rag.data),
                expected_version=form.expected_version(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _to_task_list(
                milestone_return,
                "Return approved: its payment has been requested"
                if milestone_return.status == ReturnStatus.APPROVED
                else "Return sent back to the grantee with your reasons",
            )
    previous = return_data.previous_return(milestone_return)
    return _section_page(
        "review.html",
        form,
        milestone_return,
        comparisons=compare(milestone_return, previous),
        milestones=return_data.milestones_due(milestone_return),
    )


@bp.route("/<int:return_id>/due-date", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def due_date(return_id: int):
    milestone_return = _load(return_id)
    form = forms.DueDateForm()
    if form.validate_on_submit():
        try:
            if form.expected_version() != milestone_return.version:
                raise RuleBroken(return_service.STALE)
            schedule.move_due_date(
                current_actor(), milestone_return, form.due_on.data, form.reason.data
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return _to_task_list(milestone_return, "Due date moved")
    return _section_page("due_date.html", form, milestone_return)
