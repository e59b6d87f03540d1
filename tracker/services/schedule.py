"""The reporting schedule: which returns are due, for which periods, and when."""

from datetime import date, timedelta

from tracker.data import delivery as delivery_data
from tracker.data import returns as return_data
from tracker.data.store import save
from tracker.domain.periods import Quarter
from tracker.domain.working_days import working_days_after
from tracker.models import Allocation, MilestoneReturn, ReportingFrequency, ReturnStatus
from tracker.services import audit
from tracker.services.errors import RuleBroken


def _month_end(day: date) -> date:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def reporting_periods(
    frequency: ReportingFrequency, first: date, last: date
) -> list[tuple[date, date]]:
    """The whole reporting periods (quarters from April, or calendar months) that a span from
    `first` to `last` touches."""
    periods = []
    if frequency == ReportingFrequency.MONTHLY:
        start = first.replace(day=1)
        while start <= last:
            periods.append((start, _month_end(start)))
            start = _month_end(start) + timedelta(days=1)
        return periods
    quarter = Quarter.containing(first)
    while quarter.start <= last:
        periods.append((quarter.start, quarter.end))
        quarter = Quarter.containing(quarter.end + timedelta(days=1))
    return periods


def create_returns_for(allocation: Allocation, working_days_to_report: int) -> int:
    """Every return an active allocation's projects owe under its reporting schedule (saved
    with the service's defaults if it has none yet): one per project per period up to the
    planned end, each due the schedule's working days after its period ends.
    Runs again whenever the dates change (a schedule changed, a later end agreed): a missing
    return is added; a return not yet started follows the new dates (unless an officer moved
    its due date by hand) or, if its period is no longer in the schedule, goes; a return the
    grantee has started is never touched. Returns how many were added."""
    from tracker.services import delivery  # delivery sets the schedule this reads

    plan = delivery.schedule_of(allocation, working_days_to_report)
    if plan.id is None:
        save(plan)
    periods = dict(
        reporting_periods(plan.frequency, plan.first_period_start, allocation.planned_end)
    )
    made = 0
    for project in return_data.projects_of_allocation(allocation.id):
        existing = set()
        for old in delivery_data.returns_of_project(project.id):
            existing.add(old.period_start)
            if old.status != ReturnStatus.NOT_STARTED or old.revision != 1:
                continue
            if old.period_start not in periods:
                delivery_data.remove(old)
                existing.discard(old.period_start)
            elif not old.due_on_moved_reason:
                old.period_end = periods[old.period_start]
                old.due_on = working_days_after(old.period_end, plan.due_working_days)
                save(old)
        for start, end in periods.items():
            if start in existing:
                continue
            save(
                MilestoneReturn(
                    project_id=project.id,
                    period_start=start,
                    period_end=end,
                    due_on=working_days_after(end, plan.due_working_days),
                    status=ReturnStatus.NOT_STARTED,
                    completed_sections=[],
                )
            )
            made += 1
    return made


def move_due_date(
    actor: audit.Actor, milestone_return: MilestoneReturn, new_due_on: date, reason: str
) -> MilestoneReturn:
    """An officer may move a return's due date, with a reason, until it is approved."""
    if not reason.strip():
        raise RuleBroken("Enter why the due date is moving", "reason")
    if milestone_return.status == ReturnStatus.APPROVED:
        raise RuleBroken("This return has been approved: its due date can no longer change")
    if new_due_on < milestone_return.period_end:
        raise RuleBroken("The due date must be after the end of the reporting period", "due_on")
    before = {"due_on": milestone_return.due_on}
    milestone_return.due_on = new_due_on
    milestone_return.due_on_moved_reason = reason.strip()
    save(milestone_return)
    audit.record(
        actor,
        "return due date moved",
        milestone_return,
        before=before,
        after={"due_on": new_due_on, "reason": reason.strip()},
    )
    return milestone_return
