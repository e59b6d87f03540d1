from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from tracker.domain.regions import REGIONS
from tracker.domain.statuses import OrganisationType
from tracker.web.forms import TrackerForm, no_control_characters


class OrganisationForm(TrackerForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the organisation's name"),
            Length(max=200, message="The name must be 200 characters or fewer"),
            no_control_characters,
        ],
    )
    type = SelectField(
        "Type",
        widget=GovSelect(),
        choices=[("", "Choose a type")]
        + [(t.value, t.value.capitalize()) for t in OrganisationType],
        validators=[DataRequired("Select the type of organisation")],
    )
    org_id = StringField(
        "Organisation identifier (org-id)",
        widget=GovTextInput(),
        description="For example GB-LAE-LBH for a council in England, GB-CHC-216250 for a charity",
        validators=[
            DataRequired("Enter the organisation identifier"),
            Length(max=60, message="The identifier must be 60 characters or fewer"),
        ],
    )
    region = SelectField(
        "Region", widget=GovSelect(), choices=[("", "Not known")] + [(r, r) for r in REGIONS]
    )
    local_authority_code = StringField(
        "ONS local authority code",
        widget=GovTextInput(),
        description="For example E09000022",
        validators=[
            Optional(),
            Length(max=9, message="The code must be 9 characters, like E09000022"),
        ],
    )


class SearchForm(TrackerForm):
    class Meta:
        csrf = False

    q = StringField(
        "Search by name or identifier",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=200, message="Search for 200 characters or fewer"),
            no_control_characters,
        ],
    )


SORT_CODE_HINT = "6 digits, for example 30-94-57"
ACCOUNT_NUMBER_HINT = "8 digits, for example 00733445"


class ProposePayeeForm(TrackerForm):
    account_name = StringField(
        "Name on the account",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the name on the account"),
            Length(max=200, message="The name on the account must be 200 characters or fewer"),
            no_control_characters,
        ],
    )
    sort_code = StringField("Sort code", widget=GovTextInput(), description=SORT_CODE_HINT)
    account_number = StringField(
        "Account number", widget=GovTextInput(), description=ACCOUNT_NUMBER_HINT
    )


class ConfirmPayeeForm(TrackerForm):
    sort_code = StringField(
        "Sort code",
        widget=GovTextInput(),
        description="Type the sort code from the organisation's own evidence (a bank letter or "
        "statement), not from this screen",
    )
    account_number = StringField(
        "Account number", widget=GovTextInput(), description=ACCOUNT_NUMBER_HINT
    )
