"""Every home page says what waits for its user: a count and links to the first few tasks."""

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.conftest import FINANCE, LAMBETH_GRANTEE, OFFICER, OFFICER_2, SOUTHAMPTON_GRANTEE
from tests.factories import add_allocation, user
from tests.reading import soup_of
from tracker.models import (
    AllocationStatus,
    MilestoneReturn,
    Payment,
    PaymentStatus,
    Project,
    ReturnStatus,
)
from tracker.models.base import utcnow

LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"
LAMBETH_SWIS = "360G-HHT-DEMO-SWIS-LBH"


def queue(response, key: str) -> tuple[int, list[tuple[str, str]]]:
    """The count shown for a queue, and its links (text, address)."""
    box = soup_of(response).find(id=f"queue-{key}")
    assert box is not None, f"no queue {key}"
    shown = int(box.select_one(".tracker-queue__count")["data-count"])
    links = [(" ".join(a.get_text(" ").split()), a["href"]) for a in box.select("li a")]
    return shown, links


def lambeth_returns(session) -> list[MilestoneReturn]:
    from tracker.models import Allocation

    return list(
        session.scalars(
            select(MilestoneReturn)
            .join(Project, Project.id == MilestoneReturn.project_id)
            .join(Allocation, Allocation.id == Project.allocation_id)
            .where(Allocation.identifier == LAMBETH_SWIS)
            .order_by(MilestoneReturn.period_start)
        )
    )


def returns_in(session, *statuses) -> int:
    return session.scalar(
        select(func.count(MilestoneReturn.id)).where(MilestoneReturn.status.in_(statuses))
    )


def test_the_officer_is_shown_returns_to_review_and_overdue_returns(signed_in, transaction):
    first = lambeth_returns(transaction)[0]
    first.status = ReturnStatus.SUBMITTED  # as a grantee's submission leaves it
    transaction.commit()
    home = signed_in(OFFICER).get("/home")
    shown, links = queue(home, "to-review")
    assert shown == returns_in(transaction, ReturnStatus.SUBMITTED) >= 1
    assert f"/returns/{first.id}" in [href for _, href in links] or shown > 5
    overdue = transaction.scalar(
        select(func.count(MilestoneReturn.id)).where(
            MilestoneReturn.status.in_(
                [
                    ReturnStatus.NOT_STARTED,
                    ReturnStatus.DRAFT,
                    ReturnStatus.AWAITING_SIGN_OFF,
                    ReturnStatus.CHANGES_REQUESTED,
                ]
            ),
            MilestoneReturn.due_on < date.today(),
        )
    )
    assert queue(home, "overdue")[0] == overdue
    assert len(queue(home, "overdue")[1]) == min(overdue, 5)


def test_a_large_award_waits_on_the_second_officers_home_page_not_the_drafters(
    signed_in, transaction
):
    made = add_allocation(
        transaction,
        stream_code="CSA-STF",
        org_id="GB-LAE-LBH",
        identifier="360G-HHT-QUEUE-1",
        title="A large award for the queue",
        amount_pence=250_000_00,
        awarded_on=date(2019, 1, 1),  # the earliest, so it is among the first shown
        status=AllocationStatus.DRAFT,
        created_by_id=user(transaction, OFFICER).id,
    )
    transaction.commit()
    second = signed_in(OFFICER_2).get("/home")
    shown, links = queue(second, "to-approve")
    assert shown >= 1
    assert ("£250,000.00 to London Borough of Lambeth", f"/allocations/{made.id}") in links
    drafter = signed_in(OFFICER).get("/home")
    assert f"/allocations/{made.id}" not in [href for _, href in queue(drafter, "to-approve")[1]]
    assert f"/allocations/{made.id}" in [
        href for _, href in queue(drafter, "awaiting-second-officer")[1]
    ]


def test_finance_is_shown_payments_to_approve_and_to_mark_paid(signed_in, transaction):
    allocation_id = lambeth_returns(transaction)[0].project.allocation_id
    requested = Payment(
        allocation_id=allocation_id,
        amount_pence=1_234_00,
        status=PaymentStatus.REQUESTED,
        requested_by_id=user(transaction, OFFICER).id,
        requested_at=utcnow() - timedelta(days=3650),  # the oldest, so shown first
    )
    transaction.add(requested)
    transaction.commit()
    home = signed_in(FINANCE).get("/home")
    shown, links = queue(home, "payments-to-approve")
    assert shown == transaction.scalar(
        select(func.count(Payment.id)).where(Payment.status == PaymentStatus.REQUESTED)
    )
    assert links[0] == ("£1,234.00 to London Borough of Lambeth", f"/payments/{requested.id}")
    assert queue(home, "payments-to-pay")[0] == transaction.scalar(
        select(func.count(Payment.id)).where(Payment.status == PaymentStatus.APPROVED)
    )


def test_the_certifier_and_grantee_see_their_own_organisations_work_only(signed_in, transaction):
    first, second, third = lambeth_returns(transaction)[:3]
    first.status = ReturnStatus.AWAITING_SIGN_OFF
    second.status = ReturnStatus.CHANGES_REQUESTED
    third.due_on = date.today() + timedelta(days=3)
    transaction.commit()
    certifier = signed_in(LAMBETH_CERTIFIER).get("/organisation")
    assert queue(certifier, "to-sign-off") == (
        1,
        [
            (
                f"London Borough of Lambeth: {first.project.title}, "
                f"{first.period_start:%-d %B %Y} to {first.period_end:%-d %B %Y}",
                f"/returns/{first.id}",
            )
        ],
    )
    grantee = signed_in(LAMBETH_GRANTEE).get("/organisation")
    shown, links = queue(grantee, "sent-back")
    assert (shown, [href for _, href in links]) == (1, [f"/returns/{second.id}"])
    assert f"/returns/{third.id}" in [href for _, href in queue(grantee, "due-soon")[1]]
    assert f"/returns/{third.id}" not in [href for _, href in queue(grantee, "overdue")[1]]
    other = signed_in(SOUTHAMPTON_GRANTEE).get("/organisation")
    assert queue(other, "sent-back") == (0, [])
    assert soup_of(other).find(id="queue-to-sign-off") is None
