from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.allocations.forms import FilterForm, StatusForm, allocation_form_class
from tracker.data import allocations as allocation_data
from tracker.data import audit as audit_data
from tracker.data import offers as offer_data
from tracker.data import organisations as organisation_data
from tracker.data import payments as payment_data
from tracker.data import returns as return_data
from tracker.data import streams as stream_data
from tracker.domain.roles import Role
from tracker.domain.statuses import AllocationStatus
from tracker.services import allocations as allocation_service
from tracker.services import offers as offer_service
from tracker.services.errors import RuleBroken
from tracker.web.access import CIVIL_SERVANTS, current_actor, requires_role
from tracker.web.pages import found, id_or_none, page_number, show_rule_broken
from tracker.web.transactions import commits

bp = Blueprint("allocations", __name__)


def _organisation_choices(form) -> None:
    form.organisation.choices = [("", "Choose an organisation")] + [
        (str(o.id), f"{o.name} ({o.org_id})") for o in organisation_data.all_organisations()
    ]


def _show(form, error: RuleBroken) -> None:
    """A single-year stream has no per-year fields on the page: its year's error goes by the
    amount instead."""
    if error.field and error.field.startswith("year_") and len(form.year_fields()) == 1:
        error.field = "amount"
    show_rule_broken(form, error)


def _values(form) -> dict:
    return dict(
        organisation=found(organisation_data.organisation_by_id(int(form.organisation.data))),
        title=form.title.data,
        amount_pence=form.amount.data,
        awarded_on=form.awarded_on.data,
        planned_start=form.planned_start.data,
        planned_end=form.planned_end.data,
        conditions=form.conditions.data or "",
        profile=form.profile(),
    )


@bp.get("/allocations")
@requires_role(*CIVIL_SERVANTS)
def list_allocations():
    filters = FilterForm(request.args)
    filters.stream.choices = [("", "All streams")] + [
        (str(s.id), s.name) for s in stream_data.all_streams()
    ]
    stream_id = id_or_none(filters.stream.data)
    try:
        status = AllocationStatus(filters.status.data) if filters.status.data else None
    except ValueError:
        status = None
    page = allocation_data.allocations_page(
        current_user,
        page_number(),
        stream_id=stream_id,
        status=status,
        after=request.args.get("after"),
        before=request.args.get("before"),
    )
    return render_template("allocations/list.html", page=page, filters=filters)


@bp.route("/streams/<int:stream_id>/allocations/new", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def new_allocation(stream_id: int):
    stream = found(stream_data.stream_by_id(stream_id))
    form = allocation_form_class(stream)()
    _organisation_choices(form)
    if form.validate_on_submit():
        try:
            allocation = allocation_service.create_allocation(
                current_actor(), stream=stream, identifier=form.identifier.data, **_values(form)
            )
        except RuleBroken as error:
            _show(form, error)
        else:
            flash(f"The allocation to {allocation.organisation.name} has been saved as a draft")
            return redirect(url_for("allocations.view_allocation", allocation_id=allocation.id))
    return render_template(
        "allocations/form.html",
        form=form,
        stream=stream,
        totals=stream_data.totals_for_stream(stream),
        title=f"New allocation from {stream.name}",
    )


@bp.get("/allocations/<int:allocation_id>")
@requires_role(*CIVIL_SERVANTS)
def view_allocation(allocation_id: int):
    allocation = found(allocation_data.allocation_for_user(allocation_id, current_user))
    return render_template(
        "allocations/view.html",
        allocation=allocation,
        actions=allocation_service.next_actions(allocation),
        offer=next(iter(offer_data.offers_of(allocation.id)), None),
        events=audit_data.history("allocation", allocation.id),
        threshold=current_app.config["SECOND_APPROVAL_THRESHOLD_PENCE"],
        needs_second_officer=allocation.status == AllocationStatus.DRAFT
        and allocation_service.needs_second_officer(
            allocation, current_app.config["SECOND_APPROVAL_THRESHOLD_PENCE"]
        ),
        projects=return_data.projects_with_milestones(allocation.id),
        completed_in=return_data.completing_returns(allocation.id),
        returns=return_data.returns_for_allocation(allocation.id),
        payments=payment_data.payments_page(current_user, 1, allocation_id=allocation.id).items,
        today=date.today(),
    )


@bp.route("/allocations/<int:allocation_id>/edit", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def edit_allocation(allocation_id: int):
    allocation = found(allocation_data.allocation_for_user(allocation_id, current_user))
    if allocation.status != AllocationStatus.DRAFT:
        flash(f"This allocation is {allocation.status.value}: only a draft can be changed", "info")
        return redirect(url_for("allocations.view_allocation", allocation_id=allocation.id))
    stream = allocation.stream
    form = allocation_form_class(stream)(obj=allocation)
    _organisation_choices(form)
    form.identifier.render_kw = {"disabled": True}
    if not form.is_submitted():
        form.organisation.data = str(allocation.organisation_id)
        form.amount.data = allocation.amount_pence
        form.identifier.data = allocation.identifier
        form.version.data = str(allocation.version)
        for row in allocation.profile:
            field = getattr(form, f"year_{row.financial_year}", None)
            if field is not None:
                field.data = row.amount_pence
    if form.validate_on_submit():
        try:
            if form.version.data != str(allocation.version):
                raise RuleBroken(
                    "Someone else changed this allocation after you opened it. "
                    "Reload the page to see their changes, then make yours again."
                )
            allocation_service.update_allocation(current_actor(), allocation, **_values(form))
        except RuleBroken as error:
            _show(form, error)
        else:
            flash("The allocation has been updated")
            return redirect(url_for("allocations.view_allocation", allocation_id=allocation.id))
    return render_template(
        "allocations/form.html",
        form=form,
        stream=stream,
        allocation=allocation,
        totals=stream_data.totals_for_stream(stream),
        title=f"Change the allocation to {allocation.organisation.name}",
    )


@bp.route("/allocations/<int:allocation_id>/status", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def change_status(allocation_id: int):
    allocation = found(allocation_data.allocation_for_user(allocation_id, current_user))
    form = StatusForm()
    actions = allocation_service.next_actions(allocation)
    if allocation.status in allocation_service.TRANSITIONS["withdraw"][0]:
        actions.append("withdraw")
    form.action.choices = [(a, allocation_service.ACTION_LABELS[a]) for a in actions]
    if form.validate_on_submit():
        try:
            allocation_service.change_status(
                current_actor(),
                allocation,
                form.action.data,
                reason=form.reason.data or "",
                second_approval_threshold_pence=current_app.config[
                    "SECOND_APPROVAL_THRESHOLD_PENCE"
                ],
                working_days_to_report=current_app.config["RETURN_DUE_WORKING_DAYS"],
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The allocation is now {allocation.status.value}")
            return redirect(url_for("allocations.view_allocation", allocation_id=allocation.id))
    return render_template(
        "allocations/status.html",
        form=form,
        allocation=allocation,
        threshold=current_app.config["SECOND_APPROVAL_THRESHOLD_PENCE"],
    )


@bp.get("/allocations/<int:allocation_id>/offer")
@requires_role(Role.OFFICER, Role.FINANCE)
def offer_letter(allocation_id: int):
    """The offer as it was made (the latest version, or ?version=N), and every version."""
    allocation = found(allocation_data.allocation_for_user(allocation_id, current_user))
    versions = offer_data.offers_of(allocation.id)
    asked = id_or_none(request.args.get("version", ""))
    return render_template(
        "allocations/offer.html",
        allocation=allocation,
        offer=found(offer_service.version_of(versions, asked)),
        versions=versions,
    )
