"""Reminders: grantees hear about returns due within 14 days or overdue; officers get a daily
digest. Each message carries a key for the day, so running this twice on one day sends nothing
twice."""

from datetime import date, timedelta

from tracker.data import reminders as reminder_data
from tracker.data import users as user_data
from tracker.models import Role
from tracker.services import notify

DUE_SOON_DAYS = 14


def send_reminders(today: date, base_url: str = "") -> dict[str, int]:
    """Queues today's reminders and digests; returns how many of each were queued."""
    counts = {"grantee reminders": 0, "officer digests": 0}
    users_by_organisation: dict[int, list] = {}
    due_by = today + timedelta(days=DUE_SOON_DAYS)
    for milestone_return in reminder_data.open_returns_due_by(due_by):
        organisation_id = milestone_return.project.allocation.organisation_id
        if organisation_id not in users_by_organisation:
            users_by_organisation[organisation_id] = user_data.active_users_of_organisation(
                organisation_id, (Role.GRANTEE,)
            )
        overdue = milestone_return.due_on < today
        when = (
            f"was due on {milestone_return.due_on:%-d %B %Y} and is overdue"
            if overdue
            else f"is due on {milestone_return.due_on:%-d %B %Y}"
        )
        for user in users_by_organisation[organisation_id]:
            queued = notify.queue_email(
                user.email,
                "Your return is overdue" if overdue else "Your return is due soon",
                f"The return for {milestone_return.project.title}, "
                f"{milestone_return.period_start:%-d %B %Y} to "
                f"{milestone_return.period_end:%-d %B %Y}, {when}.\n\n"
                f"{base_url}/returns/{milestone_return.id}",
                kind="return reminder",
                dedupe_key=f"reminder:{milestone_return.id}:{user.id}:{today.isoformat()}",
            )
            counts["grantee reminders"] += queued is not None
    waiting = reminder_data.count_waiting_for_review()
    overdue = reminder_data.count_overdue(today)
    for officer in user_data.active_users_with_role(Role.OFFICER):
        queued = notify.queue_email(
            officer.email,
            f"Returns digest for {today:%-d %B %Y}",
            f"{waiting} returns are waiting for review.\n{overdue} returns are overdue.\n\n"
            f"{base_url}/returns",
            kind="officer digest",
            dedupe_key=f"digest:{officer.id}:{today.isoformat()}",
        )
        counts["officer digests"] += queued is not None
    return counts
