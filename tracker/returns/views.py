"""The returns queue, a return's own page, and the decisions on it (check answers and
submit, sign-off, review, due date). The section pages are in `sections`."""

from datetime import date

from flask import render_template, request
from flask_login import current_user

from tracker.data import audit as audit_data
from tracker.data import returns as return_data
from tracker.data import streams as stream_data
from tracker.domain.roles import Role
from tracker.domain.statuses import Rag, ReturnStatus
from tracker.returns import (
    forms,
    sections,  # noqa: F401  (registers the section pages on bp)
)
from tracker.returns.blueprint import (
    READERS,
    bp,
    editable_or_redirect,
    load_return,
    section_page,
    to_task_list,
)
from tracker.services import returns as return_service
from tracker.services import schedule
from tracker.services.errors import RuleBroken
from tracker.services.variance import compare
from tracker.web.access import GRANTEES, current_actor, requires_role
from tracker.web.pages import id_or_none, page_number, show_rule_broken
from tracker.web.transactions import commits


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
    milestone_return = load_return(return_id)
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


@bp.route("/<int:return_id>/check-answers", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def check_answers(return_id: int):
    milestone_return = load_return(return_id)
    if (stop := editable_or_redirect(milestone_return)) is not None:
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
                return to_task_list(milestone_return, "Return sent to your certifier to sign off")
            return to_task_list(milestone_return, "Return submitted to the department")
    return section_page(
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
    milestone_return = load_return(return_id)
    if milestone_return.status != ReturnStatus.AWAITING_SIGN_OFF:
        return to_task_list(milestone_return, "This return is not waiting for sign-off", "info")
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
            return to_task_list(
                milestone_return,
                "Return signed off and sent to the department"
                if milestone_return.status == ReturnStatus.SUBMITTED
                else "Return sent back to your colleague",
            )
    return section_page(
        "sign_off.html",
        form,
        milestone_return,
        milestones=return_data.milestones_due(milestone_return),
    )


@bp.route("/<int:return_id>/review", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def review(return_id: int):
    milestone_return = load_return(return_id)
    if milestone_return.status != ReturnStatus.SUBMITTED:
        return to_task_list(milestone_return, "This return is not waiting for review", "info")
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
            return to_task_list(
                milestone_return,
                "Return approved: its payment has been requested"
                if milestone_return.status == ReturnStatus.APPROVED
                else "Return sent back to the grantee with your reasons",
            )
    previous = return_data.previous_return(milestone_return)
    return section_page(
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
    milestone_return = load_return(return_id)
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
            return to_task_list(milestone_return, "Due date moved")
    return section_page("due_date.html", form, milestone_return)
