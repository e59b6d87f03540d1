from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovTextInput
from wtforms import PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.services.api_tokens import LIFETIMES
from tracker.web.forms import TrackerForm, no_control_characters

LONGEST = Length(max=1000, message="Password must be 1,000 characters or fewer")


class ChangePasswordForm(TrackerForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter your current password"), LONGEST],
    )
    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=(
            "12 characters or more. A few unrelated words make a password that is long and "
            "easy to remember. There are no rules about numbers or symbols."
        ),
        validators=[DataRequired("Enter a new password"), LONGEST],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired("Enter your new password again"),
            EqualTo("new_password", message="The passwords do not match: enter the same one twice"),
        ],
    )


class ApiTokenForm(TrackerForm):
    name = StringField(
        "Name the token",
        widget=GovTextInput(),
        description="Say what it is for, so you know which to revoke: ‘Quarterly spend analysis’",
        validators=[
            DataRequired("Enter a name for the token"),
            Length(max=100, message="The name must be 100 characters or fewer"),
            no_control_characters,
        ],
    )
    days = RadioField(
        "How long it lasts",
        widget=GovRadioInput(),
        choices=[(str(days), label) for days, label in LIFETIMES.items()],
        validators=[DataRequired("Choose how long the token lasts")],
    )
