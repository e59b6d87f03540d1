from datetime import date

from tracker.data import streams as stream_data
from tracker.data.store import DuplicateError, save
from tracker.domain.money import format_pounds
from tracker.domain.periods import FinancialYear
from tracker.models import Department, FundingStream, ReportingFrequency, StreamBudget
from tracker.services import audit, budget
from tracker.services.errors import RuleBroken

FIELDS = [
    "code",
    "name",
    "department_id",
    "funder_note",
    "announced_pence",
    "announced_on",
    "description",
    "reporting_frequency",
    "first_year",
    "last_year",
    "ggis_scheme_id",
    "source_citation",
    "requires_certifier_sign_off",
    "outturn_margin_percent",
]
BUDGET_FIELDS = ["financial_year", "resource_pence", "capital_pence"]


def _check(
    code: str,
    ggis_scheme_id: str | None,
    first_year: int,
    last_year: int,
    existing: FundingStream | None,
) -> None:
    holder = stream_data.stream_by_code(code)
    if holder is not None and holder is not existing:
        raise RuleBroken("Another stream already has this code", "code")
    if ggis_scheme_id:
        holder = stream_data.stream_by_ggis_id(ggis_scheme_id)
        if holder is not None and holder is not existing:
            raise RuleBroken("Another stream already has this GGIS scheme ID", "ggis_scheme_id")
    if last_year < first_year:
        raise RuleBroken(
            "The last financial year must be the same as or after the first", "last_year"
        )


def create_stream(
    actor: audit.Actor,
    *,
    code: str,
    name: str,
    department: Department | None,
    announced_pence: int,
    announced_on: date,
    first_year: int,
    last_year: int,
    reporting_frequency: ReportingFrequency = ReportingFrequency.QUARTERLY,
    description: str = "",
    funder_note: str = "",
    source_citation: str = "",
    ggis_scheme_id: str | None = None,
    requires_certifier_sign_off: bool = False,
    **extra,
) -> FundingStream:
    """A stream's code and GGIS scheme ID are its own; its years run first to last."""
    code = code.strip().upper()
    ggis_scheme_id = (ggis_scheme_id or "").strip() or None
    _check(code, ggis_scheme_id, first_year, last_year, None)
    stream = FundingStream(
        code=code,
        name=name.strip(),
        department_id=department.id if department else None,
        announced_pence=announced_pence,
        announced_on=announced_on,
        first_year=first_year,
        last_year=last_year,
        reporting_frequency=reporting_frequency,
        description=description,
        funder_note=funder_note,
        source_citation=source_citation,
        ggis_scheme_id=ggis_scheme_id,
        requires_certifier_sign_off=requires_certifier_sign_off,
        **extra,
    )
    try:
        save(stream)
    except DuplicateError as error:
        raise RuleBroken("Another stream already has this code", "code") from error
    audit.record(actor, "stream created", stream, after=audit.snapshot(stream, FIELDS))
    return stream


def update_stream(actor: audit.Actor, stream: FundingStream, **values) -> FundingStream:
    """An officer changes a stream's details; its code and GGIS id stay unique and its years in
    order. Audited with the values before and after."""
    values["code"] = values.get("code", stream.code).strip().upper()
    values["ggis_scheme_id"] = (values.get("ggis_scheme_id") or "").strip() or None
    _check(
        values["code"],
        values["ggis_scheme_id"],
        values.get("first_year", stream.first_year),
        values.get("last_year", stream.last_year),
        stream,
    )
    before = audit.snapshot(stream, FIELDS)
    department = values.pop("department", stream.department)
    stream.department_id = department.id if department else None
    for name, value in values.items():
        setattr(stream, name, value)
    try:
        save(stream)
    except DuplicateError as error:
        raise RuleBroken("Another stream already has this code", "code") from error
    old, new = audit.changes(before, audit.snapshot(stream, FIELDS))
    if new:
        audit.record(actor, "stream changed", stream, before=old, after=new)
    return stream


def set_budget(
    actor: audit.Actor,
    stream: FundingStream,
    financial_year: int,
    *,
    resource_pence: int,
    capital_pence: int,
) -> StreamBudget:
    """A year's budget can never fall below what is already allocated in that year."""
    if not stream.first_year <= financial_year <= stream.last_year:
        raise RuleBroken(
            f"Choose a financial year from {FinancialYear(stream.first_year).label} to "
            f"{FinancialYear(stream.last_year).label}",
            "financial_year",
        )
    budget.lock(stream)
    existing = {b.financial_year: b for b in stream_data.budgets_for_stream(stream.id, lock=True)}
    allocated = stream_data.allocated_by_year(stream.id).get(financial_year, 0)
    if resource_pence + capital_pence < allocated:
        raise RuleBroken(
            f"The budget for {FinancialYear(financial_year).label} must be at least "
            f"{format_pounds(allocated)}: that much is already allocated",
            "resource",
        )
    row = existing.get(financial_year)
    before = audit.snapshot(row, BUDGET_FIELDS) if row else None
    if row is None:
        row = StreamBudget(stream_id=stream.id, financial_year=financial_year)
    row.resource_pence, row.capital_pence = resource_pence, capital_pence
    save(row)
    audit.record(actor, "budget set", row, before=before, after=audit.snapshot(row, BUDGET_FIELDS))
    # Shown on the stream's own history page too.
    audit.record(
        actor, "budget set", stream, before=before, after=audit.snapshot(row, BUDGET_FIELDS)
    )
    return row
