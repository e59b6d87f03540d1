"""What the issue asks to count after a race, read afresh from the database: over-commitments,
lost submissions, duplicate payments. Each must be 0. Call inside an app context."""

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationStatus,
    AllocationYear,
    AuditEvent,
    MilestoneReturn,
    Payment,
    ReturnStatus,
    StreamBudget,
)


def over_commitments() -> int:
    """Stream-years whose live allocations add up to more than that year's budget, plus streams
    whose live allocations add up to more than their whole budget."""
    live = Allocation.status != AllocationStatus.WITHDRAWN
    by_year = {
        (stream_id, year): pence
        for stream_id, year, pence in db.session.execute(
            select(
                Allocation.stream_id,
                AllocationYear.financial_year,
                func.sum(AllocationYear.amount_pence),
            )
            .join(Allocation, AllocationYear.allocation_id == Allocation.id)
            .where(live)
            .group_by(Allocation.stream_id, AllocationYear.financial_year)
        )
    }
    budgets = {
        (row.stream_id, row.financial_year): row.resource_pence + row.capital_pence
        for row in db.session.scalars(select(StreamBudget))
    }
    over_years = sum(1 for key, pence in by_year.items() if pence > budgets.get(key, 0))
    totals = dict(
        db.session.execute(
            select(Allocation.stream_id, func.sum(Allocation.amount_pence))
            .where(live)
            .group_by(Allocation.stream_id)
        ).all()
    )
    stream_budgets: dict[int, int] = {}
    for (stream_id, _year), pence in budgets.items():
        stream_budgets[stream_id] = stream_budgets.get(stream_id, 0) + pence
    over_streams = sum(1 for sid, pence in totals.items() if pence > stream_budgets.get(sid, 0))
    return over_years + over_streams


def events_per_object(action: str, object_type: str, ids: list[int]) -> dict[int, int]:
    counted = dict(
        db.session.execute(
            select(AuditEvent.object_id, func.count(AuditEvent.id))
            .where(
                AuditEvent.action == action,
                AuditEvent.object_type == object_type,
                AuditEvent.object_id.in_(ids),
            )
            .group_by(AuditEvent.object_id)
        ).all()
    )
    return {i: counted.get(i, 0) for i in ids}


def lost_submissions(return_ids: list[int]) -> int:
    """Returns that were posted for submission but are not stored as submitted."""
    submitted = db.session.scalar(
        select(func.count(MilestoneReturn.id)).where(
            MilestoneReturn.id.in_(return_ids), MilestoneReturn.status == ReturnStatus.SUBMITTED
        )
    )
    return len(return_ids) - submitted


def returns_submitted_more_than_once(return_ids: list[int]) -> int:
    counted = events_per_object("return submitted", "milestone_return", return_ids)
    return sum(1 for n in counted.values() if n > 1)


def duplicate_payments() -> int:
    """Two payments for one milestone or one return, across the whole database."""
    duplicates = 0
    for column in (Payment.milestone_id, Payment.return_id):
        duplicates += db.session.scalar(
            select(func.count()).select_from(
                select(column)
                .where(column.is_not(None))
                .group_by(column)
                .having(func.count(Payment.id) > 1)
                .subquery()
            )
        )
    return duplicates


def recorded_twice(action: str, payment_ids: list[int]) -> int:
    """Payments whose approval (or payment) was recorded more than once."""
    return sum(1 for n in events_per_object(action, "payment", payment_ids).values() if n > 1)
