from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextInput
from wtforms import EmailField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from tracker.web.forms import TrackerForm, no_control_characters


class InviteForm(TrackerForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the person's full name"),
            Length(max=200, message="The name must be 200 characters or fewer"),
            no_control_characters,
        ],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        description="We will email them a link to set their own password. It works for 7 days.",
        validators=[
            DataRequired("Enter the person's email address"),
            Regexp(
                r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$",
                message="Enter an email address in the correct format, like name@example.gov.uk",
            ),
            Length(max=254, message="The email address must be 254 characters or fewer"),
        ],
    )
    role = RadioField(
        "Role", widget=GovRadioInput(), validators=[DataRequired("Select the person's role")]
    )
    organisation = SelectField(
        "Organisation (grantee users and certifiers only)", widget=GovSelect()
    )
