from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.domain.periods import FinancialYear
from tracker.domain.statuses import ReportingFrequency
from tracker.web.forms import (
    GovDateField,
    MoneyField,
    TrackerForm,
    WholeNumberField,
    length_at_most,
)

YEARS = [(str(y), FinancialYear(y).label) for y in range(2015, 2036)]


class StreamForm(TrackerForm):
    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="Short and unique, like SWIS",
        validators=[
            DataRequired("Enter a code for the stream"),
            Length(max=40, message="The code must be 40 characters or fewer"),
        ],
    )
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the name of the stream"),
            Length(max=200, message="The name must be 200 characters or fewer"),
        ],
    )
    department = SelectField("Funder", widget=GovSelect(), validate_choice=True)
    funder_note = StringField(
        "What the announcement says of the funder",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=300, message="This must be 300 characters or fewer")],
    )
    announced = MoneyField("Amount announced", name_in_errors="amount announced")
    announced_on = GovDateField("Date announced", name_in_errors="date announced")
    first_year = SelectField(
        "First financial year", widget=GovSelect(), choices=YEARS, default="2020"
    )
    last_year = SelectField(
        "Last financial year", widget=GovSelect(), choices=YEARS, default="2020"
    )
    reporting_frequency = RadioField(
        "How often grantees report",
        widget=GovRadioInput(),
        choices=[(f.value, f.value.capitalize()) for f in ReportingFrequency],
        default=ReportingFrequency.QUARTERLY.value,
        validators=[DataRequired("Select how often grantees report")],
    )
    ggis_scheme_id = StringField(
        "GGIS scheme ID",
        widget=GovTextInput(),
        description="From the Government Grants Information System, if it has one",
        validators=[
            Optional(),
            Length(max=40, message="The GGIS scheme ID must be 40 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description", widget=GovTextArea(), validators=[length_at_most(5000, "description")]
    )
    source_citation = TextAreaField(
        "Source",
        widget=GovTextArea(),
        description="Where the figures come from",
        validators=[length_at_most(2000, "source")],
    )
    requires_certifier_sign_off = BooleanField(
        "Returns must be signed off by the grantee's certifier "
        "(for example a chief finance officer)",
        widget=GovCheckboxInput(),
    )
    outturn_margin = WholeNumberField(
        "Margin for the year-end flag",
        name_in_errors="margin for the year-end flag",
        description="From 1 October the stream is flagged when its forecast outturn for the "
        "year is under or over its budget by more than this share of the budget. Usually 5%.",
        default="5",
    )

    def validate_outturn_margin(self, field):
        if field.number is not None and field.number > 100:
            raise ValidationError("The margin for the year-end flag must be 100% or less")


class BudgetForm(TrackerForm):
    financial_year = SelectField("Financial year", widget=GovSelect())
    resource = MoneyField("Resource (RDEL)", name_in_errors="resource budget")
    capital = MoneyField("Capital (CDEL)", name_in_errors="capital budget")


class ConditionsForm(TrackerForm):
    conditions = TextAreaField(
        "Standard conditions of grant",
        widget=GovTextArea(),
        description="One condition a line. Offers made from now on carry these; an offer "
        "already made keeps the conditions it was made with.",
        validators=[
            DataRequired("Enter at least one condition"),
            length_at_most(60_000, "conditions"),
        ],
    )
