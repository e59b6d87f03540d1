from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
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


class NewUserForm(UserForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the user's email address"),
            # Not wtforms' Email(): it needs the email_validator package, which is not installed
            # (every POST of this form was a 500). Something@something.something is enough here.
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message="Enter an email address in the correct format, like name@example.gov.uk",
            ),
            Length(max=254, message="The email address must be 254 characters or fewer"),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        description="12 characters or more. Give it to the user separately.",
        validators=[
            DataRequired("Enter a password"),
            Length(max=1000, message="The password must be 1,000 characters or fewer"),
        ],
    )


class ConfirmForm(TrackerForm):
    """A button and its CSRF token: nothing to fill in."""
