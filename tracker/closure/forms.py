from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from tracker.web.forms import (
    GovDateField,
    MoneyField,
    TrackerForm,
    VersionedForm,
    WholeNumberField,
    length_at_most,
    no_control_characters,
)


def final_return_form(targets) -> type:
    """The final return, with a whole-number field per target (`target_<id>`)."""

    class FinalReturnForm(TrackerForm):
        eligible_spend = MoneyField(
            "Total spent on eligible costs over the whole grant",
            name_in_errors="total spent on eligible costs",
        )
        lessons = TextAreaField(
            "Lessons learned",
            widget=GovTextArea(),
            description="What worked, what did not, and what you would do differently",
            validators=[
                DataRequired("Enter the lessons learned"),
                length_at_most(10_000, "lessons"),
            ],
        )
        evidence = TextAreaField(
            "Evidence",
            widget=GovTextArea(),
            description="What evidence supports these figures, and where it is held: for "
            "example the statement of grant expenditure signed by your chief finance officer",
            validators=[
                DataRequired("Say what evidence supports the final return"),
                length_at_most(5_000, "evidence"),
            ],
        )
        file = FileField(
            "Attach a file (optional)",
            widget=GovFileInput(),
            description="For example the statement of grant expenditure. PDF, DOCX, XLSX, CSV, "
            "PNG or JPEG, smaller than 10MB",
        )

        def attachment(self) -> tuple[str, bytes] | None:
            """The file chosen, as its name and content; None when none was."""
            upload = self.file.data
            if not upload or not getattr(upload, "filename", ""):
                return None
            return upload.filename, upload.read()

        def delivered(self) -> dict[int, int]:
            return {
                int(f.name.removeprefix("target_")): f.number
                for f in self
                if f.name.startswith("target_")
            }

    for target in targets:
        setattr(
            FinalReturnForm,
            f"target_{target.id}",
            WholeNumberField(
                f"{target.name} ({target.unit}): {target.title}",
                name_in_errors=f"number delivered for {target.name}",
                description=f"The target was {target.target:,}",
            ),
        )
    return FinalReturnForm


class ClosureForm(VersionedForm):
    decision = RadioField(
        "Your decision",
        widget=GovRadioInput(),
        choices=[
            ("close", "Accept the final return and close the grant"),
            ("send_back", "Send it back to the grantee"),
        ],
        validators=[DataRequired("Choose whether to close the grant or send the return back")],
    )
    reasons = TextAreaField(
        "Why it is being sent back",
        widget=GovTextArea(),
        description="The grantee will see this",
        validators=[Optional(), length_at_most(5_000, "reasons")],
    )
    due_on = GovDateField(
        "Date to pay back by",
        name_in_errors="date to pay back by",
        optional=True,
        description="Only where money paid was not spent on eligible costs",
    )
    reason = StringField(
        "Reason for the recovery",
        widget=GovTextInput(),
        default="Paid but not spent on eligible costs",
        validators=[
            Optional(),
            length_at_most(500, "reason for the recovery"),
            no_control_characters,
        ],
    )


class ReceiptForm(TrackerForm):
    version = HiddenField()
    amount = MoneyField("Amount received", name_in_errors="amount received")
    received_on = GovDateField("Date received", name_in_errors="date received")
    reference = StringField(
        "Payment reference",
        widget=GovTextInput(),
        validators=[Optional(), length_at_most(60, "payment reference"), no_control_characters],
    )


class WriteOffForm(TrackerForm):
    version = HiddenField()
    reason = TextAreaField(
        "Why it is being written off",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter why the money is being written off"),
            length_at_most(2_000, "reason"),
        ],
    )


class WriteOffDecisionForm(TrackerForm):
    version = HiddenField()
    decision = RadioField(
        "Your decision",
        widget=GovRadioInput(),
        choices=[
            ("approve", "Approve the write-off"),
            ("refuse", "Refuse it: the money is still owed"),
        ],
        validators=[DataRequired("Choose whether to approve the write-off")],
    )
