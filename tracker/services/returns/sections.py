"""A return's sections: the grantee drafts them one by one (spend, forecast, outputs,
milestones, narrative, RAG, evidence, and their response when it was sent back), only while it
is theirs to change and only from the version they last saw."""

from datetime import date

from tracker.data import returns as return_data
from tracker.data.store import ConcurrentChange, save
from tracker.domain.money import format_pounds
from tracker.infrastructure import clock
from tracker.models import (
    AllocationStatus,
    MilestoneReturn,
    Rag,
    ReturnForecast,
    ReturnIndicatorValue,
    ReturnMilestoneProgress,
    ReturnSpend,
    ReturnStatus,
    SpendCategory,
)
from tracker.services import audit
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
    if milestone_return.project.allocation.status == AllocationStatus.CLOSED:
        raise RuleBroken("This grant is closed: its returns can no longer be changed")
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
