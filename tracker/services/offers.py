"""Grant offers: an allocation approved and offered carries an offer whose terms are frozen as
offered (their SHA-256 kept beside them); the grantee's certifier or team lead accepts it with
their name and job title; an officer may withdraw it until then. Money follows acceptance: no
payment is requested for a grant whose offer has not been accepted (services/payments)."""

import hashlib
import json

from tracker.data import offers as offer_data
from tracker.data import returns as return_data
from tracker.data.store import save
from tracker.domain.periods import FinancialYear
from tracker.domain.statuses import UNDER_WAY
from tracker.infrastructure import clock
from tracker.models import (
    Allocation,
    AllocationStatus,
    GrantOffer,
    OfferStatus,
    Role,
    VariationKind,
)
from tracker.services import audit, conditions, delivery
from tracker.services.errors import NotAllowed, RuleBroken
from tracker.services.schedule import reporting_periods

# Who may accept an offer for their organisation: its certifier (a local authority's chief
# finance officer), or its team lead (the named person an officer made responsible for it).
NAME_MAX = 200
# The variations that change the terms of the offer (the money by year, the dates); a change
# between spend categories does not (the letter does not split the grant by category).
OFFER_TERMS_VARIED = frozenset({VariationKind.REPROFILE_YEARS, VariationKind.EXTEND_END_DATE})
PAID_ONLY_AFTER = "has accepted the grant offer"


def may_accept(user, allocation: Allocation) -> bool:
    """Whether this person may accept offers for the allocation's organisation."""
    if user is None or user.organisation_id != allocation.organisation_id:
        return False
    return user.role == Role.CERTIFIER or (user.role == Role.GRANTEE and user.is_lead)


def terms_of(allocation: Allocation, working_days_to_report: int) -> dict:
    """The offer's terms as they stand now, as plain values: what the letter shows and what its
    SHA-256 is taken over."""
    stream, organisation = allocation.stream, allocation.organisation
    department = stream.department
    plan = delivery.schedule_of(allocation, working_days_to_report)
    return {
        "reference": allocation.identifier,
        "title": allocation.title,
        "funder": {
            "name": department.name if department else "The department",
            "org_id": department.org_id if department else "",
        },
        "grantee": {"name": organisation.name, "org_id": organisation.org_id},
        "stream": {"code": stream.code, "name": stream.name},
        "amount_pence": allocation.amount_pence,
        "awarded_on": allocation.awarded_on.isoformat(),
        "planned_start": allocation.planned_start.isoformat(),
        "planned_end": allocation.planned_end.isoformat(),
        "profile": [
            {
                "financial_year": FinancialYear(row.financial_year).label,
                "amount_pence": row.amount_pence,
                "quarters": _quarters(allocation, row.financial_year, row.amount_pence),
            }
            for row in allocation.profile
        ],
        "milestones": [
            {
                "project": project.title,
                "title": milestone.title,
                "due_on": milestone.due_on.isoformat(),
                "payment_pence": milestone.payment_pence or 0,
            }
            for project in return_data.projects_with_milestones(allocation.id)
            for milestone in sorted(project.milestones, key=lambda m: (m.due_on, m.id))
        ],
        "reporting": {
            "frequency": plan.frequency.value,
            "due_working_days": plan.due_working_days,
            "periods": [
                {"start": start.isoformat(), "end": end.isoformat()}
                for start, end in reporting_periods(
                    plan.frequency, plan.first_period_start, allocation.planned_end
                )
            ],
        },
        "standard_conditions": conditions.of_stream(allocation.stream_id).as_terms(),
        "own_conditions": allocation.conditions,
    }


def _quarters(allocation: Allocation, year: int, pence: int) -> list[dict]:
    """The year's amount spread evenly over its quarters within the planned dates (the pence
    left over in the last): the profile by quarter the grantee plans against."""
    quarters = [
        q
        for q in FinancialYear(year).quarters()
        if q.end >= allocation.planned_start and q.start <= allocation.planned_end
    ]
    if not quarters:
        return []
    each, left = divmod(pence, len(quarters))
    return [
        {"quarter": q.label, "amount_pence": each + (left if n == len(quarters) - 1 else 0)}
        for n, q in enumerate(quarters)
    ]


def version_of(versions: list[GrantOffer], asked: int | None) -> GrantOffer | None:
    """The version asked for among an allocation's offers (newest first), or the latest."""
    if asked is None:
        return versions[0] if versions else None
    return next((offer for offer in versions if offer.version == asked), None)


def digest(terms: dict) -> str:
    """The SHA-256 of the terms written canonically (keys sorted, no spaces, UTF-8)."""
    text = json.dumps(terms, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_offer(actor: audit.Actor, allocation: Allocation, working_days_to_report: int):
    """A new version of the allocation's offer with its terms frozen now; an open earlier
    version is superseded by it. The caller records the status change in the audit trail."""
    now = clock.now()
    earlier = offer_data.open_offer(allocation.id)
    if earlier is not None:
        offer_data.mark_ended(
            earlier, OfferStatus.SUPERSEDED, actor.user_id, "A new version was offered", now
        )
    terms = terms_of(allocation, working_days_to_report)
    offer = GrantOffer(
        allocation_id=allocation.id,
        version=offer_data.latest_version(allocation.id) + 1,
        status=OfferStatus.OPEN,
        terms=terms,
        terms_sha256=digest(terms),
        made_by_id=actor.user_id,
    )
    save(offer)
    return offer


def withdraw_open(actor: audit.Actor, allocation: Allocation, reason: str) -> GrantOffer | None:
    """The open offer withdrawn with the allocation (before it was accepted), if there is one."""
    offer = offer_data.open_offer(allocation.id)
    if offer is not None:
        offer_data.mark_ended(offer, OfferStatus.WITHDRAWN, actor.user_id, reason, clock.now())
    return offer


def accept(
    actor: audit.Actor,
    offer: GrantOffer,
    *,
    name: str,
    job_title: str,
    declared: bool,
) -> GrantOffer:
    """The grantee's certifier or team lead accepts the offer as it was offered: their typed
    full name and job title, and the declaration. Only an open offer can be accepted, and only
    once: of two people accepting at once, exactly one acceptance is stored."""
    allocation = offer.allocation
    if not may_accept(actor.user, allocation):
        raise NotAllowed(
            f"Only {allocation.organisation.name}'s certifier or team lead can accept this offer"
        )
    if offer.status != OfferStatus.OPEN:
        raise RuleBroken(why_not_open(offer))
    name, job_title = name.strip(), job_title.strip()
    errors = []
    if not name:
        errors.append(RuleBroken("Enter your full name", "name"))
    elif len(name) > NAME_MAX:
        errors.append(RuleBroken(f"The full name must be {NAME_MAX} characters or fewer", "name"))
    if not job_title:
        errors.append(RuleBroken("Enter your job title", "job_title"))
    elif len(job_title) > NAME_MAX:
        errors.append(
            RuleBroken(f"The job title must be {NAME_MAX} characters or fewer", "job_title")
        )
    if not declared:
        errors.append(RuleBroken("Confirm the declaration to accept the offer", "declaration"))
    if errors:
        raise errors[0]
    first = allocation.status == AllocationStatus.OFFERED
    if not first and allocation.status not in UNDER_WAY:
        raise RuleBroken(why_not_open(offer))
    now = clock.now()
    if not offer_data.mark_accepted(offer, actor.user, name, job_title, now):
        offer_data.refresh(offer)  # someone else accepted (or ended) it meanwhile
        raise RuleBroken(why_not_open(offer))
    if first:
        from tracker.services.allocations import record_acceptance  # it imports this module

        record_acceptance(actor, allocation, offer)
    else:  # a later version, after a variation: the grant stays as it is, its terms change
        audit.record(actor, "offer accepted", allocation, after=acceptance_of(offer))
    return offer


def acceptance_of(offer: GrantOffer) -> dict:
    """What the audit trail keeps of an acceptance."""
    return {
        "offer_version": offer.version,
        "terms_sha256": offer.terms_sha256,
        "signatory_name": offer.signatory_name,
        "signatory_job_title": offer.signatory_job_title,
    }


def why_not_open(offer: GrantOffer) -> str:
    if offer.status == OfferStatus.ACCEPTED:
        return (
            f"This offer was accepted by {offer.signatory_name} on "
            f"{offer.accepted_at:%-d %B %Y}: there is nothing more to do"
        )
    if offer.status == OfferStatus.SUPERSEDED:
        return "This version of the offer was replaced by a later one: read and accept that one"
    if offer.status == OfferStatus.WITHDRAWN:
        return "The department withdrew this offer, so it can no longer be accepted"
    return "This offer cannot be accepted now"


def changes_the_offer(kind: VariationKind, allocation: Allocation) -> bool:
    """Whether an approved variation of this kind changes what the grantee accepted (the money
    by year, or the dates), so that a new version must be accepted: only for an allocation
    offered through the service (one without an offer, loaded in bulk, has nothing to vary)."""
    return kind in OFFER_TERMS_VARIED and offer_data.latest_version(allocation.id) > 0


def no_payment_before_acceptance(allocation: Allocation) -> None:
    """Money follows acceptance: a payment is requested only for a grant whose offer was
    accepted (accepted or active, not yet closed), and whose changed terms, if a variation
    changed them, were accepted too."""
    if allocation.status == AllocationStatus.CLOSED:
        raise RuleBroken("No payment can be requested on a closed grant")
    if allocation.status not in UNDER_WAY:
        raise RuleBroken(
            f"No payment can be requested until {allocation.organisation.name} "
            f"{PAID_ONLY_AFTER}: this grant is {allocation.status.value}"
        )
    waiting = offer_data.open_offer(allocation.id)
    if waiting is not None:
        raise RuleBroken(
            f"No payment can be requested until {allocation.organisation.name} has accepted "
            f"the changed terms of this grant (offer version {waiting.version})"
        )
