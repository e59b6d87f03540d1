from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from tracker.forms import TrackerForm


class SignInForm(TrackerForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired("Enter your password"),
            Length(max=1000, message="Password must be 1,000 characters or fewer"),
        ],
    )


def _six_digits(form, field):
    if field.data and not (len(field.data) == 6 and field.data.isascii() and field.data.isdigit()):
        raise ValidationError("Enter the code as 6 digits, like 123456")


def _without_spaces(value):
    # Apps show codes as "123 456"; people copy them that way.
    return value.replace(" ", "").replace("-", "") if isinstance(value, str) else value


class CodeForm(TrackerForm):
    code = StringField(
        "Code from your authenticator app",
        widget=GovTextInput(),
        filters=[_without_spaces],
        validators=[
            DataRequired("Enter the 6-digit code from your authenticator app"),
            _six_digits,
        ],
    )


class ForgottenPasswordForm(TrackerForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )


class NewPasswordForm(TrackerForm):
    """Choosing one's own password: after a reset link, or on accepting an invitation."""

    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description=(
            "12 characters or more. A few unrelated words make a password that is long and "
            "easy to remember. There are no rules about numbers or symbols."
        ),
        validators=[
            DataRequired("Enter a new password"),
            Length(max=1000, message="Password must be 1,000 characters or fewer"),
        ],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired("Enter your new password again"),
            EqualTo("new_password", message="The passwords do not match: enter the same one twice"),
        ],
    )
