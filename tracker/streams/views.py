from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.data import allocations as allocation_data
from tracker.data import audit as audit_data
from tracker.data import streams as stream_data
from tracker.domain.periods import FinancialYear
from tracker.domain.roles import Role
from tracker.domain.statuses import ReportingFrequency
from tracker.infrastructure import clock
from tracker.services import conditions as condition_service
from tracker.services import outturn as outturn_service
from tracker.services import streams as stream_service
from tracker.services.errors import RuleBroken
from tracker.streams.forms import BudgetForm, ConditionsForm, StreamForm
from tracker.web.access import CIVIL_SERVANTS, current_actor, requires_role
from tracker.web.pages import found, page_number, show_rule_broken
from tracker.web.transactions import commits

bp = Blueprint("streams", __name__, url_prefix="/streams")
READERS = (*CIVIL_SERVANTS, Role.VIEWER)


def _department_choices(form: StreamForm) -> None:
    form.department.choices = [("", "Not stated")] + [
        (str(d.id), d.name) for d in stream_data.all_departments()
    ]


def _values(form: StreamForm) -> dict:
    department_id = form.department.data
    return dict(
        code=form.code.data,
        name=form.name.data,
        department=stream_data.department_by_id(int(department_id)) if department_id else None,
        funder_note=form.funder_note.data or "",
        announced_pence=form.announced.data,
        announced_on=form.announced_on.data,
        first_year=int(form.first_year.data),
        last_year=int(form.last_year.data),
        reporting_frequency=ReportingFrequency(form.reporting_frequency.data),
        ggis_scheme_id=form.ggis_scheme_id.data,
        description=form.description.data or "",
        source_citation=form.source_citation.data or "",
        requires_certifier_sign_off=bool(form.requires_certifier_sign_off.data),
        outturn_margin_percent=form.outturn_margin.number,
    )


@bp.get("")
@requires_role(*READERS)
def list_streams():
    page = stream_data.stream_totals(page_number())
    return render_template("streams/list.html", page=page, totals=page.items)


@bp.get("/<int:stream_id>")
@requires_role(*READERS)
def view_stream(stream_id: int):
    stream = found(stream_data.stream_by_id(stream_id))
    return render_template(
        "streams/view.html",
        stream=stream,
        totals=stream_data.totals_for_stream(stream),
        years=stream_data.year_totals(stream),
        outturn=outturn_service.of_stream(stream.id, clock.today()),
        conditions=condition_service.of_stream(stream.id),
        difference_words=outturn_service.difference_words,
        allocations=allocation_data.allocations_page(
            current_user, page_number(), stream_id=stream.id
        ),
    )


@bp.get("/<int:stream_id>/history")
@requires_role(*CIVIL_SERVANTS)
def stream_history(stream_id: int):
    stream = found(stream_data.stream_by_id(stream_id))
    return render_template(
        "audit/history.html",
        title=f"History of {stream.name}",
        events=audit_data.history("funding_stream", stream.id),
        back=url_for("streams.view_stream", stream_id=stream.id),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def new_stream():
    form = StreamForm()
    _department_choices(form)
    if form.validate_on_submit():
        try:
            stream = stream_service.create_stream(current_actor(), **_values(form))
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{stream.name} has been set up")
            return redirect(url_for("streams.view_stream", stream_id=stream.id))
    return render_template("streams/form.html", form=form, title="Set up a funding stream")


@bp.route("/<int:stream_id>/edit", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def edit_stream(stream_id: int):
    stream = found(stream_data.stream_by_id(stream_id))
    form = StreamForm(obj=stream)
    _department_choices(form)
    if not form.is_submitted():
        form.department.data = str(stream.department_id or "")
        form.announced.data = stream.announced_pence
        form.first_year.data, form.last_year.data = str(stream.first_year), str(stream.last_year)
        form.reporting_frequency.data = stream.reporting_frequency.value
        form.outturn_margin.data = str(stream.outturn_margin_percent)
    if form.validate_on_submit():
        try:
            stream_service.update_stream(current_actor(), stream, **_values(form))
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("The stream has been updated")
            return redirect(url_for("streams.view_stream", stream_id=stream.id))
    return render_template(
        "streams/form.html", form=form, stream=stream, title=f"Change {stream.name}"
    )


@bp.route("/<int:stream_id>/budget", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def set_budget(stream_id: int):
    stream = found(stream_data.stream_by_id(stream_id))
    form = BudgetForm()
    form.financial_year.choices = [
        (str(y), FinancialYear(y).label) for y in range(stream.first_year, stream.last_year + 1)
    ]
    if form.validate_on_submit():
        try:
            stream_service.set_budget(
                current_actor(),
                stream,
                int(form.financial_year.data),
                resource_pence=form.resource.data,
                capital_pence=form.capital.data,
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The {FinancialYear(int(form.financial_year.data)).label} budget has been set")
            return redirect(url_for("streams.view_stream", stream_id=stream.id))
    return render_template(
        "streams/budget.html",
        form=form,
        stream=stream,
        threshold=current_app.config["SECOND_APPROVAL_THRESHOLD_PENCE"],
    )


@bp.route("/<int:stream_id>/conditions", methods=["GET", "POST"])
@requires_role(Role.OFFICER)
@commits
def conditions(stream_id: int):
    """The stream's standard conditions of grant: a change is saved as a new version."""
    stream = found(stream_data.stream_by_id(stream_id))
    current = condition_service.of_stream(stream.id)
    form = ConditionsForm()
    if not form.is_submitted():
        form.conditions.data = "\n".join(current.text)
    if form.validate_on_submit():
        try:
            made = condition_service.set_conditions(current_actor(), stream, form.conditions.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(
                f"Version {made.version} of the standard conditions has been saved"
                if made
                else "The standard conditions are unchanged"
            )
            return redirect(url_for("streams.view_stream", stream_id=stream.id))
    return render_template(
        "streams/conditions.html",
        form=form,
        stream=stream,
        current=current,
        versions=stream_data.condition_versions(stream.id),
    )
