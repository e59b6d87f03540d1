"""Illustrative history for the demo: the returns of the demo's active allocations whose periods
ended more than a few months before the grant's end are filled in, submitted and (mostly)
approved, with spend near the profile, a few late or red-rated, and their payments paid. All of
it belongs to illustrative allocations, and every figure is made up.

Reproducible: a random generator seeded by the allocation's identifier."""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from tracker.data.store import save
from tracker.extensions import db
from tracker.models import (
    Allocation,
    Indicator,
    MilestoneReturn,
    Payment,
    PaymentStatus,
    Project,
    Rag,
    ReturnForecast,
    ReturnIndicatorValue,
    ReturnReview,
    ReturnSpend,
    ReturnStatus,
    ReviewDecision,
    SpendCategory,
    User,
)
from tracker.services import audit, payments
from tracker.services.variance import expected_for_period

SPLIT = {SpendCategory.STAFF: 60, SpendCategory.DELIVERY: 30, SpendCategory.OVERHEADS: 10}


def fill(
    allocation: Allocation,
    officer: User,
    finance: tuple[User, User],
    drafter: User | None,
    *,
    to_the_end: bool = False,
    due_before: date | None = None,
) -> int:
    """Fills all but the last two returns of each project of the allocation (every one, each
    approved and paid, `to_the_end`: a grant ready to close), of those due before `due_before`
    (a grant under way has no history yet of the quarters to come). Returns how many. finance
    is the finance officer who approves each payment and the other one who pays it."""
    rng = random.Random(allocation.identifier)  # noqa: S311 - made-up demo figures, not secrets
    projects = db.session.scalars(select(Project).where(Project.allocation_id == allocation.id))
    indicators = list(
        db.session.scalars(select(Indicator).where(Indicator.stream_id == allocation.stream_id))
    )
    filled = 0
    for project in projects:
        returns = list(
            db.session.scalars(
                select(MilestoneReturn)
                .where(MilestoneReturn.project_id == project.id)
                .order_by(MilestoneReturn.period_start)
            )
        )
        filling = returns if to_the_end else returns[:-2]
        if due_before is not None:
            filling = [r for r in filling if r.due_on < due_before]
        for n, milestone_return in enumerate(filling):
            last_done = n == len(returns) - 3 and not to_the_end
            _fill_one(
                milestone_return, rng, indicators, officer, finance, drafter, approve=not last_done
            )
            filled += 1
    return filled


def _fill_one(milestone_return, rng, indicators, officer, finance, drafter, *, approve: bool):
    expected = expected_for_period(milestone_return) or 0
    factor = rng.choice([0.7, 0.85, 0.95, 1.0, 1.0, 1.05, 1.2])
    total = int(expected * factor)
    for category, share in SPLIT.items():
        milestone_return.spend.append(
            ReturnSpend(category=category, amount_pence=total * share // 100)
        )
    milestone_return.spend.append(ReturnSpend(category=SpendCategory.CAPITAL, amount_pence=0))
    # The grantee forecasts the next period's spend at about this period's rate (the section
    # is marked done below, so it must hold a forecast).
    milestone_return.forecasts.append(
        ReturnForecast(
            period_start=milestone_return.period_end + timedelta(days=1),
            amount_pence=int(expected * rng.choice([0.9, 1.0, 1.0, 1.1])),
        )
    )
    for indicator in indicators:
        milestone_return.indicator_values.append(
            ReturnIndicatorValue(indicator_id=indicator.id, value=rng.randint(2, 15))
        )
    milestone_return.narrative = "Illustrative progress report made for the demo."
    milestone_return.risks = "Illustrative risk."
    milestone_return.self_rag = rng.choices([Rag.GREEN, Rag.AMBER, Rag.RED], [7, 2, 1])[0]
    milestone_return.completed_sections = [
        "evidence",
        "forecast",
        "milestones",
        "narrative",
        "outputs",
        "rag",
        "spend",
    ]
    milestone_return.drafted_by_id = drafter.id if drafter else None
    milestone_return.declared_by_name = "Illustrative grantee"
    late = rng.random() < 0.2
    submitted = milestone_return.due_on + timedelta(days=rng.randint(1, 9) if late else -3)
    milestone_return.submitted_at = datetime.combine(submitted, time(10))
    if not approve:
        milestone_return.status = ReturnStatus.SUBMITTED
        save(milestone_return)
        return
    reviewed = milestone_return.submitted_at + timedelta(days=7)
    milestone_return.status = ReturnStatus.APPROVED
    milestone_return.reviewer_rag = milestone_return.self_rag
    milestone_return.reviewed_by_id, milestone_return.reviewed_at = officer.id, reviewed
    milestone_return.reviews.append(
        ReturnReview(
            decision=ReviewDecision.APPROVED,
            rag=milestone_return.reviewer_rag,
            decided_by_id=officer.id,
            decided_at=reviewed,
            reasons="",
        )
    )
    save(milestone_return)
    paid_on = (reviewed + timedelta(days=14)).date()
    approver, payer = finance
    payment = Payment(
        allocation_id=milestone_return.project.allocation_id,
        return_id=milestone_return.id,
        amount_pence=total,
        status=PaymentStatus.PAID,
        requested_by_id=officer.id,
        requested_at=reviewed,
        approved_by_id=approver.id,
        approved_at=reviewed + timedelta(days=3),
        paid_on=paid_on,
        paid_by_id=payer.id,
        payment_reference=f"DEMO-{milestone_return.id:06d}",
    )
    save(payment)
    # Written to the audit trail like any other payment's steps, each by its own person.
    fields = payments.FIELDS
    paid = audit.snapshot(payment, fields)
    requested = {
        **paid,
        "status": "requested",
        "approved_by_id": None,
        "paid_by_id": None,
        "paid_on": None,
        "payment_reference": None,
    }
    approved = {**requested, "status": "approved", "approved_by_id": approver.id}
    seed = "seed"
    audit.record(audit.Actor(officer, seed), "payment requested", payment, after=requested)
    audit.record(
        audit.Actor(approver, seed), "payment approved", payment, before=requested, after=approved
    )
    audit.record(audit.Actor(payer, seed), "payment paid", payment, before=approved, after=paid)
