from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.data import allocations as allocation_data
from tracker.data import variations as variation_data
from tracker.domain.roles import Role
from tracker.domain.statuses import VariationKind, VariationStatus
from tracker.services import variations as variation_service
from tracker.services.errors import RuleBroken
from tracker.variations import forms
from tracker.web.access import CIVIL_SERVANTS, GRANTEES, current_actor, requires_role
from tracker.web.pages import found, page_number, show_rule_broken
from tracker.web.transactions import commits

bp = Blueprint("variations", __name__)
KIND_TITLES = {
    VariationKind.REPROFILE_YEARS: "Move money between financial years",
    VariationKind.REPROFILE_CATEGORIES: "Move money between spend categories",
    VariationKind.EXTEND_END_DATE: "End the grant later",
}


def _request(allocation_id: int, kind: VariationKind, form_class, prefill):
    allocation = found(allocation_data.allocation_for_user(allocation_id, current_user))
    form = form_class()
    if not form.is_submitted():
        prefill(form, allocation)
    if form.validate_on_submit():
        try:
            variation = variation_service.request_variation(
                current_actor(), allocation, kind, form.proposed(), form.reason.data
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("Your request has been sent to the department")
            return redirect(url_for("variations.view_variation", variation_id=variation.id))
    return render_template(
        "variations/request.html", form=form, allocation=allocation, title=KIND_TITLES[kind]
    )


def _prefill_years(form, allocation):
    for row in allocation.profile:
        field = getattr(form, f"year_{row.financial_year}", None)
        if field is not None:
            field.data = row.amount_pence


@bp.route("/organisation/allocations/<int:allocation_id>/variations/years", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def request_years(allocation_id: int):
    allocation = found(allocation_data.allocation_for_user(allocation_id, current_user))
    form_class = forms.years_form_class(allocation.stream.first_year, allocation.stream.last_year)
    return _request(allocation_id, VariationKind.REPROFILE_YEARS, form_class, _prefill_years)


def _prefill_categories(form, allocation):
    for row in allocation.categories:
        getattr(form, row.category).data = row.amount_pence


@bp.route(
    "/organisation/allocations/<int:allocation_id>/variations/categories", methods=["GET", "POST"]
)
@requires_role(*GRANTEES)
@commits
def request_categories(allocation_id: int):
    return _request(
        allocation_id, VariationKind.REPROFILE_CATEGORIES, forms.CategoriesForm, _prefill_categories
    )


@bp.route(
    "/organisation/allocations/<int:allocation_id>/variations/end-date", methods=["GET", "POST"]
)
@requires_role(*GRANTEES)
@commits
def request_end_date(allocation_id: int):
    return _request(
        allocation_id,
        VariationKind.EXTEND_END_DATE,
        forms.EndDateForm,
        lambda form, allocation: None,
    )


@bp.get("/variations")
@requires_role(*CIVIL_SERVANTS)
def list_variations():
    page = variation_data.variations_page(
        current_user, page_number(), status=VariationStatus.REQUESTED
    )
    return render_template("variations/list.html", page=page)


@bp.route("/variations/<int:variation_id>", methods=["GET", "POST"])
@requires_role(*CIVIL_SERVANTS, *GRANTEES)
@commits
def view_variation(variation_id: int):
    variation = found(variation_data.variation_for_user(variation_id, current_user))
    form = forms.DecisionForm()
    can_decide = current_user.role == Role.OFFICER and variation.status == VariationStatus.REQUESTED
    if can_decide and form.validate_on_submit():
        try:
            variation_service.decide(
                current_actor(),
                variation,
                approve=form.decision.data == "approve",
                note=form.note.data or "",
                working_days_to_report=current_app.config["RETURN_DUE_WORKING_DAYS"],
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"Variation {variation.status.value}")
            return redirect(url_for("variations.view_variation", variation_id=variation.id))
    elif form.is_submitted() and not can_decide:
        flash("Only a programme officer can decide on a variation that is waiting", "info")
        return redirect(url_for("variations.view_variation", variation_id=variation.id))
    return render_template(
        "variations/view.html",
        variation=variation,
        form=form,
        can_decide=can_decide,
        title=KIND_TITLES[variation.kind],
    )
