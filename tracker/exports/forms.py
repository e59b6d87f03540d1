"""The filters of the downloads, kept in the query string so that every link carries them."""

from collections.abc import Mapping

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField

from tracker.data.exports import FUNDER_NOT_STATED, ExportFilters, FilterChoices
from tracker.domain.periods import FIRST_YEAR, LAST_YEAR, FinancialYear
from tracker.web.forms import TrackerForm
from tracker.web.pages import id_or_none

MAX_REGION = 60


def year_text(year: FinancialYear) -> str:
    return f"{year.label} (1 April {year.start_year} to 31 March {year.end.year})"


class ExportFilterForm(TrackerForm):
    class Meta:
        csrf = False

    year = SelectField("Financial year", widget=GovSelect(), validate_choice=False)
    stream = SelectField("Stream", widget=GovSelect(), validate_choice=False)
    funder = SelectField("Funder", widget=GovSelect(), validate_choice=False)
    region = SelectField("Region", widget=GovSelect(), validate_choice=False)

    def offer(self, choices: FilterChoices) -> None:
        self.year.choices = [("", "All years")] + [
            (str(year.start_year), year_text(year)) for year in choices.years
        ]
        self.stream.choices = [("", "All streams")] + [
            (str(stream_id), name) for stream_id, name in choices.streams
        ]
        self.funder.choices = (
            [("", "All funders")]
            + [(str(department_id), name) for department_id, name in choices.departments]
            + [(FUNDER_NOT_STATED, "Not stated in the source")]
        )
        self.region.choices = [("", "All regions")] + [(r, r) for r in choices.regions]


def _year(text: str) -> FinancialYear:
    """2020, or 2020-21: both mean the year from 1 April 2020 to 31 March 2021."""
    if text.isascii() and text.isdigit() and len(text) == 4:
        return FinancialYear.within_range(int(text))
    return FinancialYear.parse(text)


def _id(text: str) -> int:
    value = id_or_none(text)
    if value is None:
        raise ValueError(f"{text!r} is not an id")
    return value


def _funder(text: str) -> int | str:
    return FUNDER_NOT_STATED if text == FUNDER_NOT_STATED else _id(text)


def _region(text: str) -> str:
    if len(text) > MAX_REGION:
        raise ValueError("too long for a region")
    # No region has one, and PostgreSQL refuses a NUL in text: a query with it was a 500.
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValueError("control characters in a region")
    return text


READERS = {"year": _year, "stream": _id, "funder": _funder, "region": _region}
FIELDS = {"year": "year", "stream": "stream_id", "funder": "funder", "region": "region"}


class FilterUnreadable(ValueError):
    """A filter in a query string that cannot be read, with a message that names it (and never
    repeats what was given)."""

    def __init__(self, name: str):
        message = f"The {name} filter was not understood: remove it or choose one from the page."
        if name == "year":
            message = (
                f"The year filter was not understood: choose a financial year from "
                f"{FinancialYear(FIRST_YEAR).label} to {FinancialYear(LAST_YEAR).label}."
            )
        super().__init__(message)
        self.message = message


def filters_from(args: Mapping[str, str], *, strict: bool = True) -> ExportFilters:
    """The filters in a query string. An unreadable value is a ValueError when strict (a
    download must never quietly ignore a filter it was given), and is left out otherwise (the
    page shows that filter as not chosen)."""
    values = {}
    for name, read in READERS.items():
        text = (args.get(name) or "").strip()
        if not text:
            continue
        try:
            values[FIELDS[name]] = read(text)
        except ValueError as error:
            if strict:
                raise FilterUnreadable(name) from error
    return ExportFilters(**values)


def query_of(filters: ExportFilters) -> dict[str, str]:
    """The query-string arguments that give these filters back (only those chosen)."""
    query = {}
    if filters.year is not None:
        query["year"] = str(filters.year.start_year)
    if filters.stream_id is not None:
        query["stream"] = str(filters.stream_id)
    if filters.funder is not None:
        query["funder"] = str(filters.funder)
    if filters.region is not None:
        query["region"] = filters.region
    return query
