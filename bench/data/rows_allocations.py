"""Row builders for the allocations: their yearly profile and spend categories, the variations
asked for, and their projects with targets. Each yields tuples in its table's column order and
notes the audit events the services would have recorded."""

from bench.data import names
from bench.data.audit import AuditNotes
from bench.data.history import DAY, HOUR, LATEST, allocation_times, at
from bench.data.ids import VARIATIONS, Ids, rng_for
from bench.data.plan import CONDITIONS, Plan, allocation_title, profile
from bench.data.rows_setup import STAMPS

ALLOCATION_COLUMNS = [
    *STAMPS,
    "stream_id",
    "organisation_id",
    "identifier",
    "title",
    "amount_pence",
    "awarded_on",
    "planned_start",
    "planned_end",
    "conditions",
    "status",
    "created_by_id",
    "approved_by_id",
    "is_illustrative",
    "version",
]


def allocations(plan: Plan, ids: Ids, notes: AuditNotes):
    for i, status in enumerate(plan.status):
        t = allocation_times(plan, i)
        start, end = plan.dates(i)
        allocation_id = ids.allocation(i)
        drafter, approver = ids.officer(plan.drafted_by[i]), ids.officer(plan.offered_by[i])
        steps = [
            ("allocation created", t.created, drafter),
            ("allocation offered", t.offered, approver),
            ("allocation accepted", t.accepted, drafter),
            ("allocation active", t.activated, drafter),
        ]
        if status in ("closed", "withdrawn"):
            steps.append((f"allocation {status}", t.ended, drafter))
        taken = [(action, when, who) for action, when, who in steps if when is not None]
        for action, when, who in taken:
            notes.add(when, action, "allocation", allocation_id, who)
        yield (
            allocation_id,
            t.created,
            taken[-1][1],
            ids.stream(plan.stream[i]),
            ids.organisation(plan.organisation[i]),
            f"360G-HHT-BENCH-{i + 1:06d}",
            allocation_title(plan, i),
            plan.amount[i],
            t.awarded_on,
            start,
            end,
            CONDITIONS,
            status,
            drafter,
            None if status == "draft" else approver,
            True,
            len(taken),
        )


YEAR_COLUMNS = [*STAMPS, "allocation_id", "financial_year", "amount_pence"]


def allocation_years(plan: Plan, ids: Ids, notes: AuditNotes):
    row_id = ids.base["allocation_year"]
    for i in range(len(plan.status)):
        start, end = plan.dates(i)
        when = allocation_times(plan, i).created
        for year, pence in profile(plan.amount[i], start, end).items():
            row_id += 1
            yield row_id, when, when, ids.allocation(i), year, pence


CATEGORY_COLUMNS = [*STAMPS, "allocation_id", "category", "amount_pence"]


def categories(amount: int) -> dict[str, int]:
    staff, delivery = amount * 55 // 100 // 100 * 100, amount * 35 // 100 // 100 * 100
    return {"delivery": delivery, "overheads": amount - staff - delivery, "staff": staff}


def allocation_categories(plan: Plan, ids: Ids, notes: AuditNotes):
    row_id = ids.base["allocation_category"]
    for i in range(len(plan.status)):
        if plan.has_categories[i]:
            when = allocation_times(plan, i).created
            for category, pence in categories(plan.amount[i]).items():
                row_id += 1
                yield row_id, when, when, ids.allocation(i), category, pence


VARIATION_COLUMNS = [
    *STAMPS,
    "allocation_id",
    "kind",
    "status",
    "reason",
    "proposed",
    "previous",
    "requested_by_id",
    "decided_by_id",
    "decided_at",
    "decision_note",
]


def variations(plan: Plan, ids: Ids, notes: AuditNotes):
    """A few grantees asked to move money between spend categories: some waiting for a
    decision, some approved (the allocation's categories are what they asked for), a few
    refused."""
    row_id = ids.base["variation"]
    for i, status in enumerate(plan.status):
        rng = rng_for(plan, VARIATIONS, i)
        if status != "active" or not plan.has_categories[i] or rng.random() > 0.06:
            continue
        row_id += 1
        current = categories(plan.amount[i])
        moved = current["staff"] // 10 // 100 * 100
        other = {
            **current,
            "staff": current["staff"] - moved,
            "delivery": current["delivery"] + moved,
        }
        outcome = rng.choice(("requested", "requested", "approved", "approved", "refused"))
        proposed, previous = (current, other) if outcome == "approved" else (other, current)
        asked = at(plan.dates(i)[0] + DAY * rng.randrange(20, 60), 12)
        asked = min(asked, LATEST - DAY * 12)
        asker = ids.grantee(plan.organisation[i])
        decider = ids.officer(rng.randrange(plan.sizes.officers))
        decided = asked + DAY * rng.randrange(2, 10) if outcome != "requested" else None
        reason = "Recruitment took longer than planned, so more of the work is commissioned."
        note = "" if outcome == "requested" else f"The change is {outcome}."
        notes.variations[row_id] = (
            None,
            {"kind": "reprofile categories", "proposed": proposed, "reason": reason},
        )
        notes.add(asked, "variation requested", "allocation", ids.allocation(i), asker, row_id)
        if decided:
            notes.add(
                decided, f"variation {outcome}", "allocation", ids.allocation(i), decider, row_id
            )
        yield (
            row_id,
            asked,
            decided or asked,
            ids.allocation(i),
            "reprofile categories",
            outcome,
            reason,
            proposed,
            previous,
            asker,
            decider if decided else None,
            decided,
            note,
        )


PROJECT_COLUMNS = [
    *STAMPS,
    "allocation_id",
    "title",
    "summary",
    "intervention_type",
    "evidence_rating",
    "location",
    "is_illustrative",
]
RATINGS = ["not yet rated", "promising", "signs of potential", "moderate", "strong"]


def projects(plan: Plan, ids: Ids, notes: AuditNotes):
    project_id = ids.base["project"]
    for i in range(len(plan.status)):
        when = allocation_times(plan, i).created + HOUR
        organisation = plan.organisations[plan.organisation[i]]
        for k in range(plan.projects[i]):
            project_id += 1
            kind = names.PROJECT_KINDS[(i + k) % len(names.PROJECT_KINDS)]
            yield (
                project_id,
                when,
                when,
                ids.allocation(i),
                f"{organisation.place} {kind}",
                f"An illustrative {kind} made up for benchmarking.",
                kind.capitalize(),
                RATINGS[(i * 3 + k) % len(RATINGS)],
                organisation.place,
                True,
            )


TARGET_COLUMNS = [*STAMPS, "project_id", "indicator_id", "target"]


def project_targets(plan: Plan, ids: Ids, notes: AuditNotes):
    project_id, row_id = ids.base["project"], ids.base["project_target"]
    for i in range(len(plan.status)):
        when = allocation_times(plan, i).created + HOUR
        for _ in range(plan.projects[i]):
            project_id += 1
            for n, indicator_id in enumerate(ids.indicators(plan.stream[i])):
                row_id += 1
                yield row_id, when, when, project_id, indicator_id, 10 * (n + 1) * plan.periods[i]
