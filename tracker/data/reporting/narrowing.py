"""How every reporting query is narrowed by the filters (financial year, stream, funder,
region), and the money sums they share."""

from dataclasses import dataclass

from sqlalchemy import case, func, select

from tracker.domain.periods import FinancialYear
from tracker.extensions import db
from tracker.models import (
    FundingStream,
    Organisation,
)
from tracker.models.totals import (
    ADDITIVE,
    TotalAllocation,
    TotalMoney,
)
from tracker.totals import vocabulary as v
from tracker.totals.figures import EVERY_REGION

NOT_KNOWN = "Not known"


COMMITTED = [str(s) for s in v.COMMITTED]


OFFERED = [str(s) for s in v.OFFERED]


IN_DRAFT = [str(s) for s in v.IN_DRAFT]


OPEN = [str(s) for s in v.OPEN]


@dataclass(frozen=True)
class Filters:
    financial_year: int | None = None
    stream_id: int | None = None
    department_id: int | None = None
    region: str | None = None

    @property
    def year(self) -> FinancialYear | None:
        return FinancialYear(self.financial_year) if self.financial_year is not None else None


def narrow(query, table, filters: Filters, *, by_year: bool = True, by_region: bool = False):
    """Narrow a query over one totals table by the filters its keys allow. Tables keyed by
    region hold a row for every region as well (EVERY_REGION): a page without a region filter
    reads only those, unless it groups `by_region`."""
    if filters.stream_id is not None:
        query = query.where(table.stream_id == filters.stream_id)
    if filters.department_id is not None:
        query = query.where(
            table.stream_id.in_(
                select(FundingStream.id).where(FundingStream.department_id == filters.department_id)
            )
        )
    if hasattr(table, "region"):
        if filters.region:
            query = query.where(table.region == filters.region)
        elif table in ADDITIVE:  # the others (each project's rating) have no such rows
            everywhere = table.region == EVERY_REGION
            query = query.where(~everywhere if by_region else everywhere)
    elif filters.region:
        query = query.where(
            table.organisation_id.in_(
                select(Organisation.id).where(Organisation.region == filters.region)
            )
        )
    if by_year and filters.financial_year is not None:
        query = query.where(table.financial_year == filters.financial_year)
    return query


def summed(column):
    return func.coalesce(func.sum(column), 0)


def status_sum(statuses: list[str]):
    committed = case((TotalAllocation.status.in_(statuses), TotalAllocation.amount_pence), else_=0)
    return summed(committed)


def money_by(group, filters: Filters, *, by_region: bool = False) -> dict:
    """{group: (in draft, offered, committed, reported, paid, recovered)}: for a year from
    total_money; for the whole life, the allocations' whole amounts from total_allocation and
    the rest from every year of total_money (2 queries)."""
    query = narrow(
        select(
            group(TotalMoney),
            summed(TotalMoney.in_draft_pence),
            summed(TotalMoney.offered_pence),
            summed(TotalMoney.committed_pence),
            summed(TotalMoney.reported_pence),
            summed(TotalMoney.paid_pence),
            summed(TotalMoney.recovered_pence),
        ),
        TotalMoney,
        filters,
        by_region=by_region,
    ).group_by(group(TotalMoney))
    out = {key: [int(x) for x in figures] for key, *figures in db.session.execute(query)}
    if filters.financial_year is None:
        whole = narrow(
            select(
                group(TotalAllocation),
                status_sum(IN_DRAFT),
                status_sum(OFFERED),
                status_sum(COMMITTED),
            ),
            TotalAllocation,
            filters,
            by_year=False,
            by_region=by_region,
        ).group_by(group(TotalAllocation))
        for key, draft, offered, committed in db.session.execute(whole):
            row = out.setdefault(key, [0] * 6)
            row[0:3] = [int(draft), int(offered), int(committed)]
    return out
