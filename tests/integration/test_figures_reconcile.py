"""Every headline figure of the minister's summary that comes from allocations, returns and
payments equals the sum of the matching rows of the CSV exports under the same filters, to the
penny: committed, in draft and offered (allocations by status; with a financial year, their
profile for it), reported spend (returns submitted, approved or sent back) and paid (payments
paid). Announced and budget are the streams' own figures, in no export; they are checked
against the streams' rows. Run on the demo data and on the generator's `small` data."""

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bench.data.cli import bench_data_command
from tests.conftest import VIEWER, Browser, PageCheckingClient, build_app
from tests.reading import soup_of
from tracker.extensions import db
from tracker.models import FundingStream, Organisation, StreamBudget
from tracker.totals import vocabulary

COMMITTED = {str(s) for s in vocabulary.COMMITTED}
REPORTED = {str(s) for s in vocabulary.REPORTED}


def _pounds(text: str) -> Decimal:
    return Decimal(
        text.replace("about", "").replace("£", "").replace(",", "").strip() or "0"
    )


def headlines(page) -> dict[str, Decimal]:
    soup = soup_of(page)
    figures = {}
    for figure in soup.find(id="headlines").select(".tracker-figure"):
        label = figure.find("span").get_text(strip=True)
        figures[label] = _pounds(figure.find("p").get_text())
    figures["In draft"] = _pounds(soup.find(id="in-draft").get_text())
    figures["Offered"] = _pounds(soup.find(id="offered").get_text())
    return figures


def rows(visitor, name: str, query: str) -> list[dict]:
    response = visitor.get(f"/exports/{name}.csv?{query}")
    assert response.status_code == 200, (name, query)
    text = response.get_data(as_text=True)
    lines = [line for line in csv.reader(io.StringIO(text))]
    header = next(i for i, line in enumerate(lines) if "Status" in line)  # after any notes
    keys = lines[header]
    return [dict(zip(keys, line, strict=False)) for line in lines[header + 1 :] if line]


def from_exports(visitor, query: str, year: str | None) -> dict[str, Decimal]:
    allocations = rows(visitor, "allocations", query)
    amount = (
        next((k for k in allocations[0] if k.startswith("Profiled for")), None)
        if (year and allocations)
        else "Amount awarded (£)"
    )

    def allocated(statuses) -> Decimal:
        return sum(
            (_pounds(r[amount] or "0") for r in allocations if r["Status"] in statuses),
            Decimal(0),
        )

    returns = rows(visitor, "returns", query)
    payments = rows(visitor, "payments", query)
    return {
        "Committed": allocated(COMMITTED),
        "In draft": allocated({"draft"}),
        "Offered": allocated({"offered"}),
        "Reported spend": sum(
            (_pounds(r["Total spend (£)"]) for r in returns if r["Status"] in REPORTED),
            Decimal(0),
        ),
        "Paid": sum(
            (_pounds(r["Amount (£)"]) for r in payments if r["Status"] == "paid"), Decimal(0)
        ),
    }


def filter_sets(session) -> list[dict]:
    stream = session.scalar(
        select(FundingStream.id).order_by(FundingStream.announced_pence.desc()).limit(1)
    )
    region = session.scalar(
        select(Organisation.region).where(Organisation.region != "").order_by(Organisation.region)
    )
    year = session.scalar(select(func.min(FundingStream.first_year)))
    return [
        {},
        {"year": str(year)},
        {"stream": str(stream)},
        {"region": region},
        {"year": str(year), "region": region},
    ]


def check_reconciles(visitor, session) -> None:
    for chosen in filter_sets(session):
        query = "&".join(f"{k}={v}" for k, v in chosen.items())
        summary = headlines(visitor.get(f"/summary?{query}"))
        exported = from_exports(visitor, query, chosen.get("year"))
        for label, figure in exported.items():
            assert summary[label] == figure, f"{label} with {chosen or 'no filters'}"
        streams = select(func.coalesce(func.sum(FundingStream.announced_pence), 0)).where(
            FundingStream.announced_at_summit.is_(True)
        )
        if "stream" in chosen:
            streams = streams.where(FundingStream.id == int(chosen["stream"]))
        assert summary["Announced at the summit"] * 100 == session.scalar(streams)
        budget = select(
            func.coalesce(func.sum(StreamBudget.resource_pence + StreamBudget.capital_pence), 0)
        )
        if "stream" in chosen:
            budget = budget.where(StreamBudget.stream_id == int(chosen["stream"]))
        if "year" in chosen:
            budget = budget.where(StreamBudget.financial_year == int(chosen["year"]))
        assert summary["Budget"] * 100 == session.scalar(budget)


def test_the_summary_reconciles_with_the_exports_on_the_demo_data(signed_in, transaction):
    check_reconciles(signed_in(VIEWER), transaction)


@pytest.fixture(scope="module")
def small_data_app(make_database):
    app = build_app(make_database())
    app.test_client_class = PageCheckingClient
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    made = app.test_cli_runner().invoke(bench_data_command, ["--scale", "small"])
    assert made.exit_code == 0, made.output
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_summary_reconciles_with_the_exports_on_the_generated_small_data(small_data_app):
    from bench.data.sizes import EMAIL_DOMAIN

    with small_data_app.app_context():
        visitor = Browser(small_data_app.test_client())
        response = visitor.sign_in(f"viewer@department.{EMAIL_DOMAIN}")
        assert response.status_code == 302
        check_reconciles(visitor, db.session)
