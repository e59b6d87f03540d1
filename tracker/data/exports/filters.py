"""What every download shares: the filters, their choices, and reading plain rows a batch at a
time."""

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from tracker.domain.periods import FinancialYear
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationStatus,
    Department,
    FundingStream,
    Organisation,
)

BATCH = 1000
# The funder filter's value for streams whose source names no department.
FUNDER_NOT_STATED = "not-stated"
# An allocation that was awarded: offered to the grantee or further on, and not withdrawn.
AWARDED_STATUSES = [
    AllocationStatus.OFFERED,
    AllocationStatus.ACCEPTED,
    AllocationStatus.ACTIVE,
    AllocationStatus.CLOSED,
]


@dataclass(frozen=True)
class ExportFilters:
    year: FinancialYear | None = None
    stream_id: int | None = None
    # A department's id, FUNDER_NOT_STATED, or None for every funder.
    funder: int | str | None = None
    region: str | None = None

    @property
    def is_empty(self) -> bool:
        return self == ExportFilters()


@dataclass(frozen=True)
class FilterChoices:
    years: list[FinancialYear]
    streams: list[tuple[int, str]]
    departments: list[tuple[int, str]]
    regions: list[str]


def filter_choices() -> FilterChoices:
    """What each filter offers: the financial years the streams span, every stream, every
    department and each region an organisation is in (four queries)."""
    first, last = db.session.execute(
        select(func.min(FundingStream.first_year), func.max(FundingStream.last_year))
    ).one()
    years = [FinancialYear(y) for y in range(first, last + 1)] if first is not None else []
    streams = db.session.execute(
        select(FundingStream.id, FundingStream.name).order_by(FundingStream.name)
    ).all()
    departments = db.session.execute(
        select(Department.id, Department.name).order_by(Department.name)
    ).all()
    regions = db.session.scalars(
        select(Organisation.region)
        .where(Organisation.region != "")
        .distinct()
        .order_by(Organisation.region)
    ).all()
    return FilterChoices(
        years, [tuple(s) for s in streams], [tuple(d) for d in departments], list(regions)
    )


def stream_and_place(query: Select, filters: ExportFilters) -> Select:
    """The filters every export shares; the query has joined Allocation, FundingStream and
    Organisation."""
    if filters.stream_id is not None:
        query = query.where(Allocation.stream_id == filters.stream_id)
    if filters.funder == FUNDER_NOT_STATED:
        query = query.where(FundingStream.department_id.is_(None))
    elif filters.funder is not None:
        query = query.where(FundingStream.department_id == filters.funder)
    if filters.region is not None:
        query = query.where(Organisation.region == filters.region)
    return query


def rows_of(query: Select) -> Iterator[dict]:
    """Each row as a dict of its labelled columns, read a batch at a time (a server-side cursor
    on PostgreSQL), never all at once. Executed as Core on the session's connection: plain
    rows, none of the ORM's loading machinery."""
    result = db.session.connection().execute(query.execution_options(yield_per=BATCH))
    keys = list(result.keys())
    for row in result:
        yield dict(zip(keys, row, strict=True))


def count_of(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
