"""A return's decisions: the grantee submits it (through their certifier where the stream
asks for it), the certifier signs it off or sends it back, and an officer approves it or asks
for changes. Each decision is audited and tells whoever acts next."""

from tracker.data.store import ConcurrentChange, save
from tracker.infrastructure import clock
from tracker.models import (
    MilestoneReturn,
    MilestoneStatus,
    Rag,
    ReturnReview,
    ReviewDecision,
    Role,
)
from tracker.services import audit, notices, payments
from tracker.services.errors import NotAllowed, RuleBroken
from tracker.services.returns.sections import (
    SECTION_NAMES,
    STALE,
    S,
    check_can_edit,
    missing_sections,
)


def _notify_officers(milestone_return: MilestoneReturn, subject: str, body: str, kind: str):
    """Submitted news goes to the officer who reviewed the return last (a resubmission comes
    back to them), or to every programme officer when nobody has reviewed it yet."""
    from tracker.data import users as user_data

    reviewer = (
        user_data.user_by_id(milestone_return.reviewed_by_id)
        if milestone_return.reviewed_by_id
        else None
    )
    if reviewer is not None and reviewer.active and reviewer.role == Role.OFFICER:
        officers = [reviewer]
    else:
        officers = user_data.active_users_with_role(Role.OFFICER)
    notices.tell(
        officers,
        _event(milestone_return, kind),
        subject,
        f"{body}\n\n{notices.link(f'/returns/{milestone_return.id}')}",
        kind=kind,
    )


def _notify_grantees(
    milestone_return: MilestoneReturn,
    subject: str,
    body: str,
    kind: str,
    roles=(Role.GRANTEE, Role.CERTIFIER),
    skip_user_id: int | None = None,
):
    from tracker.data import users as user_data

    organisation_id = milestone_return.project.allocation.organisation_id
    notices.tell(
        [
            user
            for user in user_data.active_users_of_organisation(organisation_id, roles)
            if user.id != skip_user_id
        ],
        _event(milestone_return, kind),
        subject,
        body,
        kind=kind,
    )


def _event(milestone_return: MilestoneReturn, kind: str) -> str:
    """One event per decision: the return's version moves on with each."""
    return f"return-{milestone_return.id}-v{milestone_return.version}-{kind.replace(' ', '-')}"


def _label(milestone_return: MilestoneReturn) -> str:
    project = milestone_return.project
    return (
        f"{project.allocation.organisation.name}: {project.title}, "
        f"{milestone_return.period_start:%-d %B %Y} to {milestone_return.period_end:%-d %B %Y}"
    )


def submit(
    actor: audit.Actor,
    milestone_return: MilestoneReturn,
    *,
    declared_by_name: str,
    expected_version: int | None = None,
) -> MilestoneReturn:
    """Every section must be done and the declaration made. Where the stream asks for it, the
    return goes to the organisation's certifier first; otherwise straight to the department.
    A second submission (a double click, a replayed POST) finds it already submitted and is
    refused, so it is submitted once."""
    check_can_edit(actor, milestone_return, expected_version)
    missing = missing_sections(milestone_return)
    if missing:
        names = ", ".join(
            SECTION_NAMES.get(s, "Response to the department").lower() for s in missing
        )
        raise RuleBroken(f"Complete every section before you submit: {names}")
    if not declared_by_name.strip():
        raise RuleBroken("Enter your full name to make the declaration", "declared_by_name")
    before = {"status": milestone_return.status}
    stream = milestone_return.project.allocation.stream
    milestone_return.declared_by_name = declared_by_name.strip()
    milestone_return.submitted_at = clock.now()
    if stream.requires_certifier_sign_off:
        milestone_return.status = S.AWAITING_SIGN_OFF
    else:
        milestone_return.status = S.SUBMITTED
    milestone_return.drafted_by_id = milestone_return.drafted_by_id or actor.user_id
    try:
        save(milestone_return)
    except ConcurrentChange as error:
        raise RuleBroken(STALE) from error
    audit.record(
        actor,
        "return submitted",
        milestone_return,
        before=before,
        after={
            "status": milestone_return.status,
            "declared_by_name": milestone_return.declared_by_name,
        },
    )
    if milestone_return.status == S.AWAITING_SIGN_OFF:
        _notify_grantees(
            milestone_return,
            "A return is waiting for your sign-off",
            f"{_label(milestone_return)} is waiting for your sign-off.",
            "return awaiting sign-off",
            roles=(Role.CERTIFIER,),
            skip_user_id=milestone_return.drafted_by_id,  # they may not sign off their own
        )
    else:
        _notify_officers(
            milestone_return,
            "A return has been submitted",
            f"{_label(milestone_return)} has been submitted for review.",
            "return submitted",
        )
    return milestone_return


def sign_off(
    actor: audit.Actor,
    milestone_return: MilestoneReturn,
    *,
    approve: bool,
    reason: str = "",
    expected_version: int | None = None,
) -> MilestoneReturn:
    """The organisation's certifier signs the return off to the department, or sends it back
    to their colleague with a reason. Nobody signs off a return they drafted themselves."""
    if actor.user is None or actor.user.role != Role.CERTIFIER:
        raise NotAllowed("Only the organisation's certifier can sign off a return")
    if milestone_return.status != S.AWAITING_SIGN_OFF:
        raise RuleBroken(f"This return is {milestone_return.status.value}, not awaiting sign-off")
    if expected_version is not None and expected_version != milestone_return.version:
        raise RuleBroken(STALE)
    if approve and milestone_return.drafted_by_id == actor.user_id:
        raise NotAllowed(
            "You drafted this return, so another certifier must sign it off", "decision"
        )
    if not approve and not reason.strip():
        raise RuleBroken("Enter why you are sending the return back", "reason")
    before = {"status": milestone_return.status}
    milestone_return.status = S.SUBMITTED if approve else S.DRAFT
    if approve:
        milestone_return.signed_off_by_id = actor.user_id
    review = ReturnReview(
        return_id=milestone_return.id,
        decision=ReviewDecision.SIGNED_OFF if approve else ReviewDecision.RETURNED_TO_DRAFTER,
        reasons=reason.strip(),
        decided_by_id=actor.user_id,
        decided_at=clock.now(),
    )
    milestone_return.reviews.append(review)
    try:
        save(milestone_return, review)
    except ConcurrentChange as error:
        raise RuleBroken(STALE) from error
    audit.record(
        actor,
        "return signed off" if approve else "return sent back to drafter",
        milestone_return,
        before=before,
        after={"status": milestone_return.status, "reason": reason.strip()},
    )
    if approve:
        _notify_officers(
            milestone_return,
            "A return has been submitted",
            f"{_label(milestone_return)} has been signed off and submitted.",
            "return submitted",
        )
    else:
        _notify_grantees(
            milestone_return,
            "Your certifier sent a return back",
            f"{_label(milestone_return)} was sent back: {reason.strip()}",
            "return returned to drafter",
            roles=(Role.GRANTEE,),
        )
    return milestone_return


def complete_reported_milestones(actor: audit.Actor, milestone_return: MilestoneReturn) -> None:
    """A milestone the grantee reported complete in a return the department approved is
    completed, on the day of approval, and says so everywhere it is shown (with that return).
    A milestone already completed (an officer recorded it) keeps its own date."""
    today = clock.now().date()
    for row in milestone_return.milestone_progress:
        milestone = row.milestone
        if not row.completed or milestone.status == MilestoneStatus.COMPLETED:
            continue
        before = {"status": milestone.status, "completed_on": milestone.completed_on}
        milestone.status, milestone.completed_on = MilestoneStatus.COMPLETED, today
        save(milestone)
        audit.record(
            actor,
            "milestone completed",
            milestone,
            before=before,
            after={
                "status": milestone.status,
                "completed_on": today,
                "return_id": milestone_return.id,
            },
        )


def review(
    actor: audit.Actor,
    milestone_return: MilestoneReturn,
    *,
    approve: bool,
    reasons: str,
    reviewer_rag: Rag,
    expected_version: int | None = None,
) -> MilestoneReturn:
    """An officer approves a submitted return (it becomes final, and the payment its milestones
    carry is requested in arrears, in the same transaction, whoever calls), or sends it back
    with reasons the grantee will see."""
    if actor.user is None or actor.user.role != Role.OFFICER:
        raise NotAllowed("Only a programme officer can review a return")
    if milestone_return.status != S.SUBMITTED:
        raise RuleBroken(f"This return is {milestone_return.status.value}, not submitted")
    if expected_version is not None and expected_version != milestone_return.version:
        raise RuleBroken(STALE)
    if not approve and not reasons.strip():
        raise RuleBroken("Enter the reasons the return is being sent back", "reasons")
    if approve:  # its payment is requested below: the allocation's lock first
        payments.lock_for_payment(milestone_return.project.allocation_id)
    before = {"status": milestone_return.status, "reviewer_rag": milestone_return.reviewer_rag}
    milestone_return.status = S.APPROVED if approve else S.CHANGES_REQUESTED
    milestone_return.reviewer_rag = reviewer_rag
    milestone_return.reviewed_by_id, milestone_return.reviewed_at = actor.user_id, clock.now()
    if not approve:
        milestone_return.grantee_response = ""
        milestone_return.completed_sections = [
            s for s in milestone_return.completed_sections or [] if s != "response"
        ]
    review_row = ReturnReview(
        return_id=milestone_return.id,
        decision=ReviewDecision.APPROVED if approve else ReviewDecision.CHANGES_REQUESTED,
        reasons=reasons.strip(),
        rag=reviewer_rag,
        decided_by_id=actor.user_id,
        decided_at=clock.now(),
    )
    milestone_return.reviews.append(review_row)
    try:
        save(milestone_return, review_row)
    except ConcurrentChange as error:
        raise RuleBroken(STALE) from error
    audit.record(
        actor,
        "return approved" if approve else "return changes requested",
        milestone_return,
        before=before,
        after={
            "status": milestone_return.status,
            "reviewer_rag": reviewer_rag,
            "reasons": reasons.strip(),
        },
    )
    if approve:
        complete_reported_milestones(actor, milestone_return)
        _notify_grantees(
            milestone_return,
            "Your return has been approved",
            f"{_label(milestone_return)} has been approved.",
            "return approved",
        )
        payments.request_for_return(actor, milestone_return)
    else:
        _notify_grantees(
            milestone_return,
            "Your return needs changes",
            f"{_label(milestone_return)} was sent back: {reasons.strip()}",
            "return changes requested",
        )
    return milestone_return
