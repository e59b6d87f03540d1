"""Loads seeds/*.toml: the Hidden Harms streams (facts, with citations) and the illustrative demo
data. Each loader is idempotent: what already exists (by code, org-id, email, identifier) is left
as it is, so running the seed twice changes nothing."""

import tomllib
from datetime import date
from pathlib import Path

from tracker.commands import demo_closure, demo_history, demo_year_end
from tracker.data import allocations as allocation_data
from tracker.data import delivery as delivery_data
from tracker.data import offers as offer_data
from tracker.data import organisations as organisation_data
from tracker.data import streams as stream_data
from tracker.data import users as user_data
from tracker.data.store import save
from tracker.domain.money import PENCE_PER_POUND
from tracker.domain.periods import Quarter
from tracker.models import (
    Department,
    EvidenceRating,
    Indicator,
    IndicatorKind,
    OrganisationType,
    ReportingFrequency,
    Role,
)
from tracker.services import allocations as allocation_service
from tracker.services import delivery as delivery_service
from tracker.services import notices
from tracker.services import offers as offer_service
from tracker.services import organisations as organisation_service
from tracker.services import streams as stream_service
from tracker.services import users as user_service
from tracker.services.audit import SYSTEM, Actor
from tracker.services.errors import RuleBroken

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# Illustrative evidence ratings for the demo projects (made up, not the What Works centres').
DEMO_EVIDENCE = {
    "SWIS": EvidenceRating.SIGNS_OF_POTENTIAL,
    "TRF": EvidenceRating.PROMISING,
}
ALLOCATION_STEPS = {
    "draft": [],
    "offered": ["offer"],
    "accepted": ["offer", "accept"],
    "active": ["offer", "accept", "activate"],
}


def _read(name: str) -> dict:
    with open(SEEDS / name, "rb") as handle:
        return tomllib.load(handle)


def load_streams() -> int:
    """The Hidden Harms streams. Returns how many were added."""
    data = _read("hidden_harms.toml")
    for department in data["departments"]:
        if stream_data.department_by_org_id(department["org_id"]) is None:
            save(
                Department(
                    name=department["name"],
                    org_id=department["org_id"],
                    org_id_confirmed=department.get("org_id_confirmed", False),
                    org_id_source=department.get("org_id_source", ""),
                )
            )
    added = 0
    for entry in data["streams"]:
        if stream_data.stream_by_code(entry["code"]) is not None:
            continue
        department = (
            stream_data.department_by_org_id(entry["department"])
            if entry.get("department")
            else None
        )
        stream = stream_service.create_stream(
            SYSTEM,
            code=entry["code"],
            name=entry["name"],
            department=department,
            funder_note=entry.get("funder_note", ""),
            announced_pence=entry["announced_pounds"] * PENCE_PER_POUND,
            announced_amount_note=entry.get("announced_amount_note", ""),
            announced_at_summit=entry.get("announced_at_summit", True),
            announced_is_approximate=entry.get("announced_is_approximate", False),
            announced_on=entry.get("announced_on", data["defaults"]["announced_on"]),
            first_year=entry["first_year"],
            last_year=entry["last_year"],
            reporting_frequency=ReportingFrequency.QUARTERLY,
            description=entry["description"],
            source_citation=data["sources"][entry["source"]],
            budget_note=entry.get("budget_note", data["defaults"]["budget_note"]),
            requires_certifier_sign_off=entry.get("requires_certifier_sign_off", False),
        )
        for indicator in entry["indicators"]:
            kind = IndicatorKind(indicator.get("kind", IndicatorKind.FLOW.value))
            save(Indicator(stream_id=stream.id, **{**indicator, "kind": kind}))
        budget = entry.get("budget") or [
            {"year": entry["first_year"], "resource_pounds": entry["announced_pounds"]}
        ]
        for year in budget:
            stream_service.set_budget(
                SYSTEM,
                stream,
                year["year"],
                resource_pence=year.get("resource_pounds", 0) * PENCE_PER_POUND,
                capital_pence=year.get("capital_pounds", 0) * PENCE_PER_POUND,
            )
        added += 1
    return added


def load_demo(password: str, history: bool = False) -> dict[str, int]:
    """Illustrative organisations, users, allocations, projects and milestones; with history,
    past returns filled in and approved and their payments paid (see demo_history)."""
    if len(password) < 12:
        raise RuleBroken("Set TRACKER_DEMO_PASSWORD to 12 characters or more")
    data = _read("demo.toml")
    counts = {"organisations": 0, "users": 0, "allocations": 0}
    for entry in data["organisations"]:
        if organisation_data.organisation_by_org_id(entry["org_id"]) is None:
            organisation_service.create_organisation(
                SYSTEM,
                name=entry["name"],
                type=OrganisationType(entry["type"]),
                org_id=entry["org_id"],
                region=entry.get("region", ""),
                local_authority_code=entry.get("local_authority_code", ""),
                is_illustrative=True,
            )
            counts["organisations"] += 1

    def ensure_user(email: str, name: str, role: Role, organisation=None, lead=False) -> None:
        if user_data.user_by_email(email) is None:
            user_service.create_user(
                SYSTEM,
                email=email,
                name=name,
                role=role,
                password=password,
                organisation=organisation,
                lead=lead,
            )
            counts["users"] += 1

    for entry in data["users"]:
        ensure_user(entry["email"], entry["name"], Role(entry["role"]))
    for entry in data["organisations"]:
        organisation = organisation_data.organisation_by_org_id(entry["org_id"])
        ensure_user(
            f"grantee@{organisation.slug}.demo.org.uk",
            f"Grantee at {organisation.name} (demo)",
            Role.GRANTEE,
            organisation,
            lead=True,  # each demo organisation's grantee user leads its team
        )
        if organisation.type == OrganisationType.LOCAL_AUTHORITY:
            ensure_user(
                f"certifier@{organisation.slug}.demo.org.uk",
                f"Chief finance officer at {organisation.name} (demo)",
                Role.CERTIFIER,
                organisation,
            )

    drafter = Actor(user_data.user_by_email("officer@demo.gov.uk"), "seed")
    finance = (
        user_data.user_by_email("finance@demo.gov.uk"),
        user_data.user_by_email("finance2@demo.gov.uk"),
    )
    approver = Actor(user_data.user_by_email("officer2@demo.gov.uk"), "seed")
    allocations = list(data["allocations"])
    trf = data["trf"]
    for org_id in trf["organisations"]:
        allocations.append(
            {
                "identifier": f"360G-HHT-DEMO-TRF-{org_id.rsplit('-', 1)[1]}",
                "stream": trf["stream"],
                "organisation": org_id,
                "title": "Trusted relationships for young people at risk "
                "of exploitation (illustrative)",
                "pounds": trf["pounds_each"],
                "awarded_on": date(2020, 6, 15),
                "planned_start": date(2020, 7, 1),
                "planned_end": date(2021, 3, 31),
                "status": "active",
            }
        )
    today = date.today()
    if history:  # a stream with a year under way, for the year-end outturn
        demo_year_end.add_stream(today)
        allocations.extend(demo_year_end.allocations(today))
    for entry in allocations:
        if allocation_data.allocation_by_identifier(entry["identifier"]) is not None:
            continue
        stream = stream_data.stream_by_code(entry["stream"])
        organisation = organisation_data.organisation_by_org_id(entry["organisation"])
        allocation = allocation_service.create_allocation(
            drafter,
            stream=stream,
            organisation=organisation,
            title=entry["title"],
            amount_pence=entry["pounds"] * PENCE_PER_POUND,
            awarded_on=entry["awarded_on"],
            planned_start=entry["planned_start"],
            planned_end=entry["planned_end"],
            profile={int(y): p * PENCE_PER_POUND for y, p in entry.get("profile", {}).items()},
            identifier=entry["identifier"],
            is_illustrative=True,
        )
        _demo_project(drafter, allocation, stream)
        for action in ALLOCATION_STEPS[entry["status"]]:
            if action == "accept":
                _accept_as_signatory(allocation, organisation)
                continue
            allocation_service.change_status(
                approver, allocation, action, second_approval_threshold_pence=100_000_00
            )
        if entry["status"] == "active" and history:
            grantee = user_data.user_by_email(f"grantee@{organisation.slug}.demo.org.uk")
            closing = entry["organisation"] in demo_closure.STAGES
            demo_history.fill(
                allocation, drafter.user, finance, grantee, to_the_end=closing, due_before=today
            )
        counts["allocations"] += 1
    if history:
        counts["grants moved towards closure"] = demo_closure.stage(drafter.user, finance, today)
    return counts


def _accept_as_signatory(allocation, organisation) -> None:
    """The demo organisation's certifier (a local authority's) or its lead grantee accepts the
    offer, as they would in the service."""
    signatory = user_data.user_by_email(
        f"certifier@{organisation.slug}.demo.org.uk"
    ) or user_data.user_by_email(f"grantee@{organisation.slug}.demo.org.uk")
    offer_service.accept(
        Actor(signatory, "seed"),
        offer_data.open_offer(allocation.id),
        name=signatory.name,
        job_title="Chief finance officer (demo)"
        if signatory.role == Role.CERTIFIER
        else "Programme lead (demo)",
        declared=True,
    )


def _demo_project(actor: Actor, allocation, stream) -> None:
    """One illustrative project per allocation, a target per indicator, a milestone at the
    end of each quarter of its planned dates (the last one carrying a payment), made through the
    same services as the officer's pages; the schedule is the default one, saved when the
    allocation becomes active."""
    project = delivery_service.add_project(
        actor,
        allocation,
        title=allocation.title,
        is_illustrative=True,
        summary="Illustrative project made for the demo.",
        intervention_type="Direct support",
        location=allocation.organisation.name,
        evidence_rating=DEMO_EVIDENCE.get(stream.code, EvidenceRating.NOT_YET_RATED),
    )
    indicators = delivery_data.indicators_of_stream(stream.id)
    delivery_service.set_targets(
        actor, project, {indicator.id: 20 * (n + 1) for n, indicator in enumerate(indicators)}
    )
    quarter = Quarter.containing(allocation.planned_start)
    ends = []
    while quarter.start <= allocation.planned_end:
        ends.append(quarter)
        quarter = (
            Quarter(quarter.year, quarter.number + 1)
            if quarter.number < 4
            else Quarter(quarter.year.next(), 1)
        )
    for i, q in enumerate(ends):
        last = i == len(ends) - 1
        delivery_service.add_milestone(
            actor,
            project,
            title=f"Delivery to the end of {q.label}",
            due_on=min(q.end, allocation.planned_end),
            payment_pence=allocation.amount_pence // 10 if last else None,
        )


# The counts of things added; any other count (grants moved towards closure) says what it is.
ADDED = ("streams", "organisations", "users", "allocations")


def seed(demo: bool, password: str, environment: str, history: bool = False) -> dict[str, int]:
    if demo and environment == "production":
        raise RuleBroken("Demo data is never loaded where TRACKER_ENV=production")
    counts = {"streams": load_streams()}
    if demo:
        with notices.silenced():  # the demo's made-up history is nobody's news
            counts.update(load_demo(password, history))
    return counts
