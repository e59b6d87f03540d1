from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.web.forms import TrackerForm

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
