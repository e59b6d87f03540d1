from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from tracker.domain.statuses import PaymentStatus
from tracker.web.forms import GovDateField, TrackerForm, VersionedForm, length_at_most


class ApproveForm(VersionedForm):
    """Nothing to enter: the button is the decision."""


class PaidForm(VersionedForm):
    paid_on = GovDateField("Date paid", name_in_errors="date paid")
    reference = StringField(
        "Payment reference",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the payment reference"),
            Length(max=60, message="The reference must be 60 characters or fewer"),
        ],
    )
    # "yes" once the finance officer has seen the check page: only then is it saved.
    confirmed = HiddenField()

    def validate_confirmed(self, field):
        if field.data not in (None, "", "yes"):
            raise ValidationError("Check the date and reference, then record the payment")


class HoldForm(VersionedForm):
    reason = TextAreaField(
        "Why is the payment being held?",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter why the payment is being held"),
            length_at_most(2000, "reason"),
        ],
    )


class CompleteMilestoneForm(TrackerForm):
    completed_on = GovDateField("Date completed", name_in_errors="date completed")


class PaymentFilterForm(TrackerForm):
    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        widget=GovSelect(),
        validate_choice=False,
        choices=[("", "Any status")] + [(s.value, s.value.capitalize()) for s in PaymentStatus],
    )
