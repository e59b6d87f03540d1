"""Milestone returns: a grantee drafts them section by section, submits them (through their
certifier where the stream asks for it), and an officer approves them or sends them back.

Statuses: not started -> draft -> [awaiting sign-off ->] submitted -> approved, and
submitted -> changes requested -> (draft again) -> submitted. Once submitted a return is frozen
for the grantee; once approved it is final.
"""

from datetime import date

from tracker.data import returns as return_data
from tracker.data.store import ConcurrentChange, save
from tracker.domain.money import format_pounds
from tracker.infrastructure import clock
from tracker.models import (
    MilestoneReturn,
    MilestoneStatus,
    Rag,
    ReturnForecast,
    ReturnIndicatorValue,
    ReturnMilestoneProgress,
    ReturnReview,
    ReturnSpend,
    ReturnStatus,
    ReviewDecision,
    Role,
    SpendCategory,
)
from tracker.services import audit, notify, payments
from tracker.services.errors import NotAllowed, RuleBroken

S = ReturnStatus
EDITABLE = frozenset({S.NOT_STARTED, S.DRAFT, S.CHANGES_REQUESTED})
SECTIONS = ["spend", "forecast", "outputs", "milestones", "narrative", "rag", "evidence"]
SECTION_NAMES = {
    "spend": "Spend in the period",
    "forecast": "Forecast of remaining spend",
    "outputs": "Outputs",
    "milestones": "Milestones",
    "narrative": "Progress and risks",
    "rag": "Overall status (RAG)",
    "evidence": "Evidence",
}
STALE = (
    "Someone else saved this return after you opened it. Reload the page to see their "
    "answers, then make your changes again."
)


def check_can_edit(
    actor: audit.Actor, milestone_return: MilestoneReturn, expected_version: int | None
) -> None:
    """Only the grantee may change a return, only while it is a draft or sent back, and only
    from the version they last saw (else RuleBroken: someone else changed it)."""
    if actor.user is None or not actor.user.role.is_grantee:
        raise NotAllowed("Only the grantee can change a return")
    if milestone_return.status not in EDITABLE:
        raise RuleBroken(
            f"This return is {milestone_return.status.value}: it can no longer be changed"
        )
    if expected_version is not None and expected_version != milestone_return.version:
        raise RuleBroken(STALE)


def _touch(
    actor: audit.Actor, milestone_return: MilestoneReturn, section: str, done: bool = True
) -> None:
    """Marks a section done, moves a return that was not started into draft, and bumps its
    version (so a second person saving from a stale page is refused)."""
    if milestone_return.status == S.NOT_STARTED:
        milestone_return.status = S.DRAFT
    if milestone_return.drafted_by_id is None:
        milestone_return.drafted_by_id = actor.user_id
    sections = set(milestone_return.completed_sections or [])
    if done:
        sections.add(section)
    else:
        sections.discard(section)
    milestone_return.completed_sections = sorted(sections)
    milestone_return.updated_at = clock.now()
    try:
        save(milestone_return)
    except ConcurrentChange as error:
        raise RuleBroken(STALE) from error


def save_spend(
    actor: audit.Actor,
    milestone_return: MilestoneReturn,
    amounts: dict[SpendCategory, int],
    *,
    explanation: str = "",
    expected_version: int | None = None,
) -> None:
    """Spend is never negative; spend that takes the allocation's cumulative reported spend past
    the amount awarded needs an explanation."""
    check_can_edit(actor, milestone_return, expected_version)
    if any(pence < 0 for pence in amounts.values()):
        raise RuleBroken("Spend cannot be negative", "staff")
    allocation = milestone_return.project.allocation
    earlier = return_data.spend_reported_on_allocation(
        allocation.id, excluding_return=milestone_return.id
    )
    total = earlier + sum(amounts.values())
    if total > allocation.amount_pence and not explanation.strip():
        raise RuleBroken(
            f"Explain why spend so far ({format_pounds(total)}) is more than the allocation "
            f"({format_pounds(allocation.amount_pence)})",
            "overspend_explanation",
        )
    before = {line.category.value: line.amount_pence for line in milestone_return.spend}
    existing = {line.category: line for line in milestone_return.spend}
    for category in SpendCategory:
        pence = amounts.get(category, 0)
        if category in existing:
            existing[category].amount_pence = pence
        else:
            milestone_return.spend.append(ReturnSpend(category=category, amount_pence=pence))
    milestone_return.overspend_explanation = explanation.strip()
    _touch(actor, milestone_return, "spend")
    audit.record(
        actor,
        "return spend saved",
        milestone_return,
        before=before,
        after={c.value: amounts.get(c, 0) for c in SpendCategory},
    )


def save_forecast(
    actor: audit.Actor,
    milestone_return: MilestoneReturn,
    amounts: dict[date, int],
    *,
    expected_version: int | None = None,
) -> None:
    """The grantee's forecast spend for the quarters ahead; never negative."""
    check_can_edit(actor, milestone_return, expected_version)
    existing = {row.period_start: row for row in milestone_return.forecasts}
    for period_start, pence in amounts.items():
        if pence < 0:
            raise RuleBroken("Forecast spend cannot be negative")
        if period_start in existing:
            existing[period_start].amount_pence = pence
        else:
            milestone_return.forecasts.append(
                ReturnForecast(period_start=period_start, amount_pence=pence)
            )
    _touch(actor, milestone_return, "forecast")
    audit.record(
        actor,
        "return forecast saved",
        milestone_return,
        after={str(k): v for k, v in amounts.items()},
    )


def save_outputs(
    actor: audit.Actor,
    milestone_return: MilestoneReturn,
    values: dict[int, int],
    *,
    expected_version: int | None = None,
) -> None:
    """A value for each of the stream's indicators: whole numbers, zero or more."""
    check_can_edit(actor, milestone_return, expected_version)
    indicators = {i.id for i in milestone_return.project.allocation.stream.indicators}
    if set(values) != indicators:
        raise RuleBroken("Enter a value for every output")
    existing = {row.indicator_id: row for row in milestone_return.indicator_values}
    for indicator_id, value in values.items():
        if value < 0:
            raise RuleBroken("Outputs must be 0 or more", f"indicator_{indicator_id}")
        if indicator_id in existing:
            existing[indicator_id].value = value
        else:
            milestone_return.indicator_values.append(
                ReturnIndicatorValue(indicator_id=indicator_id, value=value)
            )
    _touch(actor, milestone_return, "outputs")
    audit.record(
        actor,
        "return outputs saved",
        milestone_return,
        after={str(k): v for k, v in values.items()},
    )


def save_milestones(
    actor: audit.Actor,
    milestone_return: MilestoneReturn,
    progress: dict[int, tuple[bool, str]],
    *,
    expected_version: int | None = None,
) -> None:
    """Progress on the milestones due in the return's period, and only those."""
    check_can_edit(actor, milestone_return, expected_version)
    due = {m.id for m in return_data.milestones_due(milestone_return)}
    if not set(progress) <= due:
        raise RuleBroken("Report only on the milestones due in this period")
    existing = {row.milestone_id: row for row in milestone_return.milestone_progress}
    for milestone_id, (completed, note) in progress.items():
        row = existing.get(milestone_id)
        if row is None:
            row = ReturnMilestoneProgress(milestone_id=milestone_id)
            milestone_return.milestone_progress.append(row)
        row.completed, row.note = completed, note.strip()
    _touch(actor, milestone_return, "milestones")
    audit.record(
        actor,
        "return milestones saved",
        milestone_return,
        after={str(k): {"completed": c, "note": n} for k, (c, n) in progress.items()},
    )


def save_narrative(
    actor: audit.Actor,
    milestone_return: MilestoneReturn,
    *,
    narrative: str,
    risks: str,
    expected_version: int | None = None,
) -> None:
    """The grantee's account of progress (required) and risks (optional)."""
    check_can_edit(actor, milestone_return, expected_version)
    if not narrative.strip():
        raise RuleBroken("Describe the progress made in this period", "narrative")
    milestone_return.narrative, milestone_return.risks = narrative.strip(), risks.strip()
    _touch(actor, milestone_return, "narrative")
    audit.record(actor, "return narrative saved", milestone_return)


def save_rag(
    actor: audit.Actor,
    milestone_return: MilestoneReturn,
    rag: Rag,
    *,
    expected_version: int | None = None,
) -> None:
    """The grantee's own RAG rating of their project for the period. Audited."""
    check_can_edit(actor, milestone_return, expected_version)
    before = {"self_rag": milestone_return.self_rag}
    milestone_return.self_rag = rag
    _touch(actor, milestone_return, "rag")
    audit.record(
        actor, "return RAG saved", milestone_return, before=before, after={"self_rag": rag}
    )


def mark_evidence_done(
    actor: audit.Actor, milestone_return: MilestoneReturn, *, expected_version: int | None = None
) -> None:
    """Marks the evidence section done (a return may carry no evidence files)."""
    check_can_edit(actor, milestone_return, expected_version)
    _touch(actor, milestone_return, "evidence")


def save_response(
    actor: audit.Actor,
    milestone_return: MilestoneReturn,
    response: str,
    *,
    expected_version: int | None = None,
) -> None:
    """The grantee's answer to the reasons the return was sent back for."""
    check_can_edit(actor, milestone_return, expected_version)
    if milestone_return.status != S.CHANGES_REQUESTED and not milestone_return.reviews:
        raise RuleBroken("This return has not been sent back")
    if not response.strip():
        raise RuleBroken("Enter your answer to the department's reasons", "response")
    milestone_return.grantee_response = response.strip()
    _touch(actor, milestone_return, "response")
    audit.record(
        actor,
        "return response saved",
        milestone_return,
        after={"grantee_response": response.strip()},
    )


def missing_sections(milestone_return: MilestoneReturn) -> list[str]:
    """The sections still to complete before the return can be submitted (a sent-back return
    also needs the grantee's response)."""
    needed = list(SECTIONS)
    if milestone_return.status == S.CHANGES_REQUESTED:
        needed.append("response")
    done = set(milestone_return.completed_sections or [])
    return [section for section in needed if section not in done]


def _notify_officers(milestone_return: MilestoneReturn, subject: str, body: str, kind: str):
    from tracker.data import users as user_data

    for officer in user_data.active_users_with_role(Role.OFFICER):
        notify.queue_email(officer.email, subject, body, kind=kind)


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
    for user in user_data.active_users_of_organisation(organisation_id, roles):
        if user.id != skip_user_id:
            notify.queue_email(user.email, subject, body, kind=kind)


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
