"""The returns download: each return with its spend by category, forecast and outputs."""

from collections.abc import Iterator

from sqlalchemy import Select, case, func, select

from tracker.data.exports.filters import (
    ExportFilters,
    count_of,
    rows_of,
    stream_and_place,
)
from tracker.models import (
    Allocation,
    Department,
    FundingStream,
    Indicator,
    MilestoneReturn,
    Organisation,
    Project,
    ReturnForecast,
    ReturnIndicatorValue,
    ReturnSpend,
    SpendCategory,
)


def _return_query(filters: ExportFilters, *, columns: list) -> Select:
    """With a financial year: the returns whose reporting period starts in it."""
    query = (
        select(*columns)
        .select_from(MilestoneReturn)
        .join(Project, MilestoneReturn.project_id == Project.id)
        .join(Allocation, Project.allocation_id == Allocation.id)
        .join(FundingStream, Allocation.stream_id == FundingStream.id)
        .outerjoin(Department, FundingStream.department_id == Department.id)
        .join(Organisation, Allocation.organisation_id == Organisation.id)
    )
    if filters.year is not None:
        query = query.where(
            MilestoneReturn.period_start >= filters.year.start,
            MilestoneReturn.period_start <= filters.year.end,
        )
    return stream_and_place(query, filters)


def _spend_by_category():
    """Each return's spend summed per category, in the database."""

    def category(which: SpendCategory):
        return func.sum(
            case((ReturnSpend.category == which, ReturnSpend.amount_pence), else_=0)
        ).label(f"spend_{which.value}_pence")

    return (
        select(
            ReturnSpend.return_id,
            *(category(c) for c in SpendCategory),
            func.sum(ReturnSpend.amount_pence).label("spend_total_pence"),
        )
        .group_by(ReturnSpend.return_id)
        .subquery()
    )


def return_rows(filters: ExportFilters, *, personal: bool) -> Iterator[dict]:
    """Every return the filters admit, with its spend by category, its forecast and, under
    `outputs`, its indicator values as (indicator name, value) pairs. With personal=False, the
    narrative, risks and names are not even read."""
    spend = _spend_by_category()
    forecast = (
        select(
            ReturnForecast.return_id,
            func.sum(ReturnForecast.amount_pence).label("forecast_pence"),
        )
        .group_by(ReturnForecast.return_id)
        .subquery()
    )
    columns = [
        MilestoneReturn.id.label("return_id"),
        Allocation.identifier,
        FundingStream.code.label("stream_code"),
        FundingStream.name.label("stream_name"),
        Department.name.label("funder_name"),
        Organisation.name.label("organisation_name"),
        Organisation.org_id.label("organisation_org_id"),
        Organisation.region,
        Project.title.label("project_title"),
        MilestoneReturn.period_start,
        MilestoneReturn.period_end,
        MilestoneReturn.due_on,
        MilestoneReturn.revision,
        MilestoneReturn.status,
        MilestoneReturn.self_rag,
        MilestoneReturn.reviewer_rag,
        MilestoneReturn.submitted_at,
        MilestoneReturn.reviewed_at,
        *(spend.c[f"spend_{c.value}_pence"] for c in SpendCategory),
        spend.c.spend_total_pence,
        forecast.c.forecast_pence,
        Allocation.is_illustrative,
    ]
    if personal:
        columns += [
            MilestoneReturn.narrative,
            MilestoneReturn.risks,
            MilestoneReturn.overspend_explanation,
            MilestoneReturn.grantee_response,
            MilestoneReturn.declared_by_name,
        ]
    order = (MilestoneReturn.due_on, MilestoneReturn.id)
    query = (
        _return_query(filters, columns=columns)
        .outerjoin(spend, spend.c.return_id == MilestoneReturn.id)
        .outerjoin(forecast, forecast.c.return_id == MilestoneReturn.id)
        .order_by(*order)
    )
    outputs = _return_query(
        filters,
        columns=[
            MilestoneReturn.due_on,
            MilestoneReturn.id.label("return_id"),
            Indicator.name.label("indicator_name"),
            ReturnIndicatorValue.value,
        ],
    )
    outputs = (
        outputs.join(ReturnIndicatorValue, ReturnIndicatorValue.return_id == MilestoneReturn.id)
        .join(Indicator, ReturnIndicatorValue.indicator_id == Indicator.id)
        .order_by(*order, Indicator.code)
    )
    return _with_outputs(rows_of(query), rows_of(outputs))


def _with_outputs(returns: Iterator[dict], outputs: Iterator[dict]) -> Iterator[dict]:
    """Merge two streams sorted the same way (due date, then id), so neither is held whole."""
    pending = next(outputs, None)
    for row in returns:
        key = (row["due_on"], row["return_id"])
        while pending is not None and (pending["due_on"], pending["return_id"]) < key:
            pending = next(outputs, None)
        found = []
        while pending is not None and (pending["due_on"], pending["return_id"]) == key:
            found.append((pending["indicator_name"], pending["value"]))
            pending = next(outputs, None)
        row["outputs"] = found
        yield row


def count_returns(filters: ExportFilters) -> int:
    return count_of(_return_query(filters, columns=[MilestoneReturn.id]))
