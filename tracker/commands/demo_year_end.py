"""Illustrative year-end outturn for the demo (with its history). The Hidden Harms streams ran
in 2020-21 and 2021-22, so no stream has a year under way and the year-end warning (from 1
October: tracker/services/outturn.py) would never show. This adds one made-up stream with a
budget for the financial year under way when the demo is seeded, and three grants in it that
commit well under that budget; their returns so far are filled by demo_history like every
other demo grant's. From 1 October of that year the stream is flagged, under budget, on its page,
the minister's summary and the year-end dashboard. Every figure is made up."""

from datetime import date

from tracker.data import streams as stream_data
from tracker.data.store import save
from tracker.domain.money import PENCE_PER_POUND
from tracker.domain.periods import FinancialYear
from tracker.models import Indicator
from tracker.services import streams as stream_service
from tracker.services.audit import SYSTEM

CODE = "HHYE"
NAME = "Hidden Harms year-end illustration (illustrative)"
BUDGET_POUNDS = 1_000_000
# org-id -> pounds: £700,000 committed of the £1,000,000 budget, 30% under it.
GRANTS = {"GB-LAE-BIR": 250_000, "GB-LAE-MAN": 250_000, "GB-LAE-LDS": 200_000}


def year_under_way(today: date) -> int:
    return FinancialYear.containing(today).start_year


def add_stream(today: date) -> bool:
    """The illustrative stream with its budget for the year under way (once). Gives whether it
    was added."""
    if stream_data.stream_by_code(CODE) is not None:
        return False
    year = year_under_way(today)
    stream = stream_service.create_stream(
        SYSTEM,
        code=CODE,
        name=NAME,
        department=None,
        announced_pence=BUDGET_POUNDS * PENCE_PER_POUND,
        announced_on=FinancialYear(year).start,
        announced_at_summit=False,
        first_year=year,
        last_year=year,
        description="A made-up stream for the demo, so the year-end outturn of a year under "
        "way can be seen: its grants commit well under its budget.",
        source_citation="Illustrative: made up for the demo, never announced.",
        budget_note="Illustrative: made up for the demo.",
    )
    save(Indicator(stream_id=stream.id, code="PEOPLE", name="People supported", unit="people"))
    stream_service.set_budget(
        SYSTEM,
        stream,
        year,
        resource_pence=BUDGET_POUNDS * PENCE_PER_POUND,
        capital_pence=0,
    )
    return True


def allocations(today: date) -> list[dict]:
    """The stream's grants, as entries of the demo's allocations: active all year."""
    year = year_under_way(today)
    return [
        {
            "identifier": f"360G-HHT-DEMO-{CODE}-{org_id.rsplit('-', 1)[1]}",
            "stream": CODE,
            "organisation": org_id,
            "title": "Support for people facing hidden harms this year (illustrative)",
            "pounds": pounds,
            "awarded_on": date(year, 4, 1),
            "planned_start": date(year, 4, 1),
            "planned_end": date(year + 1, 3, 31),
            "profile": {str(year): pounds},
            "status": "active",
        }
        for org_id, pounds in GRANTS.items()
    ]
