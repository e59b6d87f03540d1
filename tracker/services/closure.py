"""Closing a grant. Once past its planned end a grant owes a final return: what was delivered
against every target, the total spent on eligible costs, lessons and the evidence held. The
officer reviews it and either sends it back with reasons or closes the grant: what was paid less
the eligible spend, where that is more than nothing, becomes a recovery (amount, reason, due
date) for finance (`services/recoveries.py`). A closed grant is read-only; its figures stay in
every dashboard and export."""

from dataclasses import asdict
from datetime import date
from pathlib import Path

from tracker.data import closure as closure_data
from tracker.data import payments as payment_data
from tracker.data.store import ConcurrentChange, DuplicateError, save
from tracker.domain.money import format_pounds
from tracker.domain.roles import Role
from tracker.domain.statuses import UNDER_WAY, AllocationStatus, FinalReturnStatus
from tracker.infrastructure import clock
from tracker.models import Allocation, FinalReturn, FinalReturnFile, Recovery
from tracker.services import audit
from tracker.services import evidence as evidence_files
from tracker.services.errors import NotAllowed, RuleBroken

S = FinalReturnStatus
CHANGED = "Someone else changed this final return at the same time: check it and try again"
FIELDS = ["status", "delivered", "eligible_spend_pence", "lessons", "evidence"]
FILE_FIELDS = ["original_name", "content_type", "size_bytes", "sha256"]


def final_return_due(allocation: Allocation, today: date) -> bool:
    """A grant owes its final return once it is accepted or active and past its planned end."""
    return allocation.status in UNDER_WAY and allocation.planned_end < today


def may_submit(user, allocation: Allocation) -> bool:
    """The grantee's own people (grantees and the certifier) submit its final return."""
    return user.role.is_grantee and user.organisation_id == allocation.organisation_id


def submit_final_return(
    actor: audit.Actor,
    allocation: Allocation,
    *,
    delivered: dict[int, int],
    eligible_spend_pence: int,
    lessons: str,
    evidence: str,
    today: date,
    attachment: tuple[str, bytes] | None = None,
    folder: Path | None = None,
    max_bytes: int = 0,
) -> FinalReturn:
    """The grantee submits the final return of a grant past its planned end (again, after it
    was sent back): a figure for every target of its projects, the eligible spend (never more
    than the grant's amount), and lessons and evidence, in words and, where one is sent
    (`attachment`: its name and content), a file kept in `folder` as a return's evidence
    files are. A file added on resubmission joins those sent before. Audited."""
    if actor.user is None or not may_submit(actor.user, allocation):
        raise NotAllowed("Only the grantee's own people submit its final return")
    if not final_return_due(allocation, today):
        raise RuleBroken(
            f"A final return is owed once the grant is past its planned end "
            f"({allocation.planned_end:%-d %B %Y}) and not yet closed"
        )
    targets = closure_data.target_ids(allocation.id)
    if set(delivered) != set(targets) or any(v is None or v < 0 for v in delivered.values()):
        raise RuleBroken("Enter what was delivered against every target")
    if eligible_spend_pence > allocation.amount_pence:
        raise RuleBroken(
            f"The eligible spend must be {format_pounds(allocation.amount_pence)} (the grant) "
            "or less",
            "eligible_spend",
        )
    if not lessons.strip():
        raise RuleBroken("Enter the lessons learned", "lessons")
    if not evidence.strip():
        raise RuleBroken("Say what evidence supports the final return", "evidence")
    existing = closure_data.final_return_of(allocation.id)
    if existing is not None and existing.status != S.CHANGES_REQUESTED:
        raise RuleBroken(f"The final return has already been {existing.status.value}")
    stored = None
    if attachment is not None:
        name, content = attachment
        stored = evidence_files.store(name, content, folder=folder, max_bytes=max_bytes)
    final = existing or FinalReturn(allocation_id=allocation.id)
    before = audit.snapshot(final, FIELDS) if existing else {}
    final.status = S.SUBMITTED
    final.delivered = {str(k): int(v) for k, v in sorted(delivered.items())}
    final.eligible_spend_pence = eligible_spend_pence
    final.lessons, final.evidence = lessons.strip(), evidence.strip()
    final.submitted_by_id, final.submitted_at = actor.user_id, clock.now()
    try:
        save(final)
    except (ConcurrentChange, DuplicateError) as error:
        raise RuleBroken(CHANGED) from error
    audit.record(
        actor,
        "final return submitted",
        allocation,
        before=before,
        after=audit.snapshot(final, FIELDS),
    )
    if stored is not None:
        kept = FinalReturnFile(uploaded_by_id=actor.user_id, **asdict(stored))
        final.files.append(kept)
        save(kept)
        audit.record(
            actor, "final return file added", allocation, after=audit.snapshot(kept, FILE_FIELDS)
        )
    return final


def _officer(actor: audit.Actor) -> None:
    if actor.user is None or actor.user.role != Role.OFFICER:
        raise NotAllowed("Only a programme officer reviews a final return")


def _submitted(final: FinalReturn | None, expected_version: int | None = None) -> FinalReturn:
    """The final return waiting for review, as the officer read it (`expected_version`, from
    their page): one resubmitted since they opened it is refused, so a decision is never taken
    on answers the officer has not seen."""
    if final is None or final.status != S.SUBMITTED:
        raise RuleBroken("There is no final return waiting for review")
    if expected_version is not None and final.version != expected_version:
        raise RuleBroken(
            "The grantee changed this final return after you opened it: read it again and "
            "then decide"
        )
    return final


def send_back(
    actor: audit.Actor,
    final: FinalReturn | None,
    reasons: str,
    *,
    expected_version: int | None = None,
) -> FinalReturn:
    """The officer returns the final return to the grantee with reasons they will see."""
    _officer(actor)
    final = _submitted(final, expected_version)
    if not reasons.strip():
        raise RuleBroken("Enter why the final return is being sent back", "reasons")
    final.status, final.decision_note = S.CHANGES_REQUESTED, reasons.strip()
    final.decided_by_id, final.decided_at = actor.user_id, clock.now()
    try:
        save(final)
    except ConcurrentChange as error:
        raise RuleBroken(CHANGED) from error
    audit.record(
        actor,
        "final return sent back",
        final.allocation,
        before={"status": S.SUBMITTED},
        after={"status": final.status, "reasons": final.decision_note},
    )
    return final


def close(
    actor: audit.Actor,
    final: FinalReturn | None,
    *,
    due_on: date | None,
    reason: str,
    today: date,
    expected_version: int | None = None,
) -> Recovery | None:
    """The officer accepts the final return and closes the grant. Paid less eligible spend,
    where more than nothing, becomes a recovery due on `due_on` (after today). Every return is
    approved first, and payments still waiting are paid or held first: a closed grant owes no
    return and is paid nothing more. Gives the recovery, if any."""
    _officer(actor)
    final = _submitted(final, expected_version)
    allocation = payment_data.lock_allocation(final.allocation_id)
    if allocation.status not in UNDER_WAY:
        raise RuleBroken(f"This grant is {allocation.status.value}: it cannot be closed")
    waiting = closure_data.returns_not_approved(allocation.id)
    if waiting:
        raise RuleBroken(
            f"{waiting} of this grant's returns {'is' if waiting == 1 else 'are'} not yet "
            "approved: every return is submitted and approved before the grant is closed"
        )
    if payment_data.unpaid_payments(allocation.id):
        raise RuleBroken(
            "This grant has payments requested or approved and not yet paid: pay or hold them "
            "before it is closed"
        )
    paid = closure_data.paid_on(allocation.id)
    owed = paid - final.eligible_spend_pence
    if owed > 0:
        if due_on is None:
            raise RuleBroken("Enter the date the money is to be paid back by", "due_on")
        if due_on <= today:
            raise RuleBroken("The date to pay back by must be in the future", "due_on")
        if not reason.strip():
            raise RuleBroken("Enter the reason for the recovery", "reason")
    before = {"status": allocation.status}
    allocation.status = AllocationStatus.CLOSED
    final.status = S.ACCEPTED
    final.decided_by_id, final.decided_at = actor.user_id, clock.now()
    recovery = None
    if owed > 0:
        recovery = Recovery(
            allocation_id=allocation.id,
            amount_pence=owed,
            reason=reason.strip(),
            due_on=due_on,
            raised_by_id=actor.user_id,
        )
    try:
        save(*(x for x in (allocation, final, recovery) if x is not None))
    except (ConcurrentChange, DuplicateError) as error:
        raise RuleBroken(CHANGED) from error
    audit.record(
        actor,
        "allocation closed",
        allocation,
        before=before,
        after={
            "status": allocation.status,
            "paid_pence": paid,
            "eligible_spend_pence": final.eligible_spend_pence,
            "recovery_pence": max(owed, 0),
        },
    )
    if recovery is not None:
        audit.record(
            actor,
            "recovery raised",
            allocation,
            after=audit.snapshot(recovery, ["amount_pence", "reason", "due_on"]),
        )
    return recovery
