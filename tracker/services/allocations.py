"""Allocations (grant awards): creating, changing and moving them through their statuses."""

import secrets
from datetime import date

from flask import current_app, has_app_context

from tracker.data import allocations as allocation_data
from tracker.data import payments as payment_data
from tracker.data.store import ConcurrentChange, DuplicateError, save
from tracker.domain.money import format_pounds
from tracker.domain.periods import FinancialYear, financial_years_between
from tracker.models import Allocation, AllocationStatus, AllocationYear, FundingStream, Organisation
from tracker.services import audit, budget, delivery, notices, offers, schedule
from tracker.services.errors import NotAllowed, RuleBroken

S = AllocationStatus
CHANGED_MEANWHILE = (
    "Someone else changed this allocation at the same time. "
    "Reload the page to see their change, then make yours again if it is still needed."
)
FIELDS = [
    "identifier",
    "stream_id",
    "organisation_id",
    "title",
    "amount_pence",
    "awarded_on",
    "planned_start",
    "planned_end",
    "conditions",
    "status",
    "approved_by_id",
]

# Which status each action moves an allocation from, and to. A grant is closed only through
# its final return (services/closure.py), never by changing its status.
TRANSITIONS: dict[str, tuple[frozenset[S], S]] = {
    "offer": (frozenset({S.DRAFT}), S.OFFERED),
    "activate": (frozenset({S.ACCEPTED}), S.ACTIVE),
    "withdraw": (frozenset({S.DRAFT, S.OFFERED, S.ACCEPTED, S.ACTIVE}), S.WITHDRAWN),
}
ACTION_LABELS = {
    "offer": "Approve and offer",
    "activate": "Make active",
    "withdraw": "Withdraw",
}


def next_actions(allocation: Allocation) -> list[str]:
    """The status changes an officer may offer on this allocation's page now (withdrawing has
    its own page)."""
    return [
        action
        for action, (sources, _) in TRANSITIONS.items()
        if allocation.status in sources and action != "withdraw"
    ]


def profile_for(
    stream: FundingStream,
    amount_pence: int,
    planned_start: date,
    planned_end: date,
    profile: dict[int, int | None],
) -> dict[int, int]:
    """The split by financial year: every year it names lies within the planned dates and the
    stream's years, and the parts add up to the amount to the penny."""
    if planned_end < planned_start:
        raise RuleBroken(
            "The planned end date must be the same as or after the start date", "planned_end"
        )
    years = [fy.start_year for fy in financial_years_between(planned_start, planned_end)]
    outside = [y for y in years if not stream.first_year <= y <= stream.last_year]
    if outside:
        # The error goes on the date that is out of range: a start before the stream's first
        # year is the start's fault, an end after its last year the end's.
        raise RuleBroken(
            f"The planned {'start' if outside[0] < stream.first_year else 'end'} date must fall "
            f"within the stream's years, {FinancialYear(stream.first_year).label} to "
            f"{FinancialYear(stream.last_year).label}",
            "planned_start" if outside[0] < stream.first_year else "planned_end",
        )
    given = {year: pence for year, pence in profile.items() if pence}
    if not given:
        if len(years) == 1:
            return {years[0]: amount_pence}
        raise RuleBroken(
            "Enter how much of the amount falls in each financial year", f"year_{years[0]}"
        )
    for year in given:
        if year not in years:
            raise RuleBroken(
                f"{FinancialYear(year).label} is outside the planned dates: enter 0 for it",
                f"year_{year}",
            )
    if sum(given.values()) != amount_pence:
        raise RuleBroken(
            f"The amounts for each year add up to {format_pounds(sum(given.values()))}; "
            f"they must add up to the amount, {format_pounds(amount_pence)}",
            f"year_{years[0]}",
        )
    return given


def _new_identifier(stream: FundingStream) -> str:
    return f"360G-HHT-{stream.code}-{secrets.token_hex(4).upper()}"


def create_allocation(
    actor: audit.Actor,
    *,
    stream: FundingStream,
    organisation: Organisation,
    title: str,
    amount_pence: int,
    awarded_on: date,
    planned_start: date,
    planned_end: date,
    conditions: str = "",
    profile: dict[int, int | None] | None = None,
    identifier: str | None = None,
    is_illustrative: bool = False,
) -> Allocation:
    """A new draft allocation, only if it fits within what is still free of the stream's
    budget, overall and in each financial year."""
    split = profile_for(stream, amount_pence, planned_start, planned_end, profile or {})
    identifier = (identifier or "").strip() or _new_identifier(stream)
    if not identifier.startswith("360G-"):
        raise RuleBroken("Enter a 360Giving identifier that starts with 360G-", "identifier")
    if allocation_data.allocation_by_identifier(identifier):
        raise RuleBroken("Another allocation already has this 360Giving identifier", "identifier")
    budget.lock(stream)
    budget.check_fits(stream, amount_pence, split)
    allocation = Allocation(
        stream_id=stream.id,
        organisation_id=organisation.id,
        identifier=identifier,
        title=title.strip(),
        amount_pence=amount_pence,
        awarded_on=awarded_on,
        planned_start=planned_start,
        planned_end=planned_end,
        conditions=conditions.strip(),
        status=S.DRAFT,
        created_by_id=actor.user_id,
        is_illustrative=is_illustrative,
        profile=[
            AllocationYear(financial_year=y, amount_pence=p) for y, p in sorted(split.items())
        ],
    )
    try:
        save(allocation)
    except DuplicateError as error:
        raise RuleBroken(
            "Another allocation already has this 360Giving identifier", "identifier"
        ) from error
    audit.record(
        actor,
        "allocation created",
        allocation,
        after={**audit.snapshot(allocation, FIELDS), "profile": split},
    )
    _announce_if_awaiting_second_officer(allocation)
    return allocation


def update_allocation(
    actor: audit.Actor,
    allocation: Allocation,
    *,
    organisation: Organisation,
    title: str,
    amount_pence: int,
    awarded_on: date,
    planned_start: date,
    planned_end: date,
    conditions: str,
    profile: dict[int, int | None] | None = None,
) -> Allocation:
    """Only a draft can be edited; once offered, changes are variations. The edited allocation
    must still fit the budget."""
    if allocation.status != S.DRAFT:
        raise RuleBroken(
            f"This allocation is {allocation.status.value}: only a draft can be edited. "
            "Agree a variation instead."
        )
    stream = allocation.stream
    split = profile_for(stream, amount_pence, planned_start, planned_end, profile or {})
    budget.lock(stream)
    budget.check_fits(stream, amount_pence, split, excluding=allocation.id)
    before = {
        **audit.snapshot(allocation, FIELDS),
        "profile": {p.financial_year: p.amount_pence for p in allocation.profile},
    }
    allocation.organisation_id = organisation.id
    allocation.title, allocation.amount_pence = title.strip(), amount_pence
    allocation.awarded_on, allocation.planned_start = awarded_on, planned_start
    allocation.planned_end, allocation.conditions = planned_end, conditions.strip()
    existing = {p.financial_year: p for p in allocation.profile}
    for year, row in existing.items():
        if year not in split:
            allocation.profile.remove(row)
    for year, pence in split.items():
        if year in existing:
            existing[year].amount_pence = pence
        else:
            allocation.profile.append(AllocationYear(financial_year=year, amount_pence=pence))
    try:
        save(allocation)
    except ConcurrentChange as error:  # its version moved on since we read it
        raise RuleBroken(CHANGED_MEANWHILE) from error
    after = {**audit.snapshot(allocation, FIELDS), "profile": split}
    old, new = audit.changes(_keys_as_str(before), _keys_as_str(after))
    if new:
        audit.record(actor, "allocation changed", allocation, before=old, after=new)
        _announce_if_awaiting_second_officer(allocation)
    return allocation


def _keys_as_str(values: dict) -> dict:
    return {
        k: ({str(y): p for y, p in v.items()} if isinstance(v, dict) else v)
        for k, v in values.items()
    }


def needs_second_officer(allocation: Allocation, threshold_pence: int) -> bool:
    """The threshold counts the organisation's awards from the same stream in the same financial
    year (this one and those already offered; not drafts, not withdrawn ones), so splitting an
    award does not avoid it."""
    year = FinancialYear.containing(allocation.awarded_on)
    awarded = allocation_data.awarded_in_year_pence(allocation, year.start, year.end)
    return max(awarded, allocation.amount_pence) >= threshold_pence


def _announce_if_awaiting_second_officer(allocation: Allocation) -> None:
    """A draft at or over the threshold waits for a second officer: tell the officers who may
    approve it (the threshold is the service's setting; outside the app, say in a script, no
    one is told)."""
    if not has_app_context():
        return
    threshold = current_app.config["SECOND_APPROVAL_THRESHOLD_PENCE"]
    if allocation.status == S.DRAFT and needs_second_officer(allocation, threshold):
        notices.award_awaiting_second_officer(
            allocation, allocation_data.money_setters(allocation)
        )


def _check_second_officer(actor: audit.Actor, allocation: Allocation, threshold: int) -> None:
    """Separation of duties whatever the path: an award that needs a second officer is never
    approved by anyone who created it or set or changed its money (by the form, an import or
    an approved re-profiling), as the audit trail records them."""
    if not needs_second_officer(allocation, threshold):
        return
    if actor.user_id in allocation_data.money_setters(allocation):
        raise NotAllowed(
            f"An award that brings this organisation's awards from this stream in "
            f"{FinancialYear.containing(allocation.awarded_on).label} to "
            f"{format_pounds(threshold, whole=True)} or more must be approved by a second "
            "officer, not one who drafted it or set or changed its amount",
            "action",
        )


def change_status(
    actor: audit.Actor,
    allocation: Allocation,
    action: str,
    *,
    second_approval_threshold_pence: int,
    reason: str = "",
    working_days_to_report: int = 20,
) -> Allocation:
    """Moves an allocation on. An award that takes the organisation's awards from the stream in
    that financial year to the threshold (£100,000) or more leaves draft only when an officer
    who neither drafted it nor set or changed its money approves it. A withdrawal needs a reason
    and frees the money for other allocations. Making an allocation active sets up the returns
    its projects owe (working_days_to_report after each period ends)."""
    if action not in TRANSITIONS:
        raise RuleBroken("Choose what to do with this allocation", "action")
    sources, target = TRANSITIONS[action]
    if allocation.status not in sources:
        raise RuleBroken(
            f"This allocation is {allocation.status.value}, so you cannot "
            f"{ACTION_LABELS[action].lower()} it now",
            "action",
        )
    if action == "withdraw" and not reason.strip():
        raise RuleBroken("Enter why the allocation is being withdrawn", "reason")
    if action == "withdraw" and payment_data.unpaid_payments(allocation.id):
        raise RuleBroken(
            "This allocation has payments requested or approved and not yet paid: hold or pay "
            "them before it is withdrawn",
            "action",
        )
    if action == "offer":
        _check_second_officer(actor, allocation, second_approval_threshold_pence)
    if action == "activate":
        delivery.can_activate(allocation)
    before = audit.snapshot(allocation, ["status", "approved_by_id"])
    was_offered = allocation.status == S.OFFERED
    allocation.status = target
    if action == "offer":
        allocation.approved_by_id = actor.user_id
    try:
        save(allocation)
    except ConcurrentChange as error:  # another officer moved it on since we read it
        raise RuleBroken(CHANGED_MEANWHILE) from error
    if action == "activate":
        schedule.create_returns_for(allocation, working_days_to_report)
    after = audit.snapshot(allocation, ["status", "approved_by_id"])
    if action == "offer":
        offer = offers.make_offer(actor, allocation, working_days_to_report)
        after |= {"offer_version": offer.version, "terms_sha256": offer.terms_sha256}
    if action == "withdraw" and was_offered:
        ended = offers.withdraw_open(actor, allocation, reason.strip())
        if ended is not None:
            after["offer_version_withdrawn"] = ended.version
    if reason.strip():
        after["reason"] = reason.strip()
    audit.record(actor, f"allocation {target.value}", allocation, before=before, after=after)
    if action == "offer":
        notices.award_offered(allocation)
    return allocation


def record_acceptance(actor: audit.Actor, allocation: Allocation, offer) -> Allocation:
    """The grantee accepted the offer (services/offers checked who and what): the allocation
    moves from offered to accepted, and the trail keeps whose name, job title and which terms."""
    before = audit.snapshot(allocation, ["status"])
    allocation.status = S.ACCEPTED
    try:
        save(allocation)
    except ConcurrentChange as error:  # withdrawn or changed since the page was read
        raise RuleBroken(CHANGED_MEANWHILE) from error
    audit.record(
        actor,
        "allocation accepted",
        allocation,
        before=before,
        after={"status": allocation.status, **offers.acceptance_of(offer)},
    )
    return allocation
