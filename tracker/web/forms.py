"""What every form shares: whitespace stripped from text (never from a password, whose every
character counts), money read as whole pence, dates in the GOV.UK three-part input (31 February
refused), and GOV.UK wording for each error."""

import re
from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovPasswordInput, GovTextInput
from wtforms import Field, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from tracker.domain import typed_text
from tracker.domain.money import MoneyError, format_input, parse_pounds

MAX_TEXT = 10_000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class TrackerForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []) or [])
            # A password is taken as typed: " secret " set by `flask create-user` must work on
            # the web too (notifications-admin leaves passwords alone for the same reason).
            if issubclass(unbound_field.field_class, StringField) and not issubclass(
                unbound_field.field_class, PasswordField
            ):
                filters.append(_strip)
            options["filters"] = filters
            field = unbound_field.bind(form=form, **options)
            if issubclass(unbound_field.field_class, StringField):
                # A NUL cannot be stored in PostgreSQL text; no answer needs control characters.
                field.validators = [*field.validators, no_control_characters]
            return field


class MoneyField(Field):
    """An amount in pounds, read into whole pence (`data` is an int)."""

    widget = GovTextInput()

    def __init__(
        self,
        label=None,
        validators=None,
        *,
        name_in_errors: str = "amount",
        optional: bool = False,
        **kwargs,
    ):
        super().__init__(label, validators, **kwargs)
        self.name_in_errors = name_in_errors
        self.optional = optional
        self._error: str | None = None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_input(self.data) if self.data is not None else ""

    def process_formdata(self, valuelist):
        self._error = None
        if not valuelist:
            return
        text = valuelist[0] if isinstance(valuelist[0], str) else ""
        if not text.strip() and self.optional:
            self.data = None
            return
        try:
            self.data = parse_pounds(text, name=self.name_in_errors)
        except MoneyError as error:
            self.data = None
            self._error = str(error)

    def pre_validate(self, form):
        if self._error:
            raise ValidationError(self._error)
        if self.data is None and not self.optional:
            raise ValidationError(f"Enter the {self.name_in_errors}")


class GovDateField(Field):
    """A date from the GOV.UK date input (day, month, year sharing one name)."""

    widget = GovDateInput()

    def __init__(
        self,
        label=None,
        validators=None,
        *,
        name_in_errors: str = "date",
        optional: bool = False,
        **kwargs,
    ):
        super().__init__(label, validators, **kwargs)
        self.name_in_errors = name_in_errors
        self.optional = optional
        self._error: str | None = None

    def _value(self):
        return ""

    def process_formdata(self, valuelist):
        self._error = None
        parts = [(value if isinstance(value, str) else "").strip() for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        if not any(parts):
            self.data = None
            return
        names = ["day", "month", "year"]
        missing = [name for name, part in zip(names, parts, strict=True) if not part]
        if missing:
            self._error = f"The {self.name_in_errors} must include a {' and '.join(missing)}"
            return
        if not all(part.isascii() and part.isdigit() and len(part) <= 4 for part in parts):
            self._error = f"The {self.name_in_errors} must be a real date, like 27 3 2021"
            return
        day, month, year = (int(part) for part in parts)
        if not 1900 <= year <= 2100:
            self._error = f"The year of the {self.name_in_errors} must be 4 digits, like 2021"
            return
        try:
            self.data = date(year, month, day)
        except ValueError:
            self._error = f"The {self.name_in_errors} must be a real date"

    def pre_validate(self, form):
        if self._error:
            self.data = None
            raise ValidationError(self._error)
        if self.data is None and not self.optional:
            raise ValidationError(f"Enter the {self.name_in_errors}")


def length_at_most(limit: int, name: str):
    def check(form, field):
        if field.data and len(field.data) > limit:
            raise ValidationError(f"The {name} must be {limit:,} characters or fewer")

    return check


def no_control_characters(form, field):
    """The one text rule for forms and imports alike (tracker/domain/typed_text.py)."""
    if field.data and isinstance(field.data, str) and typed_text.first_unusual(field.data):
        raise ValidationError(typed_text.MESSAGE)


def error_summary(form) -> dict:
    """govuk-frontend-wtf's error list, with the form's own (not a field's) errors linking to
    the message at the top of the form instead of to "#None"."""
    from govuk_frontend_wtf.main import wtforms_errors

    params = wtforms_errors(form)
    for item in params["errorList"]:
        if item["href"] in {"#None", "#"}:
            item["href"] = "#form-error"
    return params


# --- forms several blueprints share ---------------------------------------------------------


class VersionedForm(TrackerForm):
    """Carries the version of the return the page was drawn from (optimistic locking)."""

    version = HiddenField()

    def expected_version(self) -> int | None:
        from tracker.web.pages import id_or_none

        version = id_or_none(self.version.data)
        return version if version is not None else -1


class DoneForm(VersionedForm):
    """Marks a section with nothing else to enter (evidence can be none) as done."""


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


class ConfirmForm(TrackerForm):
    """A button and its CSRF token: nothing to fill in."""


WHOLE_NUMBER = re.compile(r"\d{1,3}(,\d{3})+|\d+", re.ASCII)


class WholeNumberField(StringField):
    """A count: a whole number of zero or more, with a message that names what is counted."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, *, name_in_errors: str = "number", **kw):
        super().__init__(label, validators, **kw)
        self.name_in_errors = name_in_errors
        self.number: int | None = None

    def pre_validate(self, form):
        text = (self.data or "").strip()
        if not text:
            raise ValidationError(f"Enter the {self.name_in_errors}")
        if text.startswith("-"):
            raise ValidationError(f"The {self.name_in_errors} must be 0 or more")
        # Plain digits or thousands grouped correctly ("1,250"): "10,00" or "1,0,0" is a
        # typing slip whose meaning is unclear, not 1000 or 100. ASCII only: "²" is no digit.
        if not WHOLE_NUMBER.fullmatch(text) or len(text.replace(",", "")) > 9:
            raise ValidationError(f"Enter the {self.name_in_errors} as a whole number, like 12")
        self.number = int(text.replace(",", ""))


def per_indicator_form(base: type, indicators, error_name) -> type:
    """`base` with a whole-number field per output indicator (named `indicator_<id>`), and
    `values()` giving {indicator id: number}: the outputs a return reports, the targets a project
    sets. `error_name(indicator)` names the number in its error messages."""

    class PerIndicatorForm(base):
        def values(self) -> dict[int, int]:
            return {
                int(f.name.removeprefix("indicator_")): f.number
                for f in self
                if f.name.startswith("indicator_")
            }

    for indicator in indicators:
        field = WholeNumberField(
            f"{indicator.name} ({indicator.unit})", name_in_errors=error_name(indicator)
        )
        setattr(PerIndicatorForm, f"indicator_{indicator.id}", field)
    return PerIndicatorForm
