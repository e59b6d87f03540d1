"""Variations: a grantee asks to change an allocation (move money between financial years or
spend categories, or end later), with a reason; an officer approves or refuses. An approved
change updates the allocation, still within the stream's budget, and both what was asked and
what it replaced are kept on the variation, so the allocation's history shows what was agreed
when."""

from datetime import date

from tracker.data import variations as variation_data
from tracker.data.store import save
from tracker.domain.money import format_pounds
from tracker.domain.periods import FinancialYear, financial_years_between
from tracker.infrastructure import clock
from tracker.models import (
    Allocation,
    AllocationCategory,
    AllocationStatus,
    AllocationYear,
    Role,
    Variation,
    VariationKind,
    VariationStatus,
)
from tracker.services import audit, budget, notices, offers, schedule
from tracker.services.errors import NotAllowed, RuleBroken

K = VariationKind
LIVE = {AllocationStatus.OFFERED, AllocationStatus.ACCEPTED, AllocationStatus.ACTIVE}


def current_terms(allocation: Allocation, kind: VariationKind) -> dict:
    """The allocation's terms a variation of this kind would change, as they stand now."""
    if kind == K.REPROFILE_YEARS:
        return {str(row.financial_year): row.amount_pence for row in allocation.profile}
    if kind == K.REPROFILE_CATEGORIES:
        return {row.category: row.amount_pence for row in allocation.categories}
    return {"planned_end": allocation.planned_end.isoformat()}


def _check_proposal(allocation: Allocation, kind: VariationKind, proposed: dict) -> None:
    if kind in (K.REPROFILE_YEARS, K.REPROFILE_CATEGORIES):
        if any(p < 0 for p in proposed.values()):
            raise RuleBroken("Amounts cannot be negative")
        if sum(proposed.values()) != allocation.amount_pence:
            raise RuleBroken(
                f"The amounts add up to {format_pounds(sum(proposed.values()))}; they must add "
                f"up to the allocation, {format_pounds(allocation.amount_pence)}"
            )
    if kind == K.REPROFILE_YEARS:
        years = {
            fy.start_year
            for fy in financial_years_between(allocation.planned_start, allocation.planned_end)
        }
        for year, pence in proposed.items():
            if pence and int(year) not in years:
                raise RuleBroken(f"{FinancialYear(int(year)).label} is outside the grant's dates")
    if kind == K.EXTEND_END_DATE:
        new_end = date.fromisoformat(proposed["planned_end"])
        if new_end <= allocation.planned_end:
            raise RuleBroken("The new end date must be after the current one", "planned_end")
        if FinancialYear.containing(new_end).start_year > allocation.stream.last_year:
            raise RuleBroken(
                f"The new end date must be no later than "
                f"{FinancialYear(allocation.stream.last_year).end:%-d %B %Y}, when the stream ends",
                "planned_end",
            )


def request_variation(
    actor: audit.Actor, allocation: Allocation, kind: VariationKind, proposed: dict, reason: str
) -> Variation:
    """A grantee of the allocation's organisation asks for one change at a time."""
    if actor.user is None or not actor.user.role.is_grantee:
        raise NotAllowed("Only the grantee can ask for a variation")
    if allocation.status not in LIVE:
        raise RuleBroken(f"This allocation is {allocation.status.value}: it cannot be varied")
    if variation_data.open_variation(allocation.id) is not None:
        raise RuleBroken("There is already a variation waiting for a decision on this grant")
    if not reason.strip():
        raise RuleBroken("Enter why you are asking for this change", "reason")
    _check_proposal(allocation, kind, proposed)
    variation = Variation(
        allocation_id=allocation.id,
        kind=kind,
        proposed=proposed,
        previous=current_terms(allocation, kind),
        reason=reason.strip(),
        requested_by_id=actor.user_id,
        status=VariationStatus.REQUESTED,
        decision_note="",
    )
    save(variation)
    audit.record(
        actor,
        "variation requested",
        allocation,
        after={"kind": kind, "proposed": proposed, "reason": reason.strip()},
    )
    notices.variation_requested(variation)
    return variation


def decide(
    actor: audit.Actor,
    variation: Variation,
    *,
    approve: bool,
    note: str,
    working_days_to_report: int = 20,
) -> Variation:
    """An officer approves (the allocation changes, within the stream's budget) or refuses."""
    if actor.user is None or actor.user.role != Role.OFFICER:
        raise NotAllowed("Only a programme officer can decide on a variation")
    if variation.status != VariationStatus.REQUESTED:
        raise RuleBroken(f"This variation has already been {variation.status.value}")
    if not approve and not note.strip():
        raise RuleBroken("Enter why the variation is refused", "note")
    allocation = variation.allocation
    if approve and allocation.status not in LIVE:
        # Withdrawn or closed while the request waited: there is nothing left to vary.
        raise RuleBroken(f"This allocation is {allocation.status.value}: it cannot be varied")
    if approve:
        _check_proposal(allocation, variation.kind, variation.proposed)
        variation.previous = current_terms(allocation, variation.kind)
        _apply(allocation, variation, working_days_to_report)
    variation.status = VariationStatus.APPROVED if approve else VariationStatus.REFUSED
    variation.decided_by_id, variation.decided_at = actor.user_id, clock.now()
    variation.decision_note = note.strip()
    save(variation)
    audit.record(
        actor,
        f"variation {variation.status.value}",
        allocation,
        before={"kind": variation.kind, **variation.previous},
        after={"kind": variation.kind, **variation.proposed, "note": note.strip()},
    )
    notices.variation_decided(variation, note.strip())
    if approve and offers.changes_the_offer(variation.kind, allocation):
        offer = offers.make_offer(actor, allocation, working_days_to_report)
        audit.record(
            actor,
            "offer made",
            allocation,
            after={"offer_version": offer.version, "terms_sha256": offer.terms_sha256},
        )
        notices.changed_offer(allocation, offer.version)
    return variation


def _apply(allocation: Allocation, variation: Variation, working_days_to_report: int) -> None:
    proposed = variation.proposed
    if variation.kind == K.REPROFILE_YEARS:
        profile = {int(year): pence for year, pence in proposed.items() if pence}
        budget.lock(allocation.stream)
        budget.check_fits(
            allocation.stream, allocation.amount_pence, profile, excluding=allocation.id
        )
        existing = {row.financial_year: row for row in allocation.profile}
        for year, row in existing.items():
            if year not in profile:
                allocation.profile.remove(row)
        for year, pence in profile.items():
            if year in existing:
                existing[year].amount_pence = pence
            else:
                allocation.profile.append(AllocationYear(financial_year=year, amount_pence=pence))
    elif variation.kind == K.REPROFILE_CATEGORIES:
        existing = {row.category: row for row in allocation.categories}
        for category, pence in proposed.items():
            if category in existing:
                existing[category].amount_pence = pence
            else:
                allocation.categories.append(
                    AllocationCategory(category=category, amount_pence=pence)
                )
    else:
        allocation.planned_end = date.fromisoformat(proposed["planned_end"])
    save(allocation)
    if variation.kind == K.EXTEND_END_DATE and allocation.status == AllocationStatus.ACTIVE:
        schedule.create_returns_for(allocation, working_days_to_report)
