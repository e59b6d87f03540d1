"""Download data: allocations, returns and payments as CSV and Excel, and the grants awarded as a
360Giving data package. Each honours the filters (financial year, stream, funder, region), gives
money in exact pounds, streams rather than building the file in memory, and gives the minister's
office no personal data and no return narratives. Grantees get none of it."""

import csv
import io
import json
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, select

from tests.conftest import FINANCE, LAMBETH_GRANTEE, OFFICER, VIEWER, text_of
from tests.factories import add_allocation
from tests.reading import soup_of
from tracker.models import (
    Allocation,
    AllocationStatus,
    Department,
    FundingStream,
    Indicator,
    MilestoneReturn,
    Organisation,
    Payment,
    PaymentStatus,
    Project,
    Rag,
    ReturnIndicatorValue,
    ReturnSpend,
    ReturnStatus,
    SpendCategory,
    User,
)

LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"
LAMBETH_SWIS = "360G-HHT-DEMO-SWIS-LBH"  # £450,000: £225,000 in each of 2020-21 and 2021-22
DOWNLOADS = [
    "/exports/allocations.csv",
    "/exports/allocations.xlsx",
    "/exports/returns.csv",
    "/exports/returns.xlsx",
    "/exports/payments.csv",
    "/exports/payments.xlsx",
    "/exports/360giving.json",
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
NARRATIVE = "Narrative: two young people at risk were placed with a trusted adult"
RISKS = "Risks: staff turnover in the exploitation team"
DECLARED_BY = "Gail Grantee-Declarer"

# The 360Giving standard's schemas travel inside the repository (standards/360giving, CC BY 4.0),
# so the validation below runs on every checkout and never skips.
STANDARD = Path(__file__).resolve().parents[2] / "standards" / "360giving"
GRANT_SCHEMA_URL = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/"
    "360-giving-schema.json"
)


# --- helpers ---------------------------------------------------------------------------------


def one(session, model, **where):
    return session.scalars(select(model).filter_by(**where)).one()


def confirm_home_office(session) -> Department:
    """As someone who has checked the Home Office's org-id against the register would."""
    home_office = one(session, Department, name="Home Office")
    home_office.org_id_confirmed = True
    home_office.org_id_source = "Checked by the test"
    session.flush()
    return home_office


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff"), "no byte-order mark: Excel would misread the £ signs"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def csv_table(response) -> tuple[list[str], list[list[str]]]:
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, rows


def workbook_of(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(response.data), read_only=True)


def as_csv_text(header: str, value) -> str:
    """An Excel cell written as the CSV writes the same value, to compare the two files."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if header.endswith("(UTC)"):
            return value.isoformat(sep=" ", timespec="seconds")
        return value.date().isoformat()
    if "(£)" in header:
        return f"{Decimal(str(value)):.2f}"
    return str(value)


def sheet_table(workbook, title: str) -> tuple[list[str], list[list[str]]]:
    header, *rows = [list(row) for row in workbook[title].iter_rows(values_only=True)]
    return header, [[as_csv_text(h, v) for h, v in zip(header, row, strict=True)] for row in rows]


def package_of(response) -> dict:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def everything_in(response) -> str:
    """All the text a download holds, whatever its format."""
    if response.mimetype.endswith("sheet"):
        workbook = workbook_of(response)
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return response.get_data(as_text=True)


def pounds(pence: int) -> str:
    return f"{Decimal(pence) / 100:.2f}"


def lambeth_returns(session) -> list[MilestoneReturn]:
    lambeth = one(session, Allocation, identifier=LAMBETH_SWIS)
    return list(
        session.scalars(
            select(MilestoneReturn)
            .join(Project, MilestoneReturn.project_id == Project.id)
            .where(Project.allocation_id == lambeth.id)
            .order_by(MilestoneReturn.period_start)
        )
    )


@pytest.fixture
def reported(transaction):
    """A Lambeth return with spend, outputs, a narrative, risks and the name of who declared
    it; a payment against it requested by an officer and approved by finance, paid in 2020-21;
    and a payment requested in 2021-22, not yet paid."""
    session = transaction
    first, *_ = lambeth_returns(session)
    first.status = ReturnStatus.SUBMITTED
    first.narrative = NARRATIVE
    first.risks = RISKS
    first.declared_by_name = DECLARED_BY
    first.self_rag = Rag.AMBER
    first.submitted_at = datetime(2020, 10, 20, 14, 5, 0)
    session.add_all(
        [
            ReturnSpend(return_id=first.id, category=SpendCategory.STAFF, amount_pence=10_000_50),
            ReturnSpend(return_id=first.id, category=SpendCategory.DELIVERY, amount_pence=2_500_01),
        ]
    )
    stream = one(session, FundingStream, code="SWIS")
    indicators = session.scalars(
        select(Indicator).where(Indicator.stream_id == stream.id).order_by(Indicator.code)
    ).all()
    for n, indicator in enumerate(indicators, start=1):
        session.add(ReturnIndicatorValue(return_id=first.id, indicator_id=indicator.id, value=n))
    lambeth = one(session, Allocation, identifier=LAMBETH_SWIS)
    officer, finance = one(session, User, email=OFFICER), one(session, User, email=FINANCE)
    paid = Payment(
        allocation_id=lambeth.id,
        return_id=first.id,
        amount_pence=12_500_51,
        status=PaymentStatus.PAID,
        requested_by_id=officer.id,
        requested_at=datetime(2020, 11, 2, 9, 30),
        approved_by_id=finance.id,
        approved_at=datetime(2020, 11, 3, 10, 0),
        paid_on=date(2020, 11, 20),
        payment_reference="PAY-2020-0001",
    )
    requested = Payment(
        allocation_id=lambeth.id,
        amount_pence=45_000_00,
        status=PaymentStatus.REQUESTED,
        requested_by_id=officer.id,
        requested_at=datetime(2021, 6, 1, 12, 0),
    )
    session.add_all([paid, requested])
    session.flush()
    return {"return": first, "paid": paid, "requested": requested, "indicators": indicators}


# --- the page --------------------------------------------------------------------------------


@pytest.mark.parametrize("email", [OFFICER, FINANCE, VIEWER])
def test_officers_finance_and_the_ministers_office_have_a_download_page(signed_in, email):
    visitor = signed_in(email)
    response = visitor.get("/exports")
    assert response.status_code == 200
    links = {a["href"].split("?")[0] for a in soup_of(response).select("main a[download]")}
    assert links == set(DOWNLOADS)
    assert "Download data" in text_of(visitor.get("/home"))  # in the navigation


def test_the_download_links_keep_the_filters_chosen_on_the_page(signed_in, transaction):
    trf = one(transaction, FundingStream, code="TRF")
    home_office = confirm_home_office(transaction)
    response = signed_in(OFFICER).get(
        f"/exports?year=2020&stream={trf.id}&funder={home_office.id}&region=North+West"
    )
    assert response.status_code == 200
    links = soup_of(response).select("main a[download]")
    assert len(links) == len(DOWNLOADS)
    for link in links:
        assert parse_qs(urlsplit(link["href"]).query) == {
            "year": ["2020"],
            "stream": [str(trf.id)],
            "funder": [str(home_office.id)],
            "region": ["North West"],
        }
    # Manchester and Liverpool are the Trusted Relationship Fund's North West grantees.
    assert soup_of(response).find(id="count-allocations").get_text(strip=True) == "2 allocations"
    assert "Filtered by financial year: 2020-21" in text_of(response)


@pytest.mark.parametrize("email", [LAMBETH_GRANTEE, LAMBETH_CERTIFIER])
def test_grantees_can_download_nothing(signed_in, email):
    visitor = signed_in(email)
    for path in ["/exports", *DOWNLOADS]:
        response = visitor.get(path)
        assert response.status_code == 403, path
        assert "You do not have permission to see this page" in text_of(response)


def test_a_download_refuses_a_filter_it_cannot_read_rather_than_ignore_it(signed_in):
    visitor = signed_in(OFFICER)
    for query in ["year=twenty", "stream=abc", "funder=someone", "year=2020-22"]:
        for path in DOWNLOADS:
            assert visitor.get(f"{path}?{query}").status_code == 400, f"{path}?{query}"


# --- allocations -----------------------------------------------------------------------------


def test_the_allocations_csv_is_streamed_with_the_time_it_was_made_in_its_name(signed_in):
    response = signed_in(OFFICER).get("/exports/allocations.csv")
    assert response.is_streamed
    disposition = response.headers["Content-Disposition"]
    assert re.search(
        r'attachment; filename="hidden-harms-allocations-as-at-\d{4}-\d\d-\d\dT\d{6}Z\.csv"',
        disposition,
    )


def test_the_trusted_relationship_fund_exports_as_eleven_allocations_of_300000_pounds(
    signed_in, transaction
):
    trf = one(transaction, FundingStream, code="TRF")
    rows = csv_rows(signed_in(OFFICER).get(f"/exports/allocations.csv?stream={trf.id}"))
    assert len(rows) == 11
    assert {row["Amount awarded (£)"] for row in rows} == {"300000.00"}
    assert {row["Stream code"] for row in rows} == {"TRF"}
    assert {row["Funder"] for row in rows} == {"Home Office"}
    assert {row["Award date"] for row in rows} == {"2020-06-15"}
    assert {(row["Planned start"], row["Planned end"]) for row in rows} == {
        ("2020-07-01", "2021-03-31")
    }
    assert sorted(row["360Giving identifier"] for row in rows) == sorted(
        transaction.scalars(select(Allocation.identifier).where(Allocation.stream_id == trf.id))
    )


def test_every_allocation_is_a_row_with_its_amount_in_exact_pounds(signed_in, transaction):
    add_allocation(
        transaction,
        stream_code="DA-CHARITIES",
        org_id="GB-CHC-0000001",
        identifier="360G-HHT-TEST-PENNIES",
        amount_pence=1_234_567_89,
        status=AllocationStatus.OFFERED,
    )
    rows = csv_rows(signed_in(OFFICER).get("/exports/allocations.csv"))
    expected = {
        identifier: (pounds(pence), status.value)
        for identifier, pence, status in transaction.execute(
            select(Allocation.identifier, Allocation.amount_pence, Allocation.status)
        )
    }
    assert {r["360Giving identifier"]: (r["Amount awarded (£)"], r["Status"]) for r in rows} == (
        expected
    )
    assert expected["360G-HHT-TEST-PENNIES"] == ("1234567.89", "offered")


def test_allocations_filter_by_financial_year_stream_funder_and_region(signed_in, transaction):
    add_allocation(
        transaction,
        stream_code="FLOWS",
        org_id="GB-CHC-0000001",
        identifier="360G-HHT-TEST-FLOWS",
    )
    visitor = signed_in(OFFICER)

    def identifiers(query: str) -> set[str]:
        rows = csv_rows(visitor.get(f"/exports/allocations.csv?{query}"))
        return {row["360Giving identifier"] for row in rows}

    swis = {f"360G-HHT-DEMO-SWIS-{code}" for code in ("LBH", "STH", "SKP")}
    trf = {
        identifier
        for identifier in transaction.scalars(select(Allocation.identifier))
        if identifier.startswith("360G-HHT-DEMO-TRF-")
    }
    assert len(trf) == 11
    # 2021-22: only the schools allocations run past 31 March 2021.
    assert identifiers("year=2021") == swis
    assert identifiers("year=2021-22") == swis
    assert identifiers("year=2022") == set()
    assert trf <= identifiers("year=2020")
    education = one(transaction, Department, org_id="GB-GOR-D6")
    assert identifiers(f"funder={education.id}") == swis
    assert identifiers("funder=not-stated") == {"360G-HHT-TEST-FLOWS"}
    swis_stream = one(transaction, FundingStream, code="SWIS")
    assert identifiers(f"stream={swis_stream.id}") == swis
    assert identifiers("region=London") == {LAMBETH_SWIS}
    assert identifiers("region=North+West") == {
        "360G-HHT-DEMO-SWIS-SKP",
        "360G-HHT-DEMO-TRF-MAN",
        "360G-HHT-DEMO-TRF-LIV",
    }
    assert identifiers(f"region=North+West&stream={swis_stream.id}") == {"360G-HHT-DEMO-SWIS-SKP"}
    assert identifiers("region=Atlantis") == set()


def test_with_a_financial_year_the_allocations_give_the_amount_profiled_for_it(signed_in):
    rows = csv_rows(signed_in(OFFICER).get("/exports/allocations.csv?year=2021&region=London"))
    assert [(r["360Giving identifier"], r["Profiled for 2021-22 (£)"]) for r in rows] == [
        (LAMBETH_SWIS, "225000.00")
    ]


def test_the_allocations_excel_opens_and_holds_the_same_rows_as_the_csv(signed_in, transaction):
    add_allocation(
        transaction,
        stream_code="DA-CHARITIES",
        org_id="GB-CHC-0000001",
        identifier="360G-HHT-TEST-FORMULA",
        title='=HYPERLINK("http://example.com") not a formula',
        amount_pence=99_99,
    )
    visitor = signed_in(OFFICER)
    workbook = workbook_of(visitor.get("/exports/allocations.xlsx"))
    assert workbook.sheetnames == ["Allocations", "About"]
    header, rows = sheet_table(workbook, "Allocations")
    csv_header, csv_body = csv_table(visitor.get("/exports/allocations.csv"))
    assert header == csv_header
    # The CSV keeps a formula-like title as text by quoting it; Excel keeps it as a text cell.
    assert [[c.removeprefix("'") for c in row] for row in csv_body] == rows
    money = header.index("Amount awarded (£)")
    cells = list(workbook["Allocations"].iter_rows(min_row=2))
    assert {row[money].number_format for row in cells} == {"#,##0.00"}
    title = header.index("Title")
    formula_row = next(row for row in cells if row[title].value.startswith("="))
    assert formula_row[title].data_type == "s"
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", about["As at"])


# --- returns ---------------------------------------------------------------------------------


def test_the_returns_export_gives_period_status_rag_spend_by_category_and_outputs(
    signed_in, transaction, reported
):
    rows = csv_rows(signed_in(OFFICER).get("/exports/returns.csv"))
    assert len(rows) == transaction.scalar(select(func.count(MilestoneReturn.id)))
    milestone_return = reported["return"]
    [row] = [
        r
        for r in rows
        if r["360Giving identifier"] == LAMBETH_SWIS
        and r["Period start"] == milestone_return.period_start.isoformat()
    ]
    assert row["Period end"] == milestone_return.period_end.isoformat()
    assert row["Due date"] == milestone_return.due_on.isoformat()
    assert row["Status"] == "submitted"
    assert row["Self-assessed RAG"] == "amber"
    assert row["Submitted at (UTC)"] == "2020-10-20 14:05:00"
    assert row["Spend on staff (£)"] == "10000.50"
    assert row["Spend on delivery (£)"] == "2500.01"
    assert row["Spend on overheads (£)"] == "0.00"
    assert row["Total spend (£)"] == "12500.51"
    assert row["Outputs"] == "; ".join(
        f"{indicator.name}: {n}" for n, indicator in enumerate(reported["indicators"], start=1)
    )
    # What the grantee wrote and who declared it: the officer's export has them.
    assert row["Narrative"] == NARRATIVE
    assert row["Risks"] == RISKS
    assert row["Declared by"] == DECLARED_BY
    # A return not yet reported has no spend rather than a spend of nothing.
    untouched = [r for r in rows if r["Status"] == "not started"]
    assert untouched
    assert {r["Total spend (£)"] for r in untouched} == {""}


def test_returns_filter_by_financial_year_stream_funder_and_region(signed_in, transaction):
    visitor = signed_in(OFFICER)

    def count_of(query: str) -> int:
        return len(csv_rows(visitor.get(f"/exports/returns.csv?{query}")))

    def expected(*conditions) -> int:
        return transaction.scalar(
            select(func.count(MilestoneReturn.id))
            .join(Project, MilestoneReturn.project_id == Project.id)
            .join(Allocation, Project.allocation_id == Allocation.id)
            .join(FundingStream, Allocation.stream_id == FundingStream.id)
            .join(Organisation, Allocation.organisation_id == Organisation.id)
            .where(*conditions)
        )

    swis = one(transaction, FundingStream, code="SWIS")
    home_office = one(transaction, Department, org_id="GB-GOR-D16")
    in_2021 = [
        MilestoneReturn.period_start >= date(2021, 4, 1),
        MilestoneReturn.period_start <= date(2022, 3, 31),
    ]
    assert count_of("year=2021") == expected(*in_2021) > 0
    assert count_of(f"stream={swis.id}") == expected(Allocation.stream_id == swis.id) > 0
    home_office_returns = expected(FundingStream.department_id == home_office.id)
    assert count_of(f"funder={home_office.id}") == home_office_returns > 0
    assert count_of("region=London") == len(lambeth_returns(transaction)) > 0
    london_swis_2021 = expected(
        Organisation.region == "London", Allocation.stream_id == swis.id, *in_2021
    )
    assert count_of(f"region=London&year=2021&stream={swis.id}") == london_swis_2021 > 0


def test_the_returns_excel_holds_the_same_rows_as_the_csv(signed_in, reported):
    visitor = signed_in(FINANCE)
    workbook = workbook_of(visitor.get("/exports/returns.xlsx"))
    assert sheet_table(workbook, "Returns") == csv_table(visitor.get("/exports/returns.csv"))


# --- payments --------------------------------------------------------------------------------


def test_the_payments_export_gives_each_payment_in_exact_pounds_with_its_dates(signed_in, reported):
    rows = csv_rows(signed_in(FINANCE).get("/exports/payments.csv"))
    paid = next(r for r in rows if r["Payment number"] == str(reported["paid"].id))
    milestone_return = reported["return"]
    assert paid["Amount (£)"] == "12500.51"
    assert paid["Status"] == "paid"
    assert paid["Paid on"] == "2020-11-20"
    assert paid["Requested at (UTC)"] == "2020-11-02 09:30:00"
    assert paid["Payment reference"] == "PAY-2020-0001"
    assert paid["Paid against"] == (
        f"Return for {milestone_return.period_start.isoformat()} "
        f"to {milestone_return.period_end.isoformat()}"
    )
    assert paid["Organisation"] == "London Borough of Lambeth"
    # Finance and officers see who requested and who approved: the separation of duties.
    assert paid["Requested by"] == "Olu Officer (demo)"
    assert paid["Approved by"] == "Fran Finance (demo)"


def test_payments_filter_by_the_year_paid_or_else_requested_and_by_region(signed_in, reported):
    visitor = signed_in(OFFICER)

    def numbers(query: str) -> set[str]:
        rows = csv_rows(visitor.get(f"/exports/payments.csv?{query}"))
        return {row["Payment number"] for row in rows}

    paid, requested = str(reported["paid"].id), str(reported["requested"].id)
    assert {paid, requested} <= numbers("")
    assert numbers("year=2020") == {paid}
    assert numbers("year=2021") == {requested}
    assert numbers("region=London&year=2021") == {requested}
    assert numbers("region=South+East") == set()


def test_the_payments_excel_holds_the_same_rows_as_the_csv(signed_in, reported):
    visitor = signed_in(OFFICER)
    workbook = workbook_of(visitor.get("/exports/payments.xlsx?year=2020"))
    header, rows = sheet_table(workbook, "Payments")
    assert (header, rows) == csv_table(visitor.get("/exports/payments.csv?year=2020"))
    assert len(rows) == 1
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert about["Filter: financial year"].startswith("2020-21")


# --- the minister's office -------------------------------------------------------------------


def test_the_ministers_office_gets_no_personal_data_and_no_narrative_in_any_export(
    signed_in, reported
):
    officer, viewer = signed_in(OFFICER), signed_in(VIEWER)
    # The officer's downloads carry them, so their absence below is the rule at work.
    assert NARRATIVE in officer.get("/exports/returns.csv").get_data(as_text=True)
    assert "Olu Officer (demo)" in officer.get("/exports/payments.csv").get_data(as_text=True)
    for path in DOWNLOADS:
        response = viewer.get(path)
        assert response.status_code == 200, path
        held = everything_in(response)
        assert not EMAIL.search(held), f"an email address in {path}"
        for private in [NARRATIVE, RISKS, DECLARED_BY, "Olu Officer", "Fran Finance"]:
            assert private not in held, f"{private!r} in {path}"
    header = csv_rows(viewer.get("/exports/returns.csv"))[0].keys()
    assert {"Narrative", "Risks", "Declared by"}.isdisjoint(header)
    assert {"Spend on staff (£)", "Self-assessed RAG", "Outputs", "Due date"} <= set(header)
    payments = csv_rows(viewer.get("/exports/payments.csv"))[0].keys()
    assert {"Requested by", "Approved by"}.isdisjoint(payments)
    assert "leave out people's names" in text_of(viewer.get("/exports"))


def test_no_export_carries_an_email_address_for_anyone(signed_in, reported):
    officer = signed_in(OFFICER)
    for path in DOWNLOADS:
        assert not EMAIL.search(everything_in(officer.get(path))), path


# --- streaming -------------------------------------------------------------------------------


def test_a_long_csv_is_sent_in_pieces_as_rows_are_read(app, signed_in, transaction):
    stream = one(transaction, FundingStream, code="CSE-POLICING")
    organisation = one(transaction, Organisation, org_id="GB-LAE-KEN")
    transaction.execute(
        insert(Allocation),
        [
            {
                "stream_id": stream.id,
                "organisation_id": organisation.id,
                "identifier": f"360G-HHT-TEST-BULK-{n:05d}",
                "title": f"Bulk {n}",
                "amount_pence": n,
                "awarded_on": date(2020, 8, 1),
                "planned_start": date(2020, 8, 1),
                "planned_end": date(2021, 3, 31),
                "status": AllocationStatus.ACTIVE,
            }
            for n in range(1, 2501)
        ],
    )
    response = signed_in(OFFICER).get(
        f"/exports/allocations.csv?stream={stream.id}", buffered=False
    )
    assert response.is_streamed
    pieces = list(response.response)
    response.close()
    assert len(pieces) >= 10
    rows = list(
        csv.DictReader(
            io.StringIO(
                "".join(p.decode() if isinstance(p, bytes) else p for p in pieces).removeprefix(
                    "\ufeff"
                )
            )
        )
    )
    assert len(rows) == 2500
    assert {row["Amount awarded (£)"] for row in rows if row["Title"] == "Bulk 2500"} == {"25.00"}


# --- 360Giving -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator():
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    package_schema = json.loads((STANDARD / "360-giving-package-schema.json").read_text())
    grant_schema = json.loads((STANDARD / "360-giving-schema.json").read_text())
    grant = Resource(contents=grant_schema, specification=DRAFT202012)
    # The package refers to the grant schema by its 1.4.2 URL and the grant schema calls itself
    # 1.4.3: both point at the local file, and no other URL resolves, so nothing is fetched.
    registry = Registry().with_resources([(GRANT_SCHEMA_URL, grant), (grant_schema["$id"], grant)])
    return Draft202012Validator(
        package_schema, registry=registry, format_checker=_format_checker(FormatChecker)
    )


def _format_checker(format_checker_class):
    """jsonschema checks "date-time" only with an optional package installed; without it every
    string passes, and the schema's oneOf (a date-time, or a plain date) then fails for a plain
    date that matches both. So check RFC 3339 here, and URIs while at it."""
    checker = format_checker_class()
    rfc3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)", re.ASCII)

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if not rfc3339.fullmatch(value):
            return False
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        return True

    @checker.checks("uri")
    def is_uri(value) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and parts.netloc)

    return checker


def problems(validator, package) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(package)
    ]


def test_the_schema_check_itself_catches_a_broken_grant(validator):
    """Proof that the validation below is not vacuous: a grant without its funder, or with an
    amount as text, fails."""
    good = {
        "id": "360G-HHT-X",
        "title": "A grant",
        "description": "A grant",
        "currency": "GBP",
        "amountAwarded": 10,
        "awardDate": "2020-06-15",
        "recipientOrganization": [{"id": "GB-LAE-LBH", "name": "Lambeth"}],
        "fundingOrganization": [{"id": "GB-GOR-D6", "name": "Department for Education"}],
    }
    assert problems(validator, {"grants": [good]}) == []
    no_funder = {k: v for k, v in good.items() if k != "fundingOrganization"}
    assert problems(validator, {"grants": [no_funder]})
    assert problems(validator, {"grants": [{**good, "amountAwarded": "10.00"}]})
    assert problems(validator, {"grants": [{**good, "awardDate": "15/06/2020"}]})
    assert problems(validator, {"grants": []})


def test_the_360giving_schemas_travel_inside_the_repository():
    """The validation never depends on a folder beside the checkout: the schemas and their
    licence are in the repository."""
    assert (STANDARD / "360-giving-package-schema.json").is_file()
    assert (STANDARD / "360-giving-schema.json").is_file()
    assert "CC BY 4.0" in (STANDARD / "README.md").read_text()


def test_the_360giving_package_validates_and_holds_only_grants_under_a_confirmed_funder(
    signed_in, transaction, validator
):
    flows = add_allocation(
        transaction,
        stream_code="FLOWS",
        org_id="GB-CHC-0000001",
        identifier="360G-HHT-TEST-FLOWS",
        amount_pence=123_456_78,
        status=AllocationStatus.ACCEPTED,
    )
    add_allocation(
        transaction,
        stream_code="SWIS",
        org_id="GB-LAE-LBH",
        identifier="360G-HHT-TEST-WITHDRAWN",
        status=AllocationStatus.WITHDRAWN,
    )
    closed = add_allocation(
        transaction,
        stream_code="SWIS",
        org_id="GB-LAE-STH",
        identifier="360G-HHT-TEST-CLOSED",
        status=AllocationStatus.CLOSED,
    )
    trf = add_allocation(
        transaction,
        stream_code="TRF",
        org_id="GB-LAE-STH",
        identifier="360G-HHT-TEST-TRF",
        status=AllocationStatus.ACTIVE,
    )
    response = signed_in(VIEWER).get("/exports/360giving.json")
    assert response.is_streamed
    assert re.search(
        r"hidden-harms-360giving-as-at-.+\.json", response.headers["Content-Disposition"]
    )
    package = package_of(response)
    assert problems(validator, package) == []
    awarded_by_education = set(
        transaction.scalars(
            select(Allocation.identifier)
            .join(FundingStream, Allocation.stream_id == FundingStream.id)
            .join(Department, FundingStream.department_id == Department.id)
            .where(
                Allocation.status.in_(["offered", "accepted", "active", "closed"]),
                Department.org_id == "GB-GOR-D6",
            )
        )
    )
    grants = {grant["id"]: grant for grant in package["grants"]}
    assert set(grants) == awarded_by_education
    assert closed.identifier in grants
    # FLOWS names no funder and the Home Office's org-id is unconfirmed: neither is published.
    assert flows.identifier not in grants
    assert trf.identifier not in grants
    assert "360G-HHT-TEST-WITHDRAWN" not in grants
    assert "360G-HHT-DEMO-DA-NETWORK" not in grants  # a draft: never awarded
    assert package["publisher"] == {"identifier": "GB-GOR-D6", "name": "Department for Education"}
    assert package["version"] == "1.4"


def test_the_seed_corrects_the_home_office_org_id_and_says_which_are_confirmed(transaction):
    home_office = one(transaction, Department, name="Home Office")
    assert home_office.org_id == "GB-GOR-D16"  # not D25, HM Revenue & Customs in the register
    assert home_office.org_id_confirmed is False
    education = one(transaction, Department, name="Department for Education")
    assert (education.org_id, education.org_id_confirmed) == ("GB-GOR-D6", True)
    assert "Government Organisation Register" in education.org_id_source
    flows = one(transaction, FundingStream, code="FLOWS")
    assert flows.department_id is None  # no default funder


def test_a_home_office_grant_is_published_once_its_org_id_is_confirmed(
    signed_in, transaction, validator
):
    visitor = signed_in(OFFICER)
    page = visitor.get("/exports").get_data(as_text=True)
    assert "kept out of the 360Giving data" in page
    assert "360G-HHT-DEMO-TRF-BIR" not in {
        g["id"] for g in package_of(visitor.get("/exports/360giving.json"))["grants"]
    }
    confirm_home_office(transaction)
    package = package_of(visitor.get("/exports/360giving.json"))
    assert problems(validator, package) == []
    grant = next(g for g in package["grants"] if g["id"] == "360G-HHT-DEMO-TRF-BIR")
    assert grant["currency"] == "GBP"
    assert grant["amountAwarded"] == 300000
    assert isinstance(grant["amountAwarded"], int)
    assert grant["awardDate"] == "2020-06-15"
    assert grant["plannedDates"] == [{"startDate": "2020-07-01", "endDate": "2021-03-31"}]
    assert grant["fundingOrganization"] == [{"id": "GB-GOR-D16", "name": "Home Office"}]
    assert grant["grantProgramme"] == [{"code": "TRF", "title": "Trusted Relationship Fund"}]
    [recipient] = grant["recipientOrganization"]
    assert (recipient["id"], recipient["name"]) == ("GB-LAE-BIR", "Birmingham City Council")
    # Birmingham's ONS code E08000025 is a metropolitan district: MD in the standard's codelist.
    place = {
        "name": "Birmingham City Council",
        "geoCode": "E08000025",
        "countryCode": "GB",
        "geoCodeType": "MD",
    }
    assert recipient["location"] == [place]
    assert grant["beneficiaryLocation"] == [place]
    assert grant["dataSource"].startswith("http")
    assert "Illustrative" in grant["description"]
    codelist = (STANDARD / "codelists" / "geoCodeType.csv").read_text()
    types = {row["Code"] for row in csv.DictReader(io.StringIO(codelist))}
    for each in package["grants"]:
        for location in each.get("beneficiaryLocation", []):
            assert location["geoCodeType"] in types


def test_a_grant_whose_stream_names_no_funder_is_never_published_under_a_default(
    signed_in, transaction, validator
):
    add_allocation(
        transaction,
        stream_code="FLOWS",
        org_id="GB-CHC-0000001",
        identifier="360G-HHT-TEST-FLOWS",
        amount_pence=123_456_78,
    )
    visitor = signed_in(OFFICER)
    page = visitor.get("/exports?funder=not-stated").get_data(as_text=True)
    assert "1 grant awarded kept out of the 360Giving data" in page
    assert "No grants awarded match these filters" in page
    package = package_of(visitor.get("/exports/360giving.json?funder=not-stated"))
    assert package["grants"] == []
    # An officer names the funder (here the Department for Education, whose org-id is
    # confirmed): then the grant is published under that funder, and no other.
    flows = one(transaction, FundingStream, code="FLOWS")
    flows.department_id = one(transaction, Department, org_id="GB-GOR-D6").id
    transaction.flush()
    package = package_of(visitor.get("/exports/360giving.json"))
    assert problems(validator, package) == []
    grant = next(g for g in package["grants"] if g["id"] == "360G-HHT-TEST-FLOWS")
    assert grant["fundingOrganization"] == [{"id": "GB-GOR-D6", "name": "Department for Education"}]
    assert grant["amountAwarded"] == 123456.78
    assert '"amountAwarded": 123456.78,' in json.dumps(grant)
    # A charity without an ONS code: no location is invented for it.
    assert "beneficiaryLocation" not in grant
    assert "location" not in grant["recipientOrganization"][0]


def test_the_360giving_package_honours_the_filters(signed_in, transaction, validator):
    visitor = signed_in(OFFICER)
    confirm_home_office(transaction)
    trf = one(transaction, FundingStream, code="TRF")
    package = package_of(visitor.get(f"/exports/360giving.json?stream={trf.id}&region=North+West"))
    assert problems(validator, package) == []
    assert {g["id"] for g in package["grants"]} == {
        "360G-HHT-DEMO-TRF-MAN",
        "360G-HHT-DEMO-TRF-LIV",
    }
    assert "stream: Trusted Relationship Fund" in package["description"]
    education = one(transaction, Department, org_id="GB-GOR-D6")
    package = package_of(visitor.get(f"/exports/360giving.json?funder={education.id}&year=2021"))
    # Lambeth and Southampton (active) and Stockport (offered) all run into 2021-22.
    assert {g["id"] for g in package["grants"]} == {
        "360G-HHT-DEMO-SWIS-LBH",
        "360G-HHT-DEMO-SWIS-STH",
        "360G-HHT-DEMO-SWIS-SKP",
    }
