"""Setting up a grant's delivery: the task list on an allocation and the pages behind it."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.data import allocations as allocation_data
from tracker.data import delivery as delivery_data
from tracker.data import returns as return_data
from tracker.delivery.forms import MilestoneForm, ProjectForm, ScheduleForm, targets_form_class
from tracker.domain.roles import Role
from tracker.domain.statuses import EvidenceRating
from tracker.services import delivery as delivery_service
from tracker.services.errors import RuleBroken
from tracker.web.access import CIVIL_SERVANTS, current_actor, requires_role
from tracker.web.pages import found, show_rule_broken
from tracker.web.transactions import commits

bp = Blueprint("delivery", __name__)


def _allocation(allocation_id: int):
    return found(allocation_data.allocation_for_user(allocation_id, current_user))


def _project(project_id: int):
    return found(delivery_data.project_for_user(project_id, current_user))


def _to_task_list(allocation_id: int):
    return redirect(url_for("delivery.task_list", allocation_id=allocation_id))


@bp.get("/allocations/<int:allocation_id>/delivery")
@requires_role(*CIVIL_SERVANTS)
def task_list(allocation_id: int):
    allocation = _allocation(allocation_id)
    default_days = current_app.config["RETURN_DUE_WORKING_DAYS"]
    return render_template(
        "delivery/task_list.html",
        allocation=allocation,
        projects=return_data.projects_with_milestones(allocation.id),
        indicators=delivery_data.indicators_of_stream(allocation.stream_id),
        schedule=delivery_service.schedule_of(allocation, default_days),
        returns=return_data.returns_for_allocation(allocation.id),
        can_change=current_user.role == Role.OFFICER and allocation.status in delivery_service.OPEN,
    )


@bp.route("/allocations/<int:allocation_id>/projects/new", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def new_project(allocation_id: int):
    allocation = _allocation(allocation_id)
    form = ProjectForm()
    if form.validate_on_submit():
        try:
            project = delivery_service.add_project(
                current_actor(),
                allocation,
                title=form.title.data,
                summary=form.summary.data,
                intervention_type=form.intervention_type.data,
                evidence_rating=EvidenceRating(form.evidence_rating.data),
                location=form.location.data,
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The project ‘{project.title}’ has been added")
            return redirect(url_for("delivery.set_targets", project_id=project.id))
    return render_template("delivery/project.html", form=form, allocation=allocation)


@bp.route("/projects/<int:project_id>/targets", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def set_targets(project_id: int):
    project = _project(project_id)
    indicators = delivery_data.indicators_of_stream(project.allocation.stream_id)
    form = targets_form_class(indicators)()
    if not form.is_submitted():
        for target in project.targets:
            field = getattr(form, f"indicator_{target.indicator_id}", None)
            if field is not None:
                field.data = str(target.target)
    if form.validate_on_submit():
        try:
            delivery_service.set_targets(current_actor(), project, form.values())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The targets for ‘{project.title}’ have been saved")
            return _to_task_list(project.allocation_id)
    return render_template(
        "delivery/targets.html", form=form, project=project, indicators=indicators
    )


@bp.route("/projects/<int:project_id>/milestones/new", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def new_milestone(project_id: int):
    project = _project(project_id)
    form = MilestoneForm()
    if form.validate_on_submit():
        try:
            milestone = delivery_service.add_milestone(
                current_actor(),
                project,
                title=form.title.data,
                due_on=form.due_on.data,
                payment_pence=form.payment.data,
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The milestone ‘{milestone.title}’ has been added")
            return _to_task_list(project.allocation_id)
    return render_template("delivery/milestone.html", form=form, project=project)


@bp.route("/allocations/<int:allocation_id>/schedule", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def set_schedule(allocation_id: int):
    allocation = _allocation(allocation_id)
    plan = delivery_service.schedule_of(allocation, current_app.config["RETURN_DUE_WORKING_DAYS"])
    form = ScheduleForm()
    if not form.is_submitted():
        form.due_working_days.data = str(plan.due_working_days)
        form.first_period_start.data = plan.first_period_start
    if form.validate_on_submit():
        try:
            delivery_service.set_schedule(
                current_actor(),
                allocation,
                first_period_start=form.first_period_start.data,
                due_working_days=form.due_working_days.number,
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("The reporting schedule has been saved")
            return _to_task_list(allocation.id)
    return render_template(
        "delivery/schedule.html", form=form, allocation=allocation, schedule=plan
    )
