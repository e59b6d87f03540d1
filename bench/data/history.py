"""What happened to each allocation, return and milestone, and when: pure functions of the plan,
so the row builders and the audit trail, each in its own pass, see the same story."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from bench.data.ids import RETURNS, TIMES, Ids, rng_for
from bench.data.plan import Plan, period
from bench.data.sizes import AS_OF, NOW
from tracker.domain.working_days import working_days_after

DAY, HOUR = timedelta(days=1), timedelta(hours=1)
LATEST = NOW - HOUR


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


@cache
def due_on(period_end: date) -> date:
    return working_days_after(period_end, 20)


@dataclass
class AllocationTimes:
    created: datetime
    offered: datetime | None
    accepted: datetime | None
    activated: datetime | None
    ended: datetime | None  # closed or withdrawn
    awarded_on: date


def allocation_times(plan: Plan, i: int) -> AllocationTimes:
    rng = rng_for(plan, TIMES, i)
    start, end = plan.dates(i)
    status = plan.status[i]
    if plan.has_returns(i):
        activated = at(start - DAY * rng.randrange(1, 6), 9, rng.randrange(60))
        accepted = activated - DAY * rng.randrange(1, 8)
        offered = accepted - DAY * rng.randrange(3, 15)
    else:
        offered = at(AS_OF - DAY * rng.randrange(15, 40), 11, rng.randrange(60))
        accepted = offered + DAY * rng.randrange(3, 12)
        activated = None
    created = offered - DAY * rng.randrange(5, 30) - HOUR * rng.randrange(1, 5)
    ended = None
    if status == "closed":
        ended = min(at(end + DAY * rng.randrange(30, 60), 15), LATEST - DAY)
    elif status == "withdrawn":
        ended = at(AS_OF - DAY * rng.randrange(1, 10), 16)
    return AllocationTimes(
        created=created,
        offered=None if status == "draft" else offered,
        accepted=accepted if status in ("accepted", "active", "closed") else None,
        activated=activated,
        ended=ended,
        awarded_on=offered.date(),
    )


@dataclass
class ReturnFact:
    id: int
    allocation: int
    project_id: int
    period_start: date
    period_end: date
    due_on: date
    status: str
    created: datetime
    updated: datetime
    spend: int = 0  # pence, when filled in
    drafted: datetime | None = None
    submitted: datetime | None = None
    first_submitted: datetime | None = None  # when a resubmission followed a change request
    sent_back: datetime | None = None
    signed_off: datetime | None = None
    reviewed: datetime | None = None
    reviewer: int | None = None  # officer user id
    self_rag: str | None = None
    reviewer_rag: str | None = None
    payment: "PaymentFact | None" = None
    milestone: int | None = None  # the milestone due in this period, if any
    project_index: int = 0  # which of the allocation's projects


@dataclass
class PaymentFact:
    id: int
    amount: int
    status: str
    requested_by: int
    requested: datetime
    approved_by: int | None
    approved: datetime | None
    paid_on: date | None


PENDING = [
    ("submitted", 35),
    ("changes requested", 20),
    ("draft", 20),
    ("not started", 15),
    ("awaiting sign-off", 10),
]
JUST_ENDED = [("not started", 55), ("draft", 30), ("submitted", 15)]
RAGS = (["green"] * 7) + (["amber"] * 2) + ["red"]


def milestone_positions(periods: int) -> list[int]:
    """Which periods of an allocation end with a milestone: a third, two thirds, the end."""
    return sorted({-(-periods // 3) - 1, -(-2 * periods // 3) - 1, periods - 1})


def iter_returns(plan: Plan, ids: Ids):
    """Every return in id order (allocation, project, period), with its payment if approved."""
    return_id, project_id = ids.base["milestone_return"], ids.base["project"]
    payment_id, milestone_id = ids.base["payment"], ids.base["milestone"]
    sizes = plan.sizes
    for i in range(len(plan.status)):
        positions = milestone_positions(plan.periods[i])
        if not plan.has_returns(i):
            project_id += plan.projects[i]
            milestone_id += plan.projects[i] * len(positions)
            continue
        rng = rng_for(plan, RETURNS, i)
        stream = plan.streams[plan.stream[i]]
        frequency, first, n = stream.frequency, plan.offset[i], plan.periods[i]
        approved, pending = plan.approved[i], plan.pending[i]
        share = plan.amount[i] * 9 // 10 // (n * plan.projects[i])
        activated = allocation_times(plan, i).activated
        for k in range(plan.projects[i]):
            project_id += 1
            due_here = {j: milestone_id + 1 + k for k, j in enumerate(positions)}
            milestone_id += len(positions)
            for j in range(n):
                return_id += 1
                start, end = period(frequency, first + j)
                fact = ReturnFact(
                    return_id,
                    i,
                    project_id,
                    start,
                    end,
                    due_on(end),
                    "not started",
                    activated,
                    activated,
                )
                if j < approved:
                    fact.status = "approved"
                elif j < approved + pending:
                    fact.status = rng.choices(*zip(*PENDING, strict=True))[0]
                elif j == approved + pending and plan.status[i] == "active":
                    fact.status = rng.choices(*zip(*JUST_ENDED, strict=True))[0]
                fact.milestone, fact.project_index = due_here.get(j), k
                if fact.status == "awaiting sign-off" and not stream.requires_sign_off:
                    fact.status = "submitted"
                if fact.status != "not started":
                    _fill(fact, rng, share, stream.requires_sign_off, ids, sizes.officers)
                if fact.status == "approved":
                    payment_id += 1
                    fact.payment = _payment(payment_id, fact, rng, ids, sizes.finance_officers)
                yield fact


def _fill(fact: ReturnFact, rng, share: int, sign_off: bool, ids: Ids, officers: int) -> None:
    """The grantee's drafting, submission, sign-off and the officer's review, in time order,
    all before NOW."""
    fact.spend = int(share * rng.uniform(0.6, 1.0))
    fact.self_rag = rng.choice(RAGS)
    resubmitted = fact.status == "approved" and rng.random() < 0.05
    # How long the steps after submission take, so the last is still before NOW.
    steps = [DAY * rng.randrange(1, 4) if sign_off else timedelta(0)]
    steps.append(DAY * rng.randrange(3, 6) if resubmitted else timedelta(0))
    steps.append(DAY * rng.randrange(2, 15) + HOUR * rng.randrange(8))
    taken = {"approved": 3, "changes requested": 3, "submitted": 1}.get(fact.status, 0)
    latest = LATEST - DAY - sum(steps[:taken], timedelta(0))
    drafted = at(fact.period_end + DAY * rng.randrange(1, 12), 9, rng.randrange(60))
    fact.drafted = min(drafted, latest - 4 * HOUR)
    fact.updated = fact.drafted + 3 * HOUR
    if fact.status == "draft":
        return
    wanted = at(
        fact.due_on
        + DAY * (rng.randrange(1, 15) if rng.random() < 0.15 else -rng.randrange(0, 12)),
        11,
        rng.randrange(60),
    )
    fact.submitted = max(min(wanted, latest), fact.drafted + 4 * HOUR)
    if fact.status == "awaiting sign-off":
        fact.updated = fact.submitted
        return
    moment = fact.submitted
    if sign_off:
        moment += steps[0]
        fact.signed_off = moment
    if resubmitted:
        fact.first_submitted, fact.sent_back = fact.submitted, moment + HOUR * 20
        moment += steps[1]
        fact.submitted = moment
    fact.updated = moment
    if fact.status == "submitted":
        return
    fact.reviewed = moment + steps[2]
    fact.updated = fact.reviewed
    fact.reviewer = ids.officer(rng.randrange(officers))
    fact.reviewer_rag = fact.self_rag if rng.random() < 0.8 else rng.choice(RAGS)


def _payment(payment_id: int, fact: ReturnFact, rng, ids: Ids, finance: int) -> PaymentFact:
    """Requested when the return is approved; finance approves and pays it within days, except
    that of the last few weeks' approvals some still wait (and a few are held)."""
    requested = fact.reviewed
    if requested > NOW - DAY * 75:
        status = rng.choices(("requested", "approved", "held", "paid"), (25, 20, 5, 50))[0]
        approved = requested + (NOW - requested) * rng.uniform(0.05, 0.5)
        approved = approved.replace(microsecond=0)
        paid_on = (approved + (NOW - approved) * rng.uniform(0.1, 0.9)).date()
    else:
        status = "held" if rng.random() < 0.005 else "paid"
        approved = requested + DAY * rng.randrange(1, 6) + HOUR * rng.randrange(6)
        paid_on = approved.date() + DAY * rng.randrange(2, 11)
    kept = status in ("approved", "paid") or (status == "held" and rng.random() < 0.5)
    return PaymentFact(
        id=payment_id,
        amount=fact.spend,
        status=status,
        requested_by=fact.reviewer,
        requested=requested,
        approved_by=ids.finance(rng.randrange(finance)) if kept else None,
        approved=approved if kept else None,
        paid_on=max(paid_on, approved.date()) if status == "paid" else None,
    )
