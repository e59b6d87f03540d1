"""Row builders for the department's set-up: its streams, budgets, organisations, users,
allocations and projects. Each yields tuples in its table's column order and notes the audit
events the services would have recorded on the way."""

from datetime import timedelta

from tracker.bench_data import names
from tracker.bench_data.audit import ROLE_CODES, AuditNotes
from tracker.bench_data.history import DAY, HOUR, LATEST, allocation_times, at
from tracker.bench_data.ids import VARIATIONS, Ids, rng_for
from tracker.bench_data.plan import Plan, profile
from tracker.bench_data.sizes import DEPARTMENT_NAME, DEPARTMENT_ORG_ID, EMAIL_DOMAIN
from tracker.periods import FinancialYear

STAMPS = ["id", "created_at", "updated_at"]
SET_UP = at(FinancialYear(2015).start)


def department(plan: Plan, ids: Ids, notes: AuditNotes):
    yield ids.base["department"] + 1, SET_UP, SET_UP, DEPARTMENT_NAME, DEPARTMENT_ORG_ID


DEPARTMENT_COLUMNS = [*STAMPS, "name", "org_id"]

STREAM_COLUMNS = [
    *STAMPS,
    "code",
    "name",
    "department_id",
    "funder_note",
    "announced_pence",
    "announced_amount_note",
    "announced_on",
    "source_citation",
    "description",
    "reporting_frequency",
    "first_year",
    "last_year",
    "ggis_scheme_id",
    "budget_note",
    "requires_certifier_sign_off",
    "is_illustrative",
]


def streams(plan: Plan, ids: Ids, notes: AuditNotes):
    for s in plan.streams:
        created = at(FinancialYear(s.first_year).start - timedelta(days=90 + s.index))
        stream_id = ids.stream(s.index)
        notes.add(created, "stream created", "funding_stream", stream_id)
        announced = sum(r + c for r, c in s.budgets.values())
        yield (
            stream_id,
            created,
            created,
            s.code,
            s.name,
            ids.base["department"] + 1,
            "",
            announced,
            "",
            created.date(),
            "Generated for benchmarks: not a real source.",
            f"An illustrative {s.theme.lower()} programme made up for benchmarking.",
            s.frequency,
            s.first_year,
            s.last_year,
            f"BENCH-GGIS-{s.index + 1:04d}",
            "Generated: the split by year follows the allocations.",
            s.requires_sign_off,
            True,
        )


INDICATOR_COLUMNS = [*STAMPS, "stream_id", "code", "name", "unit"]


def indicators(plan: Plan, ids: Ids, notes: AuditNotes):
    for s in plan.streams:
        for indicator_id, (code, name, unit) in zip(
            ids.indicators(s.index), s.indicators, strict=True
        ):
            yield indicator_id, SET_UP, SET_UP, ids.stream(s.index), code, name, unit


BUDGET_COLUMNS = [*STAMPS, "stream_id", "financial_year", "resource_pence", "capital_pence"]


def budgets(plan: Plan, ids: Ids, notes: AuditNotes):
    budget_id = ids.base["stream_budget"]
    for s in plan.streams:
        when = at(FinancialYear(s.first_year).start - timedelta(days=90 + s.index), 10, 5)
        for year, (resource, capital) in sorted(s.budgets.items()):
            budget_id += 1
            detail = s.index * 10_000 + year
            notes.add(when, "budget set", "stream_budget", budget_id, None, detail)
            notes.add(when, "budget set", "funding_stream", ids.stream(s.index), None, detail)
            yield budget_id, when, when, ids.stream(s.index), year, resource, capital


ORGANISATION_COLUMNS = [
    *STAMPS,
    "name",
    "slug",
    "type",
    "org_id",
    "region",
    "local_authority_code",
    "is_illustrative",
]


def organisations(plan: Plan, ids: Ids, notes: AuditNotes):
    for o in plan.organisations:
        when = SET_UP + timedelta(hours=o.index)
        notes.add(when, "organisation created", "organisation", ids.organisation(o.index))
        yield (
            ids.organisation(o.index),
            when,
            when,
            o.name,
            f"bench-{names.slug(o.index)}",
            o.type,
            o.org_id,
            o.region,
            o.local_authority_code,
            True,
        )


USER_COLUMNS = [
    *STAMPS,
    "email",
    "name",
    "password_hash",
    "role",
    "organisation_id",
    "active",
    "last_signed_in_at",
]


def staff_emails(plan: Plan) -> list[tuple[str, str, str]]:
    """(email, name, role) of the department's own users, in id order."""
    people = [
        (
            f"officer-{n + 1:02d}@department.{EMAIL_DOMAIN}",
            f"Programme Officer {n + 1:02d}",
            "officer",
        )
        for n in range(plan.sizes.officers)
    ]
    people += [
        (
            f"finance-{n + 1:02d}@department.{EMAIL_DOMAIN}",
            f"Finance Officer {n + 1:02d}",
            "finance",
        )
        for n in range(plan.sizes.finance_officers)
    ]
    people.append((f"viewer@department.{EMAIL_DOMAIN}", "Minister's Office Reader", "viewer"))
    people.append((f"admin@department.{EMAIL_DOMAIN}", "Service Administrator", "admin"))
    return people


def users(plan: Plan, ids: Ids, notes: AuditNotes, password_hash: str):
    people = [(email, name, role, None) for email, name, role in staff_emails(plan)]
    for o in plan.organisations:
        slug = names.slug(o.index)
        people.append(
            (
                f"grantee@{slug}.{EMAIL_DOMAIN}",
                f"Grantee at {o.name}",
                "grantee",
                ids.organisation(o.index),
            )
        )
        people.append(
            (
                f"certifier@{slug}.{EMAIL_DOMAIN}",
                f"Certifier at {o.name}",
                "certifier",
                ids.organisation(o.index),
            )
        )
    for n, (email, name, role, organisation_id) in enumerate(people):
        user_id, when = ids.base["app_user"] + 1 + n, SET_UP + timedelta(minutes=n)
        notes.emails[user_id] = email
        notes.add(when, "user created", "app_user", user_id, None, ROLE_CODES.index(role))
        yield user_id, when, when, email, name, password_hash, role, organisation_id, True, None


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
        stream = plan.streams[plan.stream[i]]
        organisation = plan.organisations[plan.organisation[i]]
        yield (
            allocation_id,
            t.created,
            taken[-1][1],
            ids.stream(plan.stream[i]),
            ids.organisation(plan.organisation[i]),
            f"360G-HHT-BENCH-{i + 1:06d}",
            f"{stream.theme} in {organisation.place}",
            plan.amount[i],
            t.awarded_on,
            start,
            end,
            "Quarterly returns with evidence of spend.",
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
