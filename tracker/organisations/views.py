from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from tracker.data import audit as audit_data
from tracker.data import organisations as organisation_data
from tracker.data import payees as payee_data
from tracker.domain.roles import Role
from tracker.domain.statuses import OrganisationType
from tracker.infrastructure import clock
from tracker.organisations.forms import (
    ConfirmPayeeForm,
    OrganisationForm,
    ProposePayeeForm,
    SearchForm,
)
from tracker.services import organisations as organisation_service
from tracker.services import payees as payee_service
from tracker.services.errors import RuleBroken
from tracker.web.access import CIVIL_SERVANTS, current_actor, requires_role
from tracker.web.pages import found, page_number, show_rule_broken
from tracker.web.transactions import commits

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


def _values(form: OrganisationForm) -> dict:
    return dict(
        name=form.name.data,
        type=OrganisationType(form.type.data),
        org_id=form.org_id.data,
        region=form.region.data or "",
        local_authority_code=form.local_authority_code.data or "",
    )


@bp.get("")
@requires_role(*CIVIL_SERVANTS)
def list_organisations():
    search = SearchForm(request.args)
    term = search.q.data if search.validate() else ""
    page = organisation_data.organisations_page(term or "", page_number())
    return render_template("organisations/list.html", page=page, search=search, term=term or "")


@bp.route("/new", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = organisation_service.create_organisation(
                current_actor(), **_values(form)
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{organisation.name} has been added")
            return redirect(
                url_for("organisations.view_organisation", organisation_id=organisation.id)
            )
    return render_template("organisations/form.html", form=form, title="Add an organisation")


@bp.get("/<int:organisation_id>")
@requires_role(*CIVIL_SERVANTS)
def view_organisation(organisation_id: int):
    organisation = found(organisation_data.organisation_by_id(organisation_id))
    return render_template(
        "organisations/view.html",
        organisation=organisation,
        events=sorted(
            audit_data.history("organisation", organisation.id)
            + payee_data.history(organisation.id),
            key=lambda event: event.id,
            reverse=True,
        ),
        payee=payee_data.current_account(organisation.id),
        proposed=payee_data.proposed_change(organisation.id),
        payee_held=payee_service.payments_held(organisation.id, clock.now()),
    )


@bp.route("/<int:organisation_id>/bank-account", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def propose_payee(organisation_id: int):
    """An officer proposes the organisation's bank account (new, or a change)."""
    organisation = found(organisation_data.organisation_by_id(organisation_id))
    form = ProposePayeeForm()
    if form.validate_on_submit():
        try:
            payee_service.propose(
                current_actor(),
                organisation,
                account_name=form.account_name.data,
                sort_code=form.sort_code.data,
                account_number=form.account_number.data,
                now=clock.now(),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("The bank account has been proposed: a finance officer must now confirm it")
            return redirect(
                url_for("organisations.view_organisation", organisation_id=organisation.id)
            )
    return render_template("organisations/payee.html", form=form, organisation=organisation)


@bp.route("/<int:organisation_id>/bank-account/confirm", methods=["GET", "POST"])
@requires_role(Role.FINANCE)
@commits
def confirm_payee(organisation_id: int):
    """A finance officer who did not propose it confirms a change by typing it again."""
    organisation = found(organisation_data.organisation_by_id(organisation_id))
    proposed = found(payee_data.proposed_change(organisation.id))
    form = ConfirmPayeeForm()
    if form.validate_on_submit():
        try:
            payee_service.confirm(
                current_actor(),
                proposed,
                sort_code=form.sort_code.data,
                account_number=form.account_number.data,
                now=clock.now(),
                hold_days=current_app.config["PAYEE_CHANGE_HOLD_DAYS"],
            )
        except RuleBroken as error:  # NotAllowed too: the proposer confirming their own
            show_rule_broken(form, error)
        else:
            flash("The bank account has been confirmed: payments to it are held for now")
            return redirect(
                url_for("organisations.view_organisation", organisation_id=organisation.id)
            )
    return render_template(
        "organisations/confirm_payee.html",
        form=form,
        organisation=organisation,
        proposed=proposed,
    )


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def edit_organisation(organisation_id: int):
    organisation = found(organisation_data.organisation_by_id(organisation_id))
    form = OrganisationForm(obj=organisation)
    if not form.is_submitted():
        form.type.data = organisation.type.value
    if form.validate_on_submit():
        try:
            organisation_service.update_organisation(current_actor(), organisation, **_values(form))
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("The organisation has been updated")
            return redirect(
                url_for("organisations.view_organisation", organisation_id=organisation.id)
            )
    return render_template(
        "organisations/form.html",
        form=form,
        organisation=organisation,
        title=f"Change {organisation.name}",
    )
