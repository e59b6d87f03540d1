"""The grantee's pages for each section of a return (spend, forecast, outputs, milestones,
narrative, RAG, and their response when it was sent back)."""

from tracker.data import returns as return_data
from tracker.domain.periods import Quarter
from tracker.domain.statuses import Rag, SpendCategory
from tracker.returns import forms
from tracker.returns.blueprint import (
    bp,
    editable_or_redirect,
    load_return,
    section_page,
    to_task_list,
)
from tracker.services import returns as return_service
from tracker.services.errors import RuleBroken
from tracker.services.schedule import reporting_periods
from tracker.web.access import GRANTEES, current_actor, requires_role
from tracker.web.pages import show_rule_broken
from tracker.web.transactions import commits


@bp.route("/<int:return_id>/spend", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def spend(return_id: int):
    milestone_return = load_return(return_id)
    if (stop := editable_or_redirect(milestone_return)) is not None:
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
            return to_task_list(milestone_return, "Spend saved")
    return section_page(
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
    milestone_return = load_return(return_id)
    if (stop := editable_or_redirect(milestone_return)) is not None:
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
            return to_task_list(milestone_return, "Forecast saved")
    return section_page("forecast.html", form, milestone_return, periods=periods)


@bp.route("/<int:return_id>/outputs", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def outputs(return_id: int):
    milestone_return = load_return(return_id)
    if (stop := editable_or_redirect(milestone_return)) is not None:
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
            return to_task_list(milestone_return, "Outputs saved")
    return section_page("outputs.html", form, milestone_return)


@bp.route("/<int:return_id>/milestones", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def milestones(return_id: int):
    milestone_return = load_return(return_id)
    if (stop := editable_or_redirect(milestone_return)) is not None:
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
            return to_task_list(milestone_return, "Milestones saved")
    return section_page("milestones.html", form, milestone_return, milestones=due)


@bp.route("/<int:return_id>/narrative", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def narrative(return_id: int):
    milestone_return = load_return(return_id)
    if (stop := editable_or_redirect(milestone_return)) is not None:
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
            return to_task_list(milestone_return, "Progress and risks saved")
    return section_page("narrative.html", form, milestone_return)


@bp.route("/<int:return_id>/rag", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def rag(return_id: int):
    milestone_return = load_return(return_id)
    if (stop := editable_or_redirect(milestone_return)) is not None:
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
            return to_task_list(milestone_return, "Overall status saved")
    return section_page("rag.html", form, milestone_return)


@bp.route("/<int:return_id>/response", methods=["GET", "POST"])
@requires_role(*GRANTEES)
@commits
def response(return_id: int):
    milestone_return = load_return(return_id)
    if (stop := editable_or_redirect(milestone_return)) is not None:
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
            return to_task_list(milestone_return, "Your answer has been saved")
    return section_page("response.html", form, milestone_return)
