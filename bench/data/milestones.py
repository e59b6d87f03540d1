"""Each project's milestones: what is due when, which were completed (and by whom), and the
payments the completed ones that carry money set off."""

from dataclasses import dataclass
from datetime import date

from bench.data.history import DAY, PaymentFact, at, milestone_positions
from bench.data.ids import MILESTONES, Ids, rng_for
from bench.data.plan import Plan, period
from bench.data.sizes import AS_OF


def outcome(plan: Plan, ids: Ids, i: int, milestone_id: int, due: date, closing: bool):
    """(status, completed_on, completed_by) of one milestone: a pure function of its id, so a
    return reporting on it (history.iter_returns) agrees with it."""
    if not plan.has_returns(i) or due >= AS_OF - DAY * 14:
        return "planned", None, None
    mixed = (milestone_id * 2_654_435_761 + plan.seed) % 2**32
    if not closing and mixed % 100 >= 93:
        return "missed", None, None
    officer = ids.officer((mixed >> 16) % plan.sizes.officers)
    return "completed", due - DAY * ((mixed >> 8) % 10), officer


@dataclass
class MilestoneFact:
    id: int
    allocation: int
    project_id: int
    title: str
    due_on: date
    payment_pence: int | None
    status: str
    completed_on: date | None
    completed_by: int | None = None
    payment: PaymentFact | None = None


TITLES = [
    "Service mobilised and staff in post",
    "Mid-point review with the department",
    "Final report and evaluation",
]


def iter_milestones(plan: Plan, ids: Ids, first_payment_id: int):
    """Milestones at a third, two thirds and the end of each project; the first project's last
    one carries a tenth of the allocation, paid when an officer records it completed."""
    milestone_id, project_id = ids.base["milestone"], ids.base["project"]
    payment_id = first_payment_id
    for i in range(len(plan.status)):
        rng = rng_for(plan, MILESTONES, i)
        frequency, first, n = plan.frequency(i), plan.offset[i], plan.periods[i]
        positions = milestone_positions(n)
        for k in range(plan.projects[i]):
            project_id += 1
            for number, j in enumerate(positions):
                milestone_id += 1
                due = period(frequency, first + j)[1]
                last = j == n - 1
                fact = MilestoneFact(
                    milestone_id,
                    i,
                    project_id,
                    TITLES[min(number, 2) if not last else 2],
                    due,
                    plan.amount[i] // 10 if last and k == 0 else None,
                    "planned",
                    None,
                )
                closing = plan.status[i] == "closed" and bool(fact.payment_pence)
                fact.status, fact.completed_on, fact.completed_by = outcome(
                    plan, ids, i, milestone_id, due, closing
                )
                if fact.status == "completed" and fact.payment_pence:
                    payment_id += 1
                    requested = at(fact.completed_on + DAY * rng.randrange(1, 8), 14)
                    approved = requested + DAY * rng.randrange(1, 5)
                    fact.payment = PaymentFact(
                        payment_id,
                        fact.payment_pence,
                        "paid",
                        fact.completed_by,
                        requested,
                        ids.finance(rng.randrange(plan.sizes.finance_officers)),
                        approved,
                        approved.date() + DAY * rng.randrange(2, 9),
                    )
                yield fact
