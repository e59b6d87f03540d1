from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovTextInput
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, InputRequired

from tracker.web.forms import TrackerForm, length_at_most, no_control_characters


class AcceptOfferForm(TrackerForm):
    """The signatory's acceptance. Every answer is asked for here, so that all that is missing
    is shown at once; the service checks them again (services/offers)."""

    name = StringField(
        "Your full name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter your full name"),
            length_at_most(200, "full name"),
            no_control_characters,
        ],
    )
    job_title = StringField(
        "Your job title",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter your job title"),
            length_at_most(200, "job title"),
            no_control_characters,
        ],
    )
    declaration = BooleanField(
        "I am authorised to accept this offer for my organisation, and I accept the grant on "
        "the terms and conditions set out above",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Confirm the declaration to accept the offer")],
    )
