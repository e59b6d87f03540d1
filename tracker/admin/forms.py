from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length

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
