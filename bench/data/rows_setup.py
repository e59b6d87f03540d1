"""Row builders for the department's set-up: its streams, budgets, organisations and users.
Each yields tuples in its table's column order and notes the audit events the services would
have recorded on the way."""

from datetime import timedelta

from bench.data import names
from bench.data.audit import ROLE_CODES, AuditNotes
from bench.data.history import at
from bench.data.ids import Ids
from bench.data.plan import Plan
from bench.data.sizes import DEPARTMENT_NAME, DEPARTMENT_ORG_ID, EMAIL_DOMAIN
from tracker.domain.periods import FinancialYear

STAMPS = ["id", "created_at", "updated_at"]
SET_UP = at(FinancialYear(2015).start)


def department(plan: Plan, ids: Ids, notes: AuditNotes):
    # Made up, and marked as the benchmarks' own; "confirmed" so that the 360Giving export is
    # measured over every awarded allocation, as a real department's would be.
    yield (
        ids.base["department"] + 1,
        SET_UP,
        SET_UP,
        DEPARTMENT_NAME,
        DEPARTMENT_ORG_ID,
        True,
        "Benchmark data: a made-up department, not in the register",
    )


DEPARTMENT_COLUMNS = [*STAMPS, "name", "org_id", "org_id_confirmed", "org_id_source"]

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
