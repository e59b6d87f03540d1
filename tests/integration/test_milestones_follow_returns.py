"""A milestone the grantee reports complete in a return shows as completed, with the date and a
link to that return, on the officer's and the grantee's allocation pages once the department
approves the return; not before, and not when the return is sent back (issue 17, item 3)."""

from datetime import date

from sqlalchemy import select

from tests.conftest import LAMBETH_GRANTEE, OFFICER
from tests.factories import actor, allocation
from tests.integration.test_returns import (
    LAMBETH_CERTIFIER,
    LAMBETH_SWIS,
    complete_every_section,
    returns_of,
)
from tests.reading import soup_of
from tracker.models import AuditEvent, Milestone, MilestoneStatus, Rag
from tracker.services import returns as return_service


def milestone_due(session, milestone_return, due: date) -> Milestone:
    return session.scalars(
        select(Milestone).where(
            Milestone.project_id == milestone_return.project_id, Milestone.due_on == due
        )
    ).one()


def reported_complete_and_submitted(session, milestone_return, milestone):
    complete_every_section(session, milestone_return, LAMBETH_GRANTEE)
    grantee = actor(session, LAMBETH_GRANTEE)
    return_service.save_milestones(grantee, milestone_return, {milestone.id: (True, "Done")})
    return_service.submit(grantee, milestone_return, declared_by_name="Grace Grantee")
    return_service.sign_off(actor(session, LAMBETH_CERTIFIER), milestone_return, approve=True)


def milestone_row(response, title: str) -> str:
    for row in soup_of(response).select("tbody tr"):
        cells = row.find_all("td")
        if cells and cells[0].get_text(strip=True) == title:
            return " ".join(cells[2].get_text(" ").split())
    raise AssertionError(f"no milestone {title!r} on the page")


def test_a_milestone_reported_complete_is_completed_when_the_return_is_approved(
    signed_in, transaction
):
    first = returns_of(transaction, LAMBETH_SWIS)[0]
    milestone = milestone_due(transaction, first, date(2020, 9, 30))
    reported_complete_and_submitted(transaction, first, milestone)
    transaction.commit()
    officer = signed_in(OFFICER)
    lambeth = allocation(transaction, LAMBETH_SWIS)
    # Submitted, not yet approved: still planned.
    assert milestone_row(officer.get(f"/allocations/{lambeth.id}"), milestone.title).startswith(
        "Planned"
    )

    return_service.review(
        actor(transaction, OFFICER), first, approve=True, reasons="", reviewer_rag=Rag.GREEN
    )
    transaction.commit()
    transaction.refresh(milestone)
    today = date.today()
    assert milestone.status == MilestoneStatus.COMPLETED
    assert milestone.completed_on == today

    period = "the return for 1 July 2020 to 30 September 2020"
    shown = f"Completed on {today.day} {today:%B %Y}, reported in {period}"
    officer_page = officer.get(f"/allocations/{lambeth.id}")
    assert milestone_row(officer_page, milestone.title).startswith(shown)
    link = soup_of(officer_page).find("a", string=period)
    assert link["href"] == f"/returns/{first.id}"

    grantee_page = signed_in(LAMBETH_GRANTEE).get(f"/organisation/allocations/{lambeth.id}")
    assert milestone_row(grantee_page, milestone.title).startswith(shown)

    event = transaction.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "milestone completed", AuditEvent.object_id == milestone.id
        )
    ).one()
    assert event.after["return_id"] == first.id


def test_a_milestone_in_a_return_sent_back_stays_planned(transaction):
    first = returns_of(transaction, LAMBETH_SWIS)[0]
    milestone = milestone_due(transaction, first, date(2020, 9, 30))
    reported_complete_and_submitted(transaction, first, milestone)
    return_service.review(
        actor(transaction, OFFICER),
        first,
        approve=False,
        reasons="Say which schools",
        reviewer_rag=Rag.AMBER,
    )
    transaction.refresh(milestone)
    assert milestone.status == MilestoneStatus.PLANNED
    assert milestone.completed_on is None
