from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from tracker.domain.roles import Role
from tracker.web.forms import TrackerForm, no_control_characters


class UserForm(TrackerForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the user's full name"),
            Length(max=200, message="The name must be 200 characters or fewer"),
            no_control_characters,
        ],
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=[(role.value, role.label) for role in Role],
        validators=[DataRequired("Select the user's role")],
    )
    organisation = SelectField(
        "Organisation (grantee users and certifiers only)", widget=GovSelect()
    )
    active = BooleanField("This user can sign in", widget=GovCheckboxInput(), default=True)


class ConfirmForm(TrackerForm):
    """A button and its CSRF token: nothing to fill in."""


# d/m/yyyy (or with spaces or dashes), or yyyy-mm-dd; empty is allowed.
DATE_TEXT = r"^(\s*|\d{1,2}[/ .-]\d{1,2}[/ .-]\d{4}|\d{4}-\d{2}-\d{2})$"


class AuditFilterForm(TrackerForm):
    """The investigator's filters: read from the query string, so a filtered trail is a link."""

    class Meta:
        csrf = False

    person = StringField(
        "Person (email address)",
        widget=GovTextInput(),
        validators=[Length(max=254, message="The email address must be 254 characters or fewer")],
    )
    organisation = SelectField("Organisation", widget=GovSelect(), validate_choice=False)
    object = SelectField("Kind of record", widget=GovSelect(), validate_choice=False)
    object_id = StringField(
        "Record number",
        widget=GovTextInput(),
        description="The number in the record's address, for example 12 in /allocations/12",
        validators=[
            Regexp(r"^\d{0,9}$", message="Enter the record number in figures, like 12"),
        ],
    )
    action = SelectField("What was done", widget=GovSelect(), validate_choice=False)
    since = StringField(
        "From",
        widget=GovTextInput(),
        description="For example, 1/4/2020",
        validators=[Regexp(DATE_TEXT, message="Enter the date like 1/4/2020")],
    )
    until = StringField(
        "To",
        widget=GovTextInput(),
        description="For example, 31/3/2021",
        validators=[Regexp(DATE_TEXT, message="Enter the date like 31/3/2021")],
    )
    sign_ins = RadioField(
        "Sign-ins and sign-outs",
        widget=GovRadioInput(),
        choices=[("hidden", "Leave out"), ("shown", "Include"), ("only", "Only sign-ins")],
        default="hidden",
        validate_choice=False,
    )
