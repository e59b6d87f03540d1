from flask import Blueprint, flash, redirect, render_template, request, url_for

from tracker.data import audit as audit_data
from tracker.data import organisations as organisation_data
from tracker.domain.roles import Role
from tracker.domain.statuses import OrganisationType
from tracker.organisations.forms import OrganisationForm, SearchForm
from tracker.services import organisations as organisation_service
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
        events=audit_data.history("organisation", organisation.id),
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
