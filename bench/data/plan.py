"""The plan: every stream, organisation and allocation decided up front, small enough to hold in
memory (50,000 allocations are a few lists of ints). Everything bigger (projects' returns, spend,
payments, audit events) is derived from it row by row, lazily, by the row builders.

All choices come from one random.Random(seed), drawn in a fixed order, so a seed is a data set.
The counts the sizes name are met exactly, by adjusting a few allocations' lengths."""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from bench.data import names
from bench.data.sizes import AS_OF, Sizes
from tracker.domain.periods import FinancialYear, Quarter

LIVE_BEFORE_RETURNS = ("draft", "offered", "accepted")
# How many allocations are in each status, per 100 (active takes what is left).
STATUS_SHARES = {"closed": 4, "draft": 4, "offered": 3, "accepted": 3, "withdrawn": 6}
SHORTEST, LONGEST = 4, 28  # reporting periods in an allocation


@cache
def period(frequency: str, index: int) -> tuple[date, date]:
    """The reporting period `index` periods after the one holding AS_OF (negative: before)."""
    if frequency == "monthly":
        months = AS_OF.year * 12 + AS_OF.month - 1 + index
        start = date(months // 12, months % 12 + 1, 1)
        following = date((months + 1) // 12, (months + 1) % 12 + 1, 1)
        return start, following - timedelta(days=1)
    quarter = Quarter.containing(AS_OF)
    count = quarter.year.start_year * 4 + quarter.number - 1 + index
    chosen = Quarter(FinancialYear(count // 4), count % 4 + 1)
    return chosen.start, chosen.end


def profile(amount_pence: int, start: date, end: date) -> dict[int, int]:
    """The allocation's split by financial year: by days in each, whole pounds, to the penny."""
    years = []
    year = FinancialYear.containing(start)
    while year.start <= end:
        years.append(year)
        year = year.next()
    total_days = (end - start).days + 1
    split, given = {}, 0
    for year in years[:-1]:
        days = (min(end, year.end) - max(start, year.start)).days + 1
        pence = amount_pence * days // total_days // 100 * 100
        split[year.start_year] = pence
        given += pence
    split[years[-1].start_year] = amount_pence - given
    return split


CONDITIONS = "Quarterly returns with evidence of spend."


def allocation_title(plan: "Plan", i: int) -> str:
    stream = plan.streams[plan.stream[i]]
    return f"{stream.theme} in {plan.organisations[plan.organisation[i]].place}"


@dataclass
class StreamPlan:
    index: int
    code: str
    name: str
    theme: str
    frequency: str
    requires_sign_off: bool
    indicators: list[tuple[str, str, str]]
    headroom_percent: int
    capital_percent: int
    first_year: int = 0
    last_year: int = 0
    allocated: dict[int, int] = field(default_factory=dict)  # live pence by financial year
    budgets: dict[int, tuple[int, int]] = field(default_factory=dict)  # year: resource, capital


@dataclass
class OrganisationPlan:
    index: int
    name: str
    type: str
    org_id: str
    region: str
    local_authority_code: str
    place: str


@dataclass
class Plan:
    seed: int
    sizes: Sizes
    streams: list[StreamPlan]
    organisations: list[OrganisationPlan]
    # One entry per allocation, by index (column-wise: cheap to hold 50,000 of them).
    stream: list[int] = field(default_factory=list)
    organisation: list[int] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    amount: list[int] = field(default_factory=list)
    projects: list[int] = field(default_factory=list)
    periods: list[int] = field(default_factory=list)
    approved: list[int] = field(default_factory=list)  # periods whose returns are approved
    pending: list[int] = field(default_factory=list)  # past-due periods still in progress
    offset: list[int] = field(default_factory=list)  # periods from AS_OF's to the first
    drafted_by: list[int] = field(default_factory=list)  # officer index
    offered_by: list[int] = field(default_factory=list)
    has_categories: list[bool] = field(default_factory=list)

    def frequency(self, i: int) -> str:
        return self.streams[self.stream[i]].frequency

    def dates(self, i: int) -> tuple[date, date]:
        frequency, first = self.frequency(i), self.offset[i]
        return period(frequency, first)[0], period(frequency, first + self.periods[i] - 1)[1]

    def has_returns(self, i: int) -> bool:
        return self.status[i] in ("active", "closed")


def make_plan(sizes: Sizes, seed: int) -> Plan:
    rng = random.Random(seed)  # noqa: S311 - made-up benchmark data, not secrets
    streams = [_stream(rng, n) for n in range(sizes.streams)]
    organisations = [names.organisation(rng, n) for n in range(sizes.organisations)]
    plan = Plan(seed, sizes, streams, [OrganisationPlan(**o) for o in organisations])
    n = sizes.allocations
    statuses = []
    for status, share in STATUS_SHARES.items():
        statuses += [status] * (n * share // 100)
    statuses += ["active"] * (n - len(statuses))
    rng.shuffle(statuses)
    plan.status = statuses
    for i in range(n):
        plan.stream.append(rng.randrange(sizes.streams))
        plan.organisation.append(
            min(rng.randrange(sizes.organisations), rng.randrange(sizes.organisations))
        )
        tier = rng.random()
        pounds = (
            rng.randrange(10_000, 50_000)
            if tier < 0.3
            else rng.randrange(50_000, 250_000)
            if tier < 0.75
            else rng.randrange(250_000, 2_000_000)
        )
        plan.amount.append(pounds // 100 * 100 * 100)
        plan.projects.append(rng.choice((1, 2, 2, 2, 3)))
        closed = statuses[i] == "closed"
        plan.periods.append(rng.randrange(4, 9) if closed else rng.randrange(6, 18))
        plan.pending.append(rng.choices((0, 1, 2), (70, 25, 5))[0])
        drafter = rng.randrange(sizes.officers)
        plan.drafted_by.append(drafter)
        plan.offered_by.append((drafter + 1 + rng.randrange(sizes.officers - 1)) % sizes.officers)
        plan.has_categories.append(rng.random() < 0.5)
    _fix_projects(plan, rng)
    _fix_returns(plan, rng)
    _fix_approved(plan, rng)
    _place_in_time(plan, rng)
    _budgets(plan)
    return plan


def _stream(rng: random.Random, n: int) -> StreamPlan:
    theme, indicators = names.stream_theme(rng)
    return StreamPlan(
        index=n,
        code=f"BENCH-{n + 1:03d}",
        name=f"{theme} {rng.choice(names.STREAM_KINDS)} (benchmark {n + 1:03d})",
        theme=theme,
        frequency="monthly" if rng.random() < 0.15 else "quarterly",
        requires_sign_off=rng.random() < 0.2,
        indicators=indicators,
        headroom_percent=0 if rng.random() < 0.1 else rng.randrange(2, 30),
        capital_percent=0 if rng.random() < 0.7 else rng.randrange(10, 30),
    )


def _adjust(values, weights, low, high, target, order) -> None:
    """Steps values (within low..high) by one at a time until sum(value * weight) is target."""
    diff = target - sum(values[i] * weights[i] for i in order)
    while diff:
        moved = False
        for i in order:
            w = weights[i]
            if diff > 0 and values[i] < high[i] and w <= diff:
                values[i] += 1
                diff -= w
                moved = True
            elif diff < 0 and values[i] > low[i] and w <= -diff:
                values[i] -= 1
                diff += w
                moved = True
            if not diff:
                return
        if not moved:
            raise ValueError(f"cannot meet the sizes exactly ({diff} over); try another scale")


def _fix_projects(plan: Plan, rng: random.Random) -> None:
    order = list(range(len(plan.status)))
    rng.shuffle(order)
    ones = [1] * len(order)
    _adjust(plan.projects, ones, ones, [3] * len(order), plan.sizes.projects, order)
    # At least one allocation with returns has a single project, so odd totals can be met.
    reporting = [i for i in order if plan.has_returns(i)]
    if reporting and all(plan.projects[i] > 1 for i in reporting):
        donor = reporting[0]
        taker = next((i for i in order if i != donor and plan.projects[i] < 3), None)
        if taker is None:
            raise ValueError("too few allocations for the projects asked for")
        plan.projects[donor] -= 1
        plan.projects[taker] += 1


def _fix_returns(plan: Plan, rng: random.Random) -> None:
    active = [i for i in range(len(plan.status)) if plan.status[i] == "active"]
    rng.shuffle(active)
    closed = sum(
        plan.projects[i] * plan.periods[i]
        for i in range(len(plan.status))
        if plan.status[i] == "closed"
    )
    wanted = plan.sizes.returns - closed
    # Scale the active allocations' lengths near the target first, then step to it exactly.
    have = sum(plan.projects[i] * plan.periods[i] for i in active)
    for i in active:
        plan.periods[i] = min(LONGEST, max(SHORTEST, round(plan.periods[i] * wanted / have)))
    low = [SHORTEST + plan.pending[i] for i in range(len(plan.status))]
    _adjust(plan.periods, plan.projects, low, [LONGEST] * len(low), wanted, active)


def _fix_approved(plan: Plan, rng: random.Random) -> None:
    """Every approved return is paid (or on its way): approved returns and completed milestones
    with a payment (one per closed allocation) add up to the payments asked for."""
    n = len(plan.status)
    plan.approved = [plan.periods[i] if plan.status[i] == "closed" else 0 for i in range(n)]
    closed = [i for i in range(n) if plan.status[i] == "closed"]
    active = [i for i in range(n) if plan.status[i] == "active"]
    wanted = (
        plan.sizes.payments - len(closed) - sum(plan.projects[i] * plan.approved[i] for i in closed)
    )
    # The latest period (just ended, not yet due) and the pending ones are never approved.
    high = [plan.periods[i] - plan.pending[i] - 2 for i in range(n)]
    room = sum(plan.projects[i] * high[i] for i in active)
    if not 0 <= wanted <= room:
        raise ValueError("the sizes ask for more payments than the returns can carry")
    share = wanted / room
    for i in active:
        plan.approved[i] = min(high[i], round(high[i] * share * rng.uniform(0.5, 1.5)))
    rng.shuffle(active)
    _adjust(plan.approved, plan.projects, [0] * n, high, wanted, active)


def _place_in_time(plan: Plan, rng: random.Random) -> None:
    for i, status in enumerate(plan.status):
        if status == "active":
            # Periods before AS_OF's: the approved ones, the pending ones, the one just ended.
            plan.offset.append(-(plan.approved[i] + plan.pending[i] + 1))
        elif status == "closed":
            plan.offset.append(-(plan.periods[i] + rng.randrange(2, 6)))
        else:
            plan.offset.append(rng.randrange(1, 4))


def _budgets(plan: Plan) -> None:
    for i in range(len(plan.status)):
        stream = plan.streams[plan.stream[i]]
        start, end = plan.dates(i)
        first, last = FinancialYear.containing(start), FinancialYear.containing(end)
        stream.first_year = min(stream.first_year or first.start_year, first.start_year)
        stream.last_year = max(stream.last_year, last.start_year)
        if plan.status[i] != "withdrawn":
            for year, pence in profile(plan.amount[i], start, end).items():
                stream.allocated[year] = stream.allocated.get(year, 0) + pence
    for stream in plan.streams:
        if not stream.first_year:
            stream.first_year = stream.last_year = FinancialYear.containing(AS_OF).start_year
        for year in range(stream.first_year, stream.last_year + 1):
            allocated = stream.allocated.get(year, 0)
            total = allocated * (100 + stream.headroom_percent) // 100
            total = -(-max(total, 1_000_00) // 1_000_00) * 1_000_00  # up to whole £1,000
            capital = total * stream.capital_percent // 100 // 100 * 100
            stream.budgets[year] = (total - capital, capital)
