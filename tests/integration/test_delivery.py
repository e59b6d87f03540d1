"""Setting up a grant's delivery through the officer's pages: projects, targets, milestones and
the reporting schedule, and the returns generated from it."""

from datetime import date

from sqlalchemy import select

from tests.conftest import LAMBETH_GRANTEE, OFFICER, OFFICER_2, text_of
from tests.factories import accept_offer, actor, allocation, move_on
from tests.integration.test_allocations import answers, change_status, new_allocation_url
from tests.reading import count, error_beside, soup_of, value_of
from tracker.domain.working_days import working_days_after
from tracker.models import (
    Allocation,
    AllocationStatus,
    AuditEvent,
    Milestone,
    MilestoneReturn,
    Project,
    ProjectTarget,
    ReportingSchedule,
    ReturnStatus,
    SpendCategory,
)
from tracker.services import returns as return_service

LAMBETH_SWIS = "360G-HHT-DEMO-SWIS-LBH"


def draft(browser, session) -> Allocation:
    response = browser.post(
        new_allocation_url(session, "CSA-STF"), answers(session, amount="50,000")
    )
    assert response.status_code == 302, text_of(response)[:800]
    return session.get(Allocation, int(response.headers["Location"].rsplit("/", 1)[1]))


def returns_of(session, made: Allocation) -> list[MilestoneReturn]:
    session.expire_all()
    return list(
        session.scalars(
            select(MilestoneReturn)
            .join(Project, Project.id == MilestoneReturn.project_id)
            .where(Project.allocation_id == made.id)
            .order_by(MilestoneReturn.period_start)
        )
    )


def task_statuses(response) -> dict[str, str]:
    rows = soup_of(response).select(".govuk-task-list__item")
    return {
        " ".join(
            row.select_one(".govuk-task-list__name-and-hint a, .govuk-task-list__name-and-hint div")
            .get_text(" ")
            .split()
        ): " ".join(row.select_one(".govuk-task-list__status").get_text(" ").split())
        for row in rows
    }


PROJECT = {
    "title": "Therapeutic support in schools",
    "summary": "Group and one-to-one support for children",
    "intervention_type": "Therapeutic support",
    "evidence_rating": "promising",
    "location": "Lambeth",
}


def test_an_officer_sets_up_a_new_grant_and_its_returns_come_from_the_schedule(
    signed_in, transaction
):
    officer = signed_in(OFFICER)
    made = draft(officer, transaction)
    task_list = f"/allocations/{made.id}/delivery"
    assert "Set up delivery" in officer.text(f"/allocations/{made.id}")
    assert task_statuses(officer.get(task_list)) == {
        "Add the first project": "Not yet started",
        "Reporting schedule": "Not yet started",
    }

    added = officer.post(f"/allocations/{made.id}/projects/new", PROJECT)
    assert added.status_code == 302
    project = transaction.scalars(select(Project).where(Project.allocation_id == made.id)).one()
    assert (project.title, project.location, project.evidence_rating.value) == (
        "Therapeutic support in schools",
        "Lambeth",
        "promising",
    )
    assert added.headers["Location"].endswith(f"/projects/{project.id}/targets")

    targets_page = officer.get(f"/projects/{project.id}/targets")
    fields = [i["name"] for i in soup_of(targets_page).select("input[name^=indicator_]")]
    assert len(fields) == 2  # the CSA stream's two output indicators
    assert (
        officer.post(f"/projects/{project.id}/targets", dict.fromkeys(fields, "40")).status_code
        == 302
    )
    assert sorted(
        t.target
        for t in transaction.scalars(
            select(ProjectTarget).where(ProjectTarget.project_id == project.id)
        )
    ) == [40, 40]

    milestone = officer.post(
        f"/projects/{project.id}/milestones/new",
        {"title": "Service open", "due_on": ["30", "11", "2020"], "payment": "£5,000"},
    )
    assert milestone.status_code == 302
    saved = transaction.scalars(select(Milestone).where(Milestone.project_id == project.id)).one()
    assert (saved.due_on, saved.payment_pence) == (date(2020, 11, 30), 5_000_00)

    schedule = officer.post(
        f"/allocations/{made.id}/schedule",
        {"first_period_start": ["1", "10", "2020"], "due_working_days": "10"},
    )
    assert schedule.status_code == 302
    assert task_statuses(officer.get(task_list)) == {
        "Targets for Therapeutic support in schools": "Completed",
        "Milestones for Therapeutic support in schools": "Completed",
        "Add a project": "Completed",
        "Reporting schedule": "Completed",
    }
    assert returns_of(transaction, made) == []

    for action in ("offer", "accept", "activate"):
        if action == "accept":
            accept_offer(made)
            transaction.commit()
            continue
        assert change_status(officer, made, action).status_code == 302
    returns = returns_of(transaction, made)
    # Quarterly from the quarter holding 1 October 2020 to the planned end, 31 March 2021.
    assert [(r.period_start, r.period_end, r.due_on) for r in returns] == [
        (date(2020, 10, 1), date(2020, 12, 31), working_days_after(date(2020, 12, 31), 10)),
        (date(2021, 1, 1), date(2021, 3, 31), working_days_after(date(2021, 3, 31), 10)),
    ]
    assert "2 returns generated from the schedule" in officer.text(task_list)
    actions = set(
        transaction.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.action.in_(
                    [
                        "project added",
                        "project targets set",
                        "milestone added",
                        "reporting schedule set",
                    ]
                )
            )
            .where(AuditEvent.actor_id == actor(transaction, OFFICER).user_id)
        )
    )
    assert actions == {
        "project added",
        "project targets set",
        "milestone added",
        "reporting schedule set",
    }


def test_a_grant_becomes_active_only_once_it_has_a_project(signed_in, transaction):
    officer = signed_in(OFFICER)
    made = draft(officer, transaction)
    for action in ("offer", "accept"):
        if action == "accept":
            accept_offer(made)
            transaction.commit()
            continue
        assert change_status(officer, made, action).status_code == 302
    refused = change_status(officer, made, "activate")
    assert refused.status_code == 200
    assert "Add a project before making the allocation active" in error_beside(refused, "action")
    transaction.refresh(made)
    assert made.status == AllocationStatus.ACCEPTED


def test_every_wrong_answer_is_shown_at_once_beside_its_field_and_the_others_kept(
    signed_in, transaction
):
    officer = signed_in(OFFICER)
    made = draft(officer, transaction)
    projects_before = count(transaction, Project)
    response = officer.post(
        f"/allocations/{made.id}/projects/new", {**PROJECT, "title": "", "evidence_rating": "magic"}
    )
    assert response.status_code == 200
    assert "Enter the project's title" in error_beside(response, "title")
    assert error_beside(response, "evidence_rating")
    assert value_of(response, "location") == "Lambeth"
    assert count(transaction, Project) == projects_before

    officer.post(f"/allocations/{made.id}/projects/new", PROJECT)
    project = transaction.scalars(select(Project).where(Project.allocation_id == made.id)).one()
    targets_page = officer.get(f"/projects/{project.id}/targets")
    first, second = [i["name"] for i in soup_of(targets_page).select("input[name^=indicator_]")]
    response = officer.post(f"/projects/{project.id}/targets", {first: "-3", second: "many"})
    assert "must be 0 or more" in error_beside(response, first)
    assert "whole number" in error_beside(response, second)

    response = officer.post(
        f"/projects/{project.id}/milestones/new",
        {"title": "Too late", "due_on": ["1", "6", "2021"], "payment": ""},
    )
    assert response.status_code == 200
    assert "between the planned start" in error_beside(response, "due_on")
    assert value_of(response, "title") == "Too late"
    response = officer.post(
        f"/projects/{project.id}/milestones/new",
        {"title": "Too dear", "due_on": ["1", "12", "2020"], "payment": "£60,000"},
    )
    assert "no more than the amount awarded" in error_beside(response, "payment")
    assert (
        transaction.scalars(select(Milestone).where(Milestone.project_id == project.id)).all() == []
    )

    response = officer.post(
        f"/allocations/{made.id}/schedule",
        {"first_period_start": ["1", "1", "2019"], "due_working_days": "0"},
    )
    assert "must start between the planned start and end" in error_beside(
        response, "first_period_start"
    )
    assert (
        transaction.scalar(
            select(ReportingSchedule).where(ReportingSchedule.allocation_id == made.id)
        )
        is None
    )


def test_changing_the_schedule_regenerates_the_returns_but_never_a_started_one(
    signed_in, transaction
):
    lambeth = allocation(transaction, LAMBETH_SWIS)
    before = returns_of(transaction, lambeth)
    first, later = before[0], before[1:]
    assert {r.status for r in before} == {ReturnStatus.NOT_STARTED}
    # The grantee starts the first return.
    return_service.save_spend(
        actor(transaction, LAMBETH_GRANTEE), first, {SpendCategory.STAFF: 1_000_00}
    )
    transaction.commit()
    first_due = first.due_on

    officer = signed_in(OFFICER)
    response = officer.post(
        f"/allocations/{lambeth.id}/schedule",
        {
            "first_period_start": [
                str(later[1].period_start.day),
                str(later[1].period_start.month),
                str(later[1].period_start.year),
            ],
            "due_working_days": "5",
        },
    )
    assert response.status_code == 302, text_of(response)[:600]
    after = returns_of(transaction, lambeth)
    starts = [r.period_start for r in after]
    # The second period is no longer in the schedule and was not started: it goes.
    assert later[0].period_start not in starts
    # The started first return keeps its period and its due date.
    kept = next(r for r in after if r.id == first.id)
    assert (kept.status, kept.due_on) == (ReturnStatus.DRAFT, first_due)
    # The rest follow the new due rule.
    for r in after:
        if r.id != first.id:
            assert r.due_on == working_days_after(r.period_end, 5)
    assert starts == [first.period_start] + [r.period_start for r in later[1:]]


def test_a_closed_grant_keeps_its_delivery_as_it_was(signed_in, transaction):
    officer = signed_in(OFFICER)
    made = draft(officer, transaction)
    officer.post(f"/allocations/{made.id}/projects/new", PROJECT)
    for action in ("offer", "accept", "activate", "close"):
        if action in ("accept", "close"):  # the signatory accepts; closing is its final return
            move_on(actor(transaction, OFFICER), made, [action])
            transaction.commit()
            continue
        assert change_status(officer, made, action).status_code == 302
    projects = count(transaction, Project)
    response = officer.post(f"/allocations/{made.id}/projects/new", {**PROJECT, "title": "More"})
    assert response.status_code == 200
    assert "its delivery can no longer change" in text_of(response)
    assert count(transaction, Project) == projects
    assert "Add a project" not in [
        a.get_text()
        for a in soup_of(officer.get(f"/allocations/{made.id}/delivery")).select(
            ".govuk-task-list a"
        )
    ]
    # A second officer sees the same page.
    assert "Set up delivery" in signed_in(OFFICER_2).text(f"/allocations/{made.id}/delivery")
