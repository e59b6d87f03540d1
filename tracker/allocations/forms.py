from __future__ import annotations

from typing import TYPE_CHECKING

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextArea, GovTextInput
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.domain.periods import FinancialYear
from tracker.domain.statuses import AllocationStatus
from tracker.web.forms import (
    GovDateField,
    MoneyField,
    TrackerForm,
    length_at_most,
    no_control_characters,
)

if TYPE_CHECKING:  # annotations only: blueprints never import the models
    from tracker.models import FundingStream


class AllocationForm(TrackerForm):
    organisation = SelectField(
        "Organisation", widget=GovSelect(), validators=[DataRequired("Select the organisation")]
    )
    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="What the grant is for, in a few words",
        validators=[
            DataRequired("Enter a title for the allocation"),
            Length(max=200, message="The title must be 200 characters or fewer"),
            no_control_characters,
        ],
    )
    amount = MoneyField("Amount awarded", description="In pounds, like 125000 or £125,000.50")
    awarded_on = GovDateField(
        "Award date", name_in_errors="award date", description="For example, 27 7 2020"
    )
    planned_start = GovDateField("Planned start date", name_in_errors="planned start date")
    planned_end = GovDateField("Planned end date", name_in_errors="planned end date")
    conditions = TextAreaField(
        "Conditions", widget=GovTextArea(), validators=[length_at_most(5000, "conditions")]
    )
    identifier = StringField(
        "360Giving identifier",
        widget=GovTextInput(),
        description="Leave blank and one will be made",
        validators=[
            Optional(),
            Length(max=100, message="The identifier must be 100 characters or fewer"),
        ],
    )
    version = HiddenField()

    def year_fields(self):
        return [field for name, field in self._fields.items() if name.startswith("year_")]

    def profile(self) -> dict[int, int | None]:
        return {int(field.name.removeprefix("year_")): field.data for field in self.year_fields()}


def allocation_form_class(stream: FundingStream) -> type[AllocationForm]:
    """The allocation form with one amount per financial year of the stream."""

    class StreamAllocationForm(AllocationForm):
        pass

    StreamAllocationForm.identifier = StringField(
        "360Giving identifier",
        widget=GovTextInput(),
        description=f"Leave blank and one will be made, like 360G-HHT-{stream.code}-1A2B3C4D",
        validators=[
            Optional(),
            Length(max=100, message="The identifier must be 100 characters or fewer"),
        ],
    )
    for year in range(stream.first_year, stream.last_year + 1):
        label = FinancialYear(year).label
        setattr(
            StreamAllocationForm,
            f"year_{year}",
            MoneyField(label, optional=True, name_in_errors=f"amount for {label}"),
        )
    return StreamAllocationForm


class StatusForm(TrackerForm):
    action = RadioField(
        "What do you want to do?",
        widget=GovRadioInput(),
        validators=[DataRequired("Select what you want to do")],
    )
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        description="Needed to withdraw an allocation",
        validators=[length_at_most(2000, "reason")],
    )


class FilterForm(TrackerForm):
    class Meta:
        csrf = False

    stream = SelectField("Stream", widget=GovSelect(), validate_choice=False)
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=[("", "Any status")] + [(s.value, s.value.capitalize()) for s in AllocationStatus],
    )
