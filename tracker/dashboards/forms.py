from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField

from tracker.data import reporting
from tracker.data import streams as stream_data
from tracker.data.reporting import Filters
from tracker.domain.periods import FinancialYear
from tracker.domain.regions import REGIONS
from tracker.web.forms import TrackerForm
from tracker.web.pages import id_or_none


class FilterForm(TrackerForm):
    """The dashboard filters, read from and kept in the URL so a view can be shared."""

    class Meta:
        csrf = False

    year = SelectField("Financial year", widget=GovSelect(), validate_choice=False)
    stream = SelectField("Stream", widget=GovSelect(), validate_choice=False)
    funder = SelectField("Funder", widget=GovSelect(), validate_choice=False)
    region = SelectField("Region", widget=GovSelect(), validate_choice=False)

    def fill_choices(self) -> None:
        streams = stream_data.stream_choices()
        first = min((s.first_year for s in streams), default=2020)
        last = max((s.last_year for s in streams), default=2020)
        self.year.choices = [("", "All years")] + [
            (str(y), FinancialYear(y).label) for y in range(first, last + 1)
        ]
        self.stream.choices = [("", "All streams")] + [(str(s.id), s.name) for s in streams]
        self.funder.choices = [("", "All funders")] + [
            (str(i), name) for i, name in reporting.departments()
        ]
        # The regions an organisation can be given (no query: a department has thousands).
        self.region.choices = [("", "All regions")] + [(r, r) for r in REGIONS]

    def filters(self) -> Filters:
        """Only values that are among the choices count; anything else is ignored."""
        allowed = {
            name: {value for value, _ in getattr(self, name).choices}
            for name in ("year", "stream", "funder", "region")
        }
        pick = {name: (getattr(self, name).data or "") for name in allowed}
        pick = {name: value if value in allowed[name] else "" for name, value in pick.items()}
        return Filters(
            financial_year=id_or_none(pick["year"]),
            stream_id=id_or_none(pick["stream"]),
            department_id=id_or_none(pick["funder"]),
            region=pick["region"] or None,
        )
