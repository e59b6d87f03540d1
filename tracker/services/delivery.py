"""Setting up a grant's delivery: the projects an allocation pays for, a target per output
indicator of its stream, dated milestones (some with a payment) and the reporting schedule that
the returns are generated from. The officer does all of it; the seeding calls these same
functions."""

from datetime import date

from tracker.data import delivery as delivery_data
from tracker.data.store import save
from tracker.models import (
    Allocation,
    AllocationStatus,
    EvidenceRating,
    Milestone,
    Project,
    ProjectTarget,
    ReportingSchedule,
)
from tracker.services import audit
from tracker.services.errors import RuleBroken

# Projects, targets, milestones and the schedule can be set while the grant is being made and
# delivered; once it is closed or withdrawn they are history.
OPEN = frozenset(
    {
        AllocationStatus.DRAFT,
        AllocationStatus.OFFERED,
        AllocationStatus.ACCEPTED,
        AllocationStatus.ACTIVE,
    }
)
PROJECT_FIELDS = ["title", "summary", "intervention_type", "evidence_rating", "location"]


def _open(allocation: Allocation) -> None:
    if allocation.status not in OPEN:
        raise RuleBroken(
            f"This allocation is {allocation.status.value}: its delivery can no longer change"
        )


def _text(value: str | None) -> str:
    return (value or "").strip()


def add_project(
    actor: audit.Actor,
    allocation: Allocation,
    *,
    title: str,
    summary: str = "",
    intervention_type: str = "",
    evidence_rating: EvidenceRating = EvidenceRating.NOT_YET_RATED,
    location: str = "",
    is_illustrative: bool = False,
) -> Project:
    """A project needs a title, and its allocation must still be open (draft to active)."""
    _open(allocation)
    if not _text(title):
        raise RuleBroken("Enter the project's title", "title")
    project = Project(
        allocation_id=allocation.id,
        title=_text(title),
        summary=_text(summary),
        intervention_type=_text(intervention_type),
        evidence_rating=evidence_rating,
        location=_text(location),
        is_illustrative=is_illustrative,
    )
    save(project)
    audit.record(actor, "project added", project, after=audit.snapshot(project, PROJECT_FIELDS))
    return project


def set_targets(actor: audit.Actor, project: Project, targets: dict[int, int]) -> Project:
    """A whole-number target, not negative, for each output indicator of the project's stream
    (indicator id -> target); an indicator of another stream is refused."""
    allocation = project.allocation
    _open(allocation)
    indicators = {i.id: i for i in delivery_data.indicators_of_stream(allocation.stream_id)}
    for indicator_id, target in targets.items():
        if indicator_id not in indicators:
            raise RuleBroken("That indicator is not one of this stream's")
        if target is None or target < 0:
            raise RuleBroken("Enter a target of 0 or more", f"indicator_{indicator_id}")
    existing = {t.indicator_id: t for t in project.targets}
    before = {indicators[i].code: t.target for i, t in existing.items() if i in indicators}
    for indicator_id, target in targets.items():
        row = existing.get(indicator_id)
        if row is None:
            row = ProjectTarget(project_id=project.id, indicator_id=indicator_id, target=target)
            project.targets.append(row)
        else:
            row.target = target
        save(row)
    after = {indicators[i].code: t for i, t in targets.items()}
    changed_before, changed_after = audit.changes(before, after)
    if changed_after:
        audit.record(
            actor, "project targets set", project, before=changed_before, after=changed_after
        )
    return project


def add_milestone(
    actor: audit.Actor,
    project: Project,
    *,
    title: str,
    due_on: date,
    payment_pence: int | None = None,
) -> Milestone:
    """A milestone is dated within the allocation's planned start and end; a payment attached
    to it is more than nothing and no more than the amount awarded."""
    allocation = project.allocation
    _open(allocation)
    if not _text(title):
        raise RuleBroken("Enter what will be delivered", "title")
    if not allocation.planned_start <= due_on <= allocation.planned_end:
        raise RuleBroken(
            f"The milestone date must be between the planned start "
            f"({allocation.planned_start:%-d %B %Y}) and end ({allocation.planned_end:%-d %B %Y})",
            "due_on",
        )
    if payment_pence is not None and not 0 < payment_pence <= allocation.amount_pence:
        raise RuleBroken(
            "The payment must be more than £0 and no more than the amount awarded", "payment"
        )
    milestone = Milestone(
        project_id=project.id, title=_text(title), due_on=due_on, payment_pence=payment_pence
    )
    save(milestone)
    audit.record(
        actor,
        "milestone added",
        milestone,
        after={
            "project": project.title,
            "title": milestone.title,
            "due_on": due_on,
            "payment_pence": payment_pence,
        },
    )
    return milestone


def schedule_of(allocation: Allocation, default_working_days: int) -> ReportingSchedule:
    """The allocation's schedule, or (not yet saved) the one it gets by default: the stream's
    frequency, from the period holding the planned start, due as many working days after each
    period as the service's setting says."""
    existing = delivery_data.schedule_for(allocation.id)
    if existing is not None:
        return existing
    return ReportingSchedule(
        allocation_id=allocation.id,
        frequency=allocation.stream.reporting_frequency,
        first_period_start=allocation.planned_start,
        due_working_days=default_working_days,
    )


def set_schedule(
    actor: audit.Actor,
    allocation: Allocation,
    *,
    first_period_start: date,
    due_working_days: int,
) -> ReportingSchedule:
    """The frequency is always the stream's. Reporting starts no earlier than the planned
    start's period and no later than the planned end; a return is due 1 to 60 working days
    after its period. An active allocation's returns are regenerated at once."""
    from tracker.services import schedule  # schedule generates returns from this one

    _open(allocation)
    if not allocation.planned_start <= first_period_start <= allocation.planned_end:
        raise RuleBroken(
            "The first reporting period must start between the planned start and end",
            "first_period_start",
        )
    if not 1 <= due_working_days <= 60:
        raise RuleBroken("Enter a number of working days from 1 to 60", "due_working_days")
    plan = schedule_of(allocation, due_working_days)
    fields = ["frequency", "first_period_start", "due_working_days"]
    before = audit.snapshot(plan, fields) if plan.id else {}
    plan.frequency = allocation.stream.reporting_frequency
    plan.first_period_start = first_period_start
    plan.due_working_days = due_working_days
    save(plan)
    audit.record(
        actor,
        "reporting schedule set",
        allocation,
        before=before or None,
        after=audit.snapshot(plan, fields),
    )
    if allocation.status == AllocationStatus.ACTIVE:
        schedule.create_returns_for(allocation, due_working_days)
    return plan


def can_activate(allocation: Allocation) -> None:
    """A grant becomes active only once it has a project to report on."""
    if delivery_data.project_count(allocation.id) == 0:
        raise RuleBroken(
            "Add a project before making the allocation active: its returns are for projects",
            "action",
        )
