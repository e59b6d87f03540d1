from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea, GovTextInput
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.domain.statuses import EvidenceRating
from tracker.web.forms import (
    GovDateField,
    MoneyField,
    TrackerForm,
    WholeNumberField,
    length_at_most,
    no_control_characters,
    per_indicator_form,
)


class ProjectForm(TrackerForm):
    title = StringField(
        "Project title",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the project's title"),
            Length(max=200, message="The title must be 200 characters or fewer"),
            no_control_characters,
        ],
    )
    summary = TextAreaField(
        "Summary",
        widget=GovTextArea(),
        description="What the project will do and for whom",
        validators=[length_at_most(5000, "summary"), no_control_characters],
    )
    intervention_type = StringField(
        "Intervention type",
        widget=GovTextInput(),
        description="For example, social workers placed in schools, or mentoring",
        validators=[
            Length(max=120, message="The intervention type must be 120 characters or fewer"),
            no_control_characters,
        ],
    )
    evidence_rating = RadioField(
        "Evidence rating",
        widget=GovRadioInput(),
        description="How strong the evidence is that the intervention works, as the What Works "
        "centres grade it",
        choices=[(r.value, r.value.capitalize()) for r in EvidenceRating],
        default=EvidenceRating.NOT_YET_RATED.value,
        validators=[DataRequired("Select the evidence rating")],
    )
    location = StringField(
        "Location",
        widget=GovTextInput(),
        description="Where the project is delivered, like a town or local authority",
        validators=[
            Length(max=200, message="The location must be 200 characters or fewer"),
            no_control_characters,
        ],
    )


def targets_form_class(indicators) -> type[TrackerForm]:
    """One whole-number target per output indicator of the stream."""
    return per_indicator_form(TrackerForm, indicators, lambda i: f"target for {i.name.lower()}")


class MilestoneForm(TrackerForm):
    title = StringField(
        "What will be delivered",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter what will be delivered"),
            Length(max=200, message="The description must be 200 characters or fewer"),
            no_control_characters,
        ],
    )
    due_on = GovDateField(
        "Milestone date", name_in_errors="milestone date", description="For example, 31 3 2021"
    )
    payment = MoneyField(
        "Payment when it is delivered (optional)",
        name_in_errors="payment",
        optional=True,
        description="In pounds, like 5000. Leave blank if no payment is attached",
    )


class ScheduleForm(TrackerForm):
    first_period_start = GovDateField(
        "Reporting starts",
        name_in_errors="date reporting starts",
        description="The first return covers the period holding this date",
    )
    due_working_days = WholeNumberField(
        "Working days after each period ends that a return is due",
        name_in_errors="number of working days",
    )
