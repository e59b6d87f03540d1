from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired

from tracker.domain.periods import FinancialYear
from tracker.domain.statuses import SpendCategory
from tracker.web.forms import GovDateField, MoneyField, TrackerForm, length_at_most


class ReasonForm(TrackerForm):
    reason = TextAreaField(
        "Why do you need this change?",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter why you are asking for this change"),
            length_at_most(5000, "reason"),
        ],
    )


def years_form_class(first_year: int, last_year: int) -> type[ReasonForm]:
    class YearsForm(ReasonForm):
        def proposed(self) -> dict[str, int]:
            return {
                f.name.removeprefix("year_"): f.data or 0
                for f in self
                if f.name.startswith("year_")
            }

    for year in range(first_year, last_year + 1):
        label = FinancialYear(year).label
        setattr(YearsForm, f"year_{year}", MoneyField(label, name_in_errors=f"amount for {label}"))
    return YearsForm


class CategoriesForm(ReasonForm):
    staff = MoneyField("Staff", name_in_errors="amount for staff")
    delivery = MoneyField("Delivery", name_in_errors="amount for delivery")
    overheads = MoneyField("Overheads", name_in_errors="amount for overheads")
    capital = MoneyField("Capital", name_in_errors="amount for capital")

    def proposed(self) -> dict[str, int]:
        return {c.value: getattr(self, c.value).data for c in SpendCategory}


class EndDateForm(ReasonForm):
    planned_end = GovDateField("New end date", name_in_errors="new end date")

    def proposed(self) -> dict[str, str]:
        return {"planned_end": self.planned_end.data.isoformat()}


class DecisionForm(TrackerForm):
    decision = RadioField(
        "Your decision",
        widget=GovRadioInput(),
        choices=[("approve", "Approve the change"), ("refuse", "Refuse it")],
        validators=[DataRequired("Select your decision")],
    )
    note = TextAreaField(
        "Note to the grantee",
        widget=GovTextArea(),
        description="Needed to refuse",
        validators=[length_at_most(5000, "note")],
    )
