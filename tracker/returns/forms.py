from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from tracker.domain.statuses import Rag, ReturnStatus, SpendCategory
from tracker.web.forms import (
    GovDateField,
    MoneyField,
    TrackerForm,
    VersionedForm,
    length_at_most,
    per_indicator_form,
)

RAG_CHOICES = [
    (Rag.GREEN.value, "Green: on track"),
    (Rag.AMBER.value, "Amber: some problems, in hand"),
    (Rag.RED.value, "Red: serious problems that need the department's help"),
]


class SpendForm(VersionedForm):
    staff = MoneyField(
        "Staff", name_in_errors="spend on staff", description="Enter 0 if there was none"
    )
    delivery = MoneyField("Delivery", name_in_errors="spend on delivery")
    overheads = MoneyField("Overheads", name_in_errors="spend on overheads")
    capital = MoneyField("Capital", name_in_errors="capital spend")
    overspend_explanation = TextAreaField(
        "If spend so far is more than the allocation, explain why",
        widget=GovTextArea(),
        validators=[length_at_most(5000, "explanation")],
    )

    def amounts(self) -> dict[SpendCategory, int]:
        return {category: getattr(self, category.value).data for category in SpendCategory}


def outputs_form_class(indicators) -> type[VersionedForm]:
    """The outputs a return reports: a count per indicator of the stream."""
    return per_indicator_form(VersionedForm, indicators, lambda i: i.name.lower())


def forecast_form_class(periods) -> type[VersionedForm]:
    class ForecastForm(VersionedForm):
        def amounts(self):
            from datetime import date

            return {
                date.fromisoformat(f.name.removeprefix("period_").replace("_", "-")): f.data
                for f in self
                if f.name.startswith("period_")
            }

    for start, label in periods:
        setattr(
            ForecastForm,
            f"period_{start:%Y_%m_%d}",
            MoneyField(label, name_in_errors=f"forecast for {label}"),
        )
    return ForecastForm


def milestones_form_class(milestones) -> type[VersionedForm]:
    class MilestonesForm(VersionedForm):
        def progress(self) -> dict[int, tuple[bool, str]]:
            result = {}
            for milestone in milestones:
                done = getattr(self, f"completed_{milestone.id}").data == "yes"
                note = getattr(self, f"note_{milestone.id}").data or ""
                result[milestone.id] = (done, note)
            return result

    for milestone in milestones:
        setattr(
            MilestonesForm,
            f"completed_{milestone.id}",
            RadioField(
                f"Has “{milestone.title}” been completed?",
                widget=GovRadioInput(),
                choices=[("yes", "Yes"), ("no", "No")],
                validators=[DataRequired(f"Select whether “{milestone.title}” has been completed")],
            ),
        )
        setattr(
            MilestonesForm,
            f"note_{milestone.id}",
            TextAreaField(
                f"Progress on “{milestone.title}”",
                widget=GovTextArea(),
                validators=[length_at_most(2000, "progress note")],
            ),
        )
    return MilestonesForm


class NarrativeForm(VersionedForm):
    narrative = TextAreaField(
        "What progress was made in this period?",
        widget=GovTextArea(),
        validators=[
            DataRequired("Describe the progress made in this period"),
            length_at_most(10_000, "description of progress"),
        ],
    )
    risks = TextAreaField(
        "What are the risks to delivery, and what are you doing about them?",
        widget=GovTextArea(),
        validators=[length_at_most(10_000, "risks")],
    )


class RagForm(VersionedForm):
    rag = RadioField(
        "How is the project going overall?",
        widget=GovRadioInput(),
        choices=RAG_CHOICES,
        validators=[DataRequired("Select how the project is going")],
    )


class ResponseForm(VersionedForm):
    response = TextAreaField(
        "Your answer to the department",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter your answer to the department's reasons"),
            length_at_most(10_000, "answer"),
        ],
    )


class SubmitForm(VersionedForm):
    declared_by_name = StringField(
        "Your full name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter your full name to make the declaration"),
            Length(max=200, message="Your name must be 200 characters or fewer"),
        ],
    )
    confirm = BooleanField(
        "I confirm that the information in this return is accurate and complete, and that the "
        "money was spent on the purposes of the grant",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Confirm the declaration to submit the return")],
    )


class SignOffForm(VersionedForm):
    decision = RadioField(
        "Do you sign off this return?",
        widget=GovRadioInput(),
        choices=[
            ("sign-off", "Yes, sign it off and send it to the department"),
            ("send-back", "No, send it back to my colleague"),
        ],
        validators=[DataRequired("Select whether you sign off the return")],
    )
    reason = TextAreaField(
        "Why are you sending it back?",
        widget=GovTextArea(),
        validators=[length_at_most(5000, "reason")],
    )


class ReviewForm(VersionedForm):
    decision = RadioField(
        "Your decision",
        widget=GovRadioInput(),
        choices=[("approve", "Approve the return"), ("send-back", "Send it back for changes")],
        validators=[DataRequired("Select your decision")],
    )
    reviewer_rag = RadioField(
        "Your RAG rating of the project",
        widget=GovRadioInput(),
        choices=RAG_CHOICES,
        validators=[DataRequired("Select your RAG rating")],
    )
    reasons = TextAreaField(
        "Reasons",
        widget=GovTextArea(),
        description="Needed to send it back; the grantee will read them",
        validators=[length_at_most(5000, "reasons")],
    )

    def validate_reasons(self, field):
        """Checked with the other fields, so every mistake shows at once."""
        if self.decision.data == "send-back" and not (field.data or "").strip():
            raise ValidationError("Enter the reasons the return is being sent back")


class DueDateForm(VersionedForm):
    due_on = GovDateField("New due date", name_in_errors="new due date")
    reason = TextAreaField(
        "Why is it moving?",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter why the due date is moving"),
            length_at_most(2000, "reason"),
        ],
    )


class QueueFilterForm(TrackerForm):
    class Meta:
        csrf = False

    stream = SelectField("Stream", widget=GovSelect(), validate_choice=False)
    status = SelectField(
        "Status",
        widget=GovSelect(),
        validate_choice=False,
        choices=[("", "Any status"), ("overdue", "Overdue")]
        + [(s.value, s.value.capitalize()) for s in ReturnStatus],
    )
    rag = SelectField(
        "Grantee's RAG",
        widget=GovSelect(),
        validate_choice=False,
        choices=[("", "Any"), *[(r.value, r.value.capitalize()) for r in Rag]],
    )
