"""Progress: returns by timeliness, RAG ratings, red projects, overdue returns, and outputs
against targets."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from tracker.data.reporting.narrowing import (
    OPEN,
    Filters,
    narrow,
    summed,
)
from tracker.extensions import db
from tracker.models import (
    Allocation,
    FundingStream,
    Indicator,
    IndicatorKind,
    Organisation,
    Project,
)
from tracker.models.totals import (
    LatestProjectRating,
    TotalOutput,
    TotalOutputLatest,
    TotalOutputTarget,
    TotalProjectRating,
    TotalRating,
    TotalReturn,
    TotalReturnDue,
)


@dataclass
class StatusRow:
    label: str
    count: int


def returns_timeliness(filters: Filters, today: date) -> list[StatusRow]:
    """Returns on time, late, overdue and not yet due (2 queries): overdue is the open returns
    due before today, a range sum."""
    due = narrow(
        select(
            summed(case((TotalReturnDue.due_on < today, TotalReturnDue.returns), else_=0)),
            summed(case((TotalReturnDue.due_on >= today, TotalReturnDue.returns), else_=0)),
        ),
        TotalReturnDue,
        filters,
    )
    overdue, not_yet_due = db.session.execute(due).one()
    done = narrow(
        select(TotalReturn.submitted_on_time, summed(TotalReturn.returns)).where(
            TotalReturn.status.not_in(OPEN)
        ),
        TotalReturn,
        filters,
    ).group_by(TotalReturn.submitted_on_time)
    by_time = {bool(on_time): int(n) for on_time, n in db.session.execute(done)}
    counts = {
        "On time": by_time.get(True, 0),
        "Late": by_time.get(False, 0),
        "Overdue": int(overdue),
        "Not yet due": int(not_yet_due),
    }
    return [StatusRow(label, count) for label, count in counts.items()]


def projects_rag(filters: Filters) -> list[tuple[str, int, int]]:
    """(RAG, projects rated so by the department's reviewer, projects rated so by their grantee
    and not yet reviewed) over each project's current rating (the rule is `tracker.totals
    .vocabulary.latest_rating`: the reviewer's wins), the same figures the summary's list of red
    projects counts (1 query)."""
    query = narrow(
        select(
            TotalProjectRating.rated_by, TotalProjectRating.rag, summed(TotalProjectRating.projects)
        ),
        TotalProjectRating,
        filters,
        by_year=False,
    ).group_by(TotalProjectRating.rated_by, TotalProjectRating.rag)
    counts = {(rater, rag): int(n) for rater, rag, n in db.session.execute(query)}
    return [
        (rag, counts.get(("reviewer", rag), 0), counts.get(("grantee", rag), 0))
        for rag in ("red", "amber", "green")
    ]


def returns_rag(filters: Filters) -> list[tuple[str, int, int]]:
    """(RAG, grantee's count, reviewer's count) over the returns (1 query)."""
    query = narrow(
        select(TotalRating.rater, TotalRating.rag, summed(TotalRating.returns)),
        TotalRating,
        filters,
    ).group_by(TotalRating.rater, TotalRating.rag)
    counts = {(rater, rag): int(n) for rater, rag, n in db.session.execute(query)}
    return [
        (rag, counts.get(("grantee", rag), 0), counts.get(("reviewer", rag), 0))
        for rag in ("red", "amber", "green")
    ]


def red_rated_projects(filters: Filters, limit: int = 20) -> tuple[list[tuple[str, str, str]], int]:
    """(stream, organisation, project) for up to `limit` projects whose latest rating is red,
    and how many there are in all (2 queries)."""
    red = narrow(
        select(LatestProjectRating.project_id).where(LatestProjectRating.rag == "red"),
        LatestProjectRating,
        filters,
        by_year=False,
    )
    count = db.session.scalar(
        narrow(
            select(summed(TotalProjectRating.projects)).where(TotalProjectRating.rag == "red"),
            TotalProjectRating,
            filters,
            by_year=False,
        )
    )
    if not count:
        return [], 0
    chosen = red.order_by(LatestProjectRating.stream_id, LatestProjectRating.project_id).limit(
        limit
    )
    rows = db.session.execute(
        select(FundingStream.name, Organisation.name, Project.title)
        .select_from(Project)
        .join(Allocation, Allocation.id == Project.allocation_id)
        .join(FundingStream, FundingStream.id == Allocation.stream_id)
        .join(Organisation, Organisation.id == Allocation.organisation_id)
        .where(Project.id.in_(chosen.scalar_subquery()))
    ).all()
    return sorted(tuple(row) for row in rows), int(count)


def overdue_by_stream(filters: Filters, today: date) -> list[tuple[str, int]]:
    """Open returns due before today, by stream (1 query)."""
    query = (
        narrow(
            select(FundingStream.name, summed(TotalReturnDue.returns).label("n"))
            .join(FundingStream, FundingStream.id == TotalReturnDue.stream_id)
            .where(TotalReturnDue.due_on < today),
            TotalReturnDue,
            filters,
            by_year=False,
        )
        .group_by(FundingStream.name)
        .having(func.sum(TotalReturnDue.returns) > 0)
        .order_by(func.sum(TotalReturnDue.returns).desc(), FundingStream.name)
    )
    return [(name, int(n)) for name, n in db.session.execute(query)]


@dataclass
class OutputRow:
    stream: str
    indicator: str
    unit: str
    target: int
    achieved: int
    kind: IndicatorKind = IndicatorKind.FLOW

    @property
    def how(self) -> str:
        return self.kind.how


def streams_with_outputs(filters: Filters) -> list[tuple[int, str]]:
    """The streams (id, name; by name) with a target or a reported output under the filters:
    the choices of the outputs dashboard, which shows one stream at a time (1 query)."""
    with_targets = narrow(
        select(TotalOutputTarget.stream_id).where(TotalOutputTarget.target != 0),
        TotalOutputTarget,
        filters,
        by_year=False,
    )
    with_outputs = narrow(
        select(TotalOutput.stream_id).where(TotalOutput.achieved != 0), TotalOutput, filters
    )
    chosen = with_targets.union(with_outputs).subquery()
    return [
        (stream_id, name)
        for stream_id, name in db.session.execute(
            select(FundingStream.id, FundingStream.name)
            .where(FundingStream.id.in_(select(chosen.c.stream_id)))
            .order_by(FundingStream.name, FundingStream.id)
        )
    ]


def outputs_against_targets(filters: Filters) -> list[OutputRow]:
    """Each indicator's targets (over committed allocations' projects) and what returns report,
    by the indicator's kind: a flow adds up every period; a count at a point in time or a running
    total takes each project's latest figure (in the year, with a year filter) and adds those up
    across projects (4 queries)."""
    targets_query = narrow(
        select(TotalOutputTarget.indicator_id, summed(TotalOutputTarget.target)),
        TotalOutputTarget,
        filters,
        by_year=False,
    ).group_by(TotalOutputTarget.indicator_id)
    targets = {k: int(t) for k, t in db.session.execute(targets_query)}
    achieved_query = narrow(
        select(TotalOutput.indicator_id, summed(TotalOutput.achieved), summed(TotalOutput.latest)),
        TotalOutput,
        filters,
    ).group_by(TotalOutput.indicator_id)
    added, latest_in_year = {}, {}
    for k, a, latest in db.session.execute(achieved_query):
        added[k], latest_in_year[k] = int(a), int(latest)
    if filters.financial_year is not None:
        latest = latest_in_year
    else:
        latest_query = narrow(
            select(TotalOutputLatest.indicator_id, summed(TotalOutputLatest.latest)),
            TotalOutputLatest,
            filters,
            by_year=False,
        ).group_by(TotalOutputLatest.indicator_id)
        latest = {k: int(v) for k, v in db.session.execute(latest_query)}
    ids = {i for i in set(targets) | set(added) if targets.get(i) or added.get(i)}
    if not ids:
        return []
    indicators = db.session.execute(
        select(Indicator.id, FundingStream.name, Indicator.name, Indicator.unit, Indicator.kind)
        .join(FundingStream)
        .where(Indicator.id.in_(ids))
        .order_by(FundingStream.name, Indicator.code)
    )
    return [
        OutputRow(
            stream,
            name,
            unit,
            targets.get(iid, 0),
            (added if kind == IndicatorKind.FLOW else latest).get(iid, 0),
            kind,
        )
        for iid, stream, name, unit, kind in indicators
    ]
