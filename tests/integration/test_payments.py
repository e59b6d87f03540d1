"""Payments, in arrears: requested when an officer approves a return (for the spend it reports) or
records a milestone that carries a payment as completed; approved by a finance officer who did
not request it; marked paid with a date and a reference; or held, with a reason. The payments on
an allocation never add up to more than the allocation."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import FINANCE, FINANCE_2, LAMBETH_GRANTEE, OFFICER, OFFICER_2, VIEWER, text_of
from tests.factories import actor, user
from tests.reading import soup_of
from tracker.domain.money import format_pounds
from tracker.models import (
    Allocation,
    AuditEvent,
    Milestone,
    MilestoneReturn,
    MilestoneStatus,
    Payment,
    PaymentStatus,
    Project,
    Rag,
    ReturnStatus,
    SpendCategory,
)
from tracker.models.base import utcnow

LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"
LAMBETH_SWIS = "360G-HHT-DEMO-SWIS-LBH"  # £450,000

# --- helpers ---------------------------------------------------------------------------------


def error_beside(response, field: str) -> str:
    message = soup_of(response).find(id=f"{field}-error")
    return " ".join(message.get_text(" ").split()) if message else ""


def error_at_top_of_form(response) -> str:
    message = soup_of(response).find(id="form-error")
    return " ".join(message.get_text(" ").split()) if message else ""


def version_on(response) -> str:
    return soup_of(response).find("input", attrs={"name": "version"})["value"]


def lambeth_allocation(session) -> Allocation:
    return session.scalars(select(Allocation).where(Allocation.identifier == LAMBETH_SWIS)).one()


def lambeth_returns(session) -> list[MilestoneReturn]:
    return list(
        session.scalars(
            select(MilestoneReturn)
            .join(Project, MilestoneReturn.project_id == Project.id)
            .where(Project.allocation_id == lambeth_allocation(session).id)
            .order_by(MilestoneReturn.period_start)
        )
    )


def paying_milestone(session) -> Milestone:
    """The demo milestone on Lambeth's allocation that carries a payment (£45,000)."""
    return session.scalars(
        select(Milestone)
        .join(Project, Milestone.project_id == Project.id)
        .where(
            Project.allocation_id == lambeth_allocation(session).id,
            Milestone.payment_pence.is_not(None),
        )
    ).one()


def submitted_return(session, spend: dict[SpendCategory, int], index: int = 0) -> MilestoneReturn:
    """A Lambeth return completed by its grantee and signed off by its certifier, waiting for
    the department's review."""
    from tracker.data import returns as return_data
    from tracker.services import returns as return_service

    milestone_return = lambeth_returns(session)[index]
    grantee = actor(session, LAMBETH_GRANTEE)
    return_service.save_spend(grantee, milestone_return, spend, explanation="Timing")
    return_service.save_forecast(grantee, milestone_return, {})
    return_service.save_outputs(
        grantee,
        milestone_return,
        {i.id: 4 for i in milestone_return.project.allocation.stream.indicators},
    )
    return_service.save_milestones(
        grantee,
        milestone_return,
        {m.id: (True, "Done") for m in return_data.milestones_due(milestone_return)},
    )
    return_service.save_narrative(grantee, milestone_return, narrative="On track", risks="")
    return_service.save_rag(grantee, milestone_return, Rag.GREEN)
    return_service.mark_evidence_done(grantee, milestone_return)
    return_service.submit(grantee, milestone_return, declared_by_name="Gail Grantee")
    return_service.sign_off(actor(session, LAMBETH_CERTIFIER), milestone_return, approve=True)
    session.commit()
    assert milestone_return.status == ReturnStatus.SUBMITTED
    return milestone_return


def approve_on_review_page(visitor, milestone_return: MilestoneReturn):
    url = f"/returns/{milestone_return.id}/review"
    return visitor.post(
        url,
        {
            "decision": "approve",
            "reviewer_rag": "green",
            "reasons": "",
            "version": version_on(visitor.get(url)),
        },
    )


def payments_on(session, allocation: Allocation) -> list[Payment]:
    session.expire_all()
    return list(
        session.scalars(
            select(Payment).where(Payment.allocation_id == allocation.id).order_by(Payment.id)
        )
    )


def make_payment(
    session,
    allocation: Allocation,
    amount_pence: int,
    *,
    requested_by: str = OFFICER,
    status: PaymentStatus = PaymentStatus.REQUESTED,
) -> Payment:
    payment = Payment(
        allocation_id=allocation.id,
        amount_pence=amount_pence,
        status=status,
        requested_by_id=user(session, requested_by).id,
        requested_at=utcnow(),
    )
    session.add(payment)
    session.commit()
    return payment


def events(session, action: str, object_type: str, object_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action == action,
                AuditEvent.object_type == object_type,
                AuditEvent.object_id == object_id,
            )
            .order_by(AuditEvent.id)
        )
    )


def approve_payment(visitor, payment: Payment, version: int | None = None):
    return visitor.post(
        f"/payments/{payment.id}/approve",
        {"version": str(payment.version if version is None else version)},
        form_page=f"/payments/{payment.id}/approve",
    )


def mark_paid(visitor, payment: Payment, paid_on: date, reference: str):
    url = f"/payments/{payment.id}/paid"
    return visitor.post(
        url,
        {
            "paid_on": [str(paid_on.day), str(paid_on.month), str(paid_on.year)],
            "reference": reference,
            "version": version_on(visitor.get(url)),
            "confirmed": "yes",  # as the check page sends it
        },
    )


def complete_milestone(visitor, milestone: Milestone, on: date):
    return visitor.post(
        f"/milestones/{milestone.id}/complete",
        {"completed_on": [str(on.day), str(on.month), str(on.year)]},
    )


# --- requesting ------------------------------------------------------------------------------


def test_approving_a_return_requests_one_payment_in_arrears_for_its_reported_spend(
    signed_in, transaction
):
    milestone_return = submitted_return(
        transaction,
        {
            SpendCategory.STAFF: 12_000_00,
            SpendCategory.DELIVERY: 3_000_50,
            SpendCategory.OVERHEADS: 0,
            SpendCategory.CAPITAL: 500_00,
        },
    )
    officer = signed_in(OFFICER)

    response = approve_on_review_page(officer, milestone_return)
    again = officer.post(
        f"/returns/{milestone_return.id}/review",
        {"decision": "approve", "reviewer_rag": "green", "version": "99"},
        form_page=f"/returns/{milestone_return.id}",
    )

    assert response.status_code == 302
    assert again.status_code == 302
    [payment] = payments_on(transaction, lambeth_allocation(transaction))
    assert payment.return_id == milestone_return.id
    assert payment.milestone_id is None
    assert payment.amount_pence == 15_500_50
    assert payment.status == PaymentStatus.REQUESTED
    assert payment.requested_by_id == user(transaction, OFFICER).id
    assert payment.requested_at is not None
    assert payment.approved_by_id is None
    [requested] = events(transaction, "payment requested", "payment", payment.id)
    assert requested.after["amount_pence"] == 15_500_50
    assert requested.after["status"] == "requested"
    # Finance sees it waiting; the grantee sees it on their allocation.
    assert "£15,500.50" in text_of(signed_in(FINANCE).get("/payments"))
    grantee_page = signed_in(LAMBETH_GRANTEE).get(
        f"/organisation/allocations/{lambeth_allocation(transaction).id}"
    )
    row = soup_of(grantee_page).find(id="payments").tbody.find("tr")
    assert "Requested" in row.get_text() and "£15,500.50" in row.get_text()


def test_a_return_reporting_no_spend_requests_no_payment(signed_in, transaction):
    milestone_return = submitted_return(transaction, {c: 0 for c in SpendCategory})

    response = approve_on_review_page(signed_in(OFFICER), milestone_return)

    assert response.status_code == 302
    transaction.expire_all()
    assert transaction.get(MilestoneReturn, milestone_return.id).status == ReturnStatus.APPROVED
    assert payments_on(transaction, lambeth_allocation(transaction)) == []


def test_the_payment_service_requests_once_however_often_it_is_asked(transaction):
    from tracker.services import payments as payment_service
    from tracker.services import returns as return_service

    milestone_return = submitted_return(transaction, {SpendCategory.STAFF: 7_000_00})
    officer = actor(transaction, OFFICER)
    return_service.review(
        officer,
        milestone_return,
        approve=True,
        reasons="",
        reviewer_rag=Rag.GREEN,
    )

    first = payment_service.request_for_return(officer, milestone_return)
    second = payment_service.request_for_return(actor(transaction, OFFICER_2), milestone_return)

    assert first.id == second.id
    assert [p.amount_pence for p in payments_on(transaction, lambeth_allocation(transaction))] == [
        7_000_00
    ]


def test_approving_a_return_requests_its_payment_whoever_calls_the_service(transaction):
    """The rule lives in the service: no caller has to remember to ask for the payment."""
    from tracker.services import returns as return_service

    milestone_return = submitted_return(transaction, {SpendCategory.STAFF: 4_250_00})
    return_service.review(
        actor(transaction, OFFICER),
        milestone_return,
        approve=True,
        reasons="",
        reviewer_rag=Rag.GREEN,
    )

    [payment] = payments_on(transaction, lambeth_allocation(transaction))
    assert (payment.amount_pence, payment.return_id) == (4_250_00, milestone_return.id)
    assert payment.status == PaymentStatus.REQUESTED


# --- approving and paying --------------------------------------------------------------------


def test_finance_approves_a_payment_and_marks_it_paid_with_date_and_reference(
    signed_in, transaction
):
    allocation = lambeth_allocation(transaction)
    payment = make_payment(transaction, allocation, 20_000_00, requested_by=OFFICER)
    finance = signed_in(FINANCE)
    payer = signed_in(FINANCE_2)
    today = date.today()

    approved = approve_payment(finance, payment)
    paid = mark_paid(payer, payment, today, "  BACS-2020-0042 ")

    assert approved.status_code == 302 and paid.status_code == 302
    [stored] = payments_on(transaction, allocation)
    assert stored.status == PaymentStatus.PAID
    assert stored.approved_by_id == user(transaction, FINANCE).id
    assert stored.approved_at is not None
    assert stored.paid_on == today
    assert stored.paid_by_id == user(transaction, FINANCE_2).id
    assert stored.payment_reference == "BACS-2020-0042"
    [approval] = events(transaction, "payment approved", "payment", payment.id)
    assert (approval.before["status"], approval.after["status"]) == ("requested", "approved")
    assert approval.before["approved_by_id"] is None
    assert approval.after["approved_by_id"] == user(transaction, FINANCE).id
    assert approval.actor_id == user(transaction, FINANCE).id
    [payment_made] = events(transaction, "payment paid", "payment", payment.id)
    assert (payment_made.before["status"], payment_made.after["status"]) == ("approved", "paid")
    assert payment_made.before["paid_on"] is None
    assert payment_made.after["paid_on"] == today.isoformat()
    assert payment_made.after["payment_reference"] == "BACS-2020-0042"
    assert payment_made.actor_id == payment_made.after["paid_by_id"] == stored.paid_by_id
    page = text_of(finance.get(f"/payments/{payment.id}"))
    assert f"{today.day} {today:%B %Y}, reference BACS-2020-0042" in page
    assert (
        f"marked as paid the payment of {format_pounds(payment.amount_pence)} on "
        f"{payment.allocation.identifier}: the date paid set to {today.day} {today:%B %Y} and "
        "the payment reference set to “BACS-2020-0042”." in page
    )
    assert f"approved the payment of {format_pounds(payment.amount_pence)}" in page


def test_the_date_paid_is_not_in_the_future_nor_before_the_approval(signed_in, transaction):
    allocation = lambeth_allocation(transaction)
    payment = make_payment(transaction, allocation, 5_000_00, requested_by=OFFICER)
    assert approve_payment(signed_in(FINANCE), payment).status_code == 302
    finance = signed_in(FINANCE_2)
    transaction.expire_all()
    approved_on = date.today() - timedelta(days=10)
    stored = transaction.get(Payment, payment.id)
    stored.approved_at = utcnow() - timedelta(days=10)
    transaction.commit()

    future = mark_paid(finance, payment, date.today() + timedelta(days=1), "REF-1")
    too_early = mark_paid(finance, payment, approved_on - timedelta(days=1), "REF-1")

    assert future.status_code == 200
    assert error_beside(future, "paid_on") == "Error: The date paid must be today or in the past"
    assert too_early.status_code == 200
    assert error_beside(too_early, "paid_on") == (
        "Error: The date paid must be on or after the day it was approved, "
        f"{approved_on.day} {approved_on:%B %Y}"
    )
    transaction.expire_all()
    assert transaction.get(Payment, payment.id).status == PaymentStatus.APPROVED
    assert transaction.get(Payment, payment.id).paid_on is None
    assert events(transaction, "payment paid", "payment", payment.id) == []

    on_the_day = mark_paid(finance, payment, approved_on, "REF-1")

    assert on_the_day.status_code == 302
    transaction.expire_all()
    assert transaction.get(Payment, payment.id).paid_on == approved_on


def test_a_payment_cannot_be_paid_before_it_is_approved(signed_in, transaction):
    payment = make_payment(transaction, lambeth_allocation(transaction), 5_000_00)
    finance = signed_in(FINANCE)

    response = mark_paid(finance, payment, date.today(), "REF-2")

    assert response.status_code == 200
    assert "approve it before paying it" in error_at_top_of_form(response)
    transaction.expire_all()
    assert transaction.get(Payment, payment.id).status == PaymentStatus.REQUESTED


def test_whoever_requested_a_payment_cannot_approve_it(signed_in, transaction):
    payment = make_payment(
        transaction, lambeth_allocation(transaction), 8_000_00, requested_by=FINANCE
    )
    finance = signed_in(FINANCE)

    page = finance.get(f"/payments/{payment.id}")
    response = approve_payment(finance, payment)

    assert "another finance officer must approve it" in text_of(page)
    assert soup_of(page).find("form", action=f"/payments/{payment.id}/approve") is None
    assert response.status_code == 302
    assert "You requested this payment, so someone else must approve it" in text_of(
        finance.get(response.location)
    )
    transaction.expire_all()
    stored = transaction.get(Payment, payment.id)
    assert (stored.status, stored.approved_by_id) == (PaymentStatus.REQUESTED, None)
    assert events(transaction, "payment approved", "payment", payment.id) == []


def test_the_database_refuses_an_approver_who_is_the_requester(transaction):
    from tracker.data.store import DuplicateError, save

    payment = make_payment(
        transaction, lambeth_allocation(transaction), 8_000_00, requested_by=FINANCE
    )
    payment.status = PaymentStatus.APPROVED
    payment.approved_by_id = user(transaction, FINANCE).id

    with pytest.raises(DuplicateError):
        save(payment)


def test_approving_twice_with_a_double_click_approves_once(signed_in, transaction):
    payment = make_payment(transaction, lambeth_allocation(transaction), 9_000_00)
    finance = signed_in(FINANCE)
    version = payment.version

    first = approve_payment(finance, payment, version)
    transaction.expire_all()
    approved_at = transaction.get(Payment, payment.id).approved_at
    second = approve_payment(finance, payment, version)

    assert (first.status_code, second.status_code) == (302, 302)
    assert "This payment has already been approved: nothing was changed" in text_of(
        finance.get(second.location)
    )
    transaction.expire_all()
    stored = transaction.get(Payment, payment.id)
    assert stored.status == PaymentStatus.APPROVED
    assert stored.approved_at == approved_at
    assert len(events(transaction, "payment approved", "payment", payment.id)) == 1


@pytest.mark.parametrize("email", [OFFICER, LAMBETH_GRANTEE, VIEWER])
def test_only_finance_can_approve_pay_or_hold_a_payment(signed_in, transaction, email):
    payment = make_payment(transaction, lambeth_allocation(transaction), 3_000_00)
    visitor = signed_in(email)
    today = date.today()

    responses = [
        visitor.post(
            f"/payments/{payment.id}/approve",
            {"version": str(payment.version)},
            form_page="/",
        ),
        visitor.post(
            f"/payments/{payment.id}/paid",
            {
                "version": str(payment.version),
                "paid_on": [str(today.day), str(today.month), str(today.year)],
                "reference": "X",
            },
            form_page="/",
        ),
        visitor.post(
            f"/payments/{payment.id}/hold",
            {"version": str(payment.version), "reason": "Because"},
            form_page="/",
        ),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    transaction.expire_all()
    stored = transaction.get(Payment, payment.id)
    assert (stored.status, stored.approved_by_id) == (PaymentStatus.REQUESTED, None)


# --- holding ---------------------------------------------------------------------------------


def test_holding_a_payment_needs_a_reason(signed_in, transaction):
    payment = make_payment(transaction, lambeth_allocation(transaction), 6_000_00)
    finance = signed_in(FINANCE)
    url = f"/payments/{payment.id}/hold"

    blank = finance.post(url, {"reason": "  ", "version": version_on(finance.get(url))})

    assert blank.status_code == 200
    assert error_beside(blank, "reason") == "Error: Enter why the payment is being held"
    transaction.expire_all()
    assert transaction.get(Payment, payment.id).status == PaymentStatus.REQUESTED

    from tracker.services import payments as payment_service
    from tracker.services.errors import RuleBroken

    with pytest.raises(RuleBroken, match="Enter why the payment is being held"):
        payment_service.hold(
            actor(transaction, FINANCE), transaction.get(Payment, payment.id), reason=" \n "
        )
    transaction.rollback()

    held = finance.post(
        url, {"reason": "Bank details unverified", "version": version_on(finance.get(url))}
    )

    assert held.status_code == 302
    transaction.expire_all()
    assert transaction.get(Payment, payment.id).status == PaymentStatus.HELD
    [event] = events(transaction, "payment held", "payment", payment.id)
    assert event.before["status"] == "requested"
    assert event.after == {**event.after, "status": "held", "reason": "Bank details unverified"}


# --- milestones ------------------------------------------------------------------------------


def test_completing_a_milestone_that_carries_a_payment_requests_it_once(signed_in, transaction):
    milestone = paying_milestone(transaction)
    allocation = lambeth_allocation(transaction)
    officer = signed_in(OFFICER)
    on = date.today() - timedelta(days=1)

    first = complete_milestone(officer, milestone, on)
    second = complete_milestone(officer, milestone, on)

    assert (first.status_code, second.status_code) == (302, 302)
    [payment] = payments_on(transaction, allocation)
    assert payment.milestone_id == milestone.id
    assert payment.return_id is None
    assert payment.amount_pence == 45_000_00
    assert payment.status == PaymentStatus.REQUESTED
    assert payment.requested_by_id == user(transaction, OFFICER).id
    stored = transaction.get(Milestone, milestone.id)
    assert (stored.status, stored.completed_on) == (MilestoneStatus.COMPLETED, on)
    assert len(events(transaction, "milestone completed", "milestone", milestone.id)) == 1
    assert len(events(transaction, "payment requested", "payment", payment.id)) == 1
    page = soup_of(officer.get(f"/allocations/{allocation.id}"))
    assert "£45,000.00" in page.find(id="payments").get_text()


def test_only_an_officer_records_a_milestone_as_completed(signed_in, transaction):
    milestone = paying_milestone(transaction)
    today = date.today()

    responses = [
        signed_in(email).post(
            f"/milestones/{milestone.id}/complete",
            {"completed_on": [str(today.day), str(today.month), str(today.year)]},
            form_page="/",
        )
        for email in (FINANCE, LAMBETH_GRANTEE)
    ]

    assert [r.status_code for r in responses] == [403, 403]
    assert transaction.get(Milestone, milestone.id).status == MilestoneStatus.PLANNED
    assert payments_on(transaction, lambeth_allocation(transaction)) == []


# --- never more than the allocation ----------------------------------------------------------


def test_a_milestone_payment_that_would_exceed_the_allocation_is_refused_and_nothing_saved(
    signed_in, transaction
):
    allocation = lambeth_allocation(transaction)  # £450,000
    earlier = make_payment(transaction, allocation, 420_000_00, requested_by=OFFICER_2)
    milestone = paying_milestone(transaction)  # £45,000: £15,000 too much
    officer = signed_in(OFFICER)

    response = complete_milestone(officer, milestone, date.today())

    assert response.status_code == 200
    assert error_at_top_of_form(response) == (
        "Error: This payment of £45,000.00 would take the payments on the allocation past its "
        "amount: only £30,000.00 is left to pay"
    )
    assert [p.id for p in payments_on(transaction, allocation)] == [earlier.id]
    stored = transaction.get(Milestone, milestone.id)
    assert (stored.status, stored.completed_on) == (MilestoneStatus.PLANNED, None)
    assert events(transaction, "milestone completed", "milestone", milestone.id) == []

    # A held payment is not money promised: once the earlier one is held, there is room.
    signed_in(FINANCE).post(
        f"/payments/{earlier.id}/hold",
        {"reason": "Duplicate", "version": str(earlier.version)},
        form_page=f"/payments/{earlier.id}/hold",
    )
    assert complete_milestone(officer, milestone, date.today()).status_code == 302
    assert sorted(p.amount_pence for p in payments_on(transaction, allocation)) == [
        45_000_00,
        420_000_00,
    ]


def test_approving_a_return_whose_payment_would_exceed_the_allocation_is_refused(
    signed_in, transaction
):
    allocation = lambeth_allocation(transaction)  # £450,000
    make_payment(transaction, allocation, 449_000_00, requested_by=OFFICER_2)
    milestone_return = submitted_return(transaction, {SpendCategory.STAFF: 2_000_00})
    officer = signed_in(OFFICER)

    response = approve_on_review_page(officer, milestone_return)

    assert response.status_code == 200
    assert error_at_top_of_form(response) == (
        "Error: This payment of £2,000.00 would take the payments on the allocation past its "
        "amount: only £1,000.00 is left to pay"
    )
    payments = payments_on(transaction, allocation)
    assert [p.amount_pence for p in payments] == [449_000_00]
    assert sum(p.amount_pence for p in payments) <= allocation.amount_pence
    stored = transaction.get(MilestoneReturn, milestone_return.id)
    assert stored.status == ReturnStatus.SUBMITTED
    assert stored.reviewed_by_id is None
    assert events(transaction, "return approved", "milestone_return", milestone_return.id) == []
    total = transaction.scalar(
        select(func.coalesce(func.sum(Payment.amount_pence), 0)).where(
            Payment.allocation_id == allocation.id
        )
    )
    assert total <= allocation.amount_pence


def test_a_milestone_cannot_be_recorded_as_completed_in_the_future(transaction):
    from datetime import date, timedelta

    from tracker.data import users as user_data
    from tracker.models import Milestone, MilestoneStatus
    from tracker.services import payments as payment_service
    from tracker.services.audit import Actor
    from tracker.services.errors import RuleBroken

    officer = Actor(user_data.user_by_email("officer@demo.gov.uk"), "test")
    milestone = transaction.scalar(
        select(Milestone).where(Milestone.status == MilestoneStatus.PLANNED).limit(1))
    with pytest.raises(RuleBroken, match="today or in the past"):
        payment_service.complete_milestone(officer, milestone, date.today() + timedelta(days=1))
    transaction.refresh(milestone)
    assert milestone.status == MilestoneStatus.PLANNED


# --- the lists and the check pages ----------------------------------------------------------


def test_the_payments_list_says_when_who_and_what_for(signed_in, transaction):
    first = lambeth_returns(transaction)[0]
    payment = make_payment(transaction, lambeth_allocation(transaction), 44_000_00)
    payment.return_id = first.id
    transaction.commit()
    page = signed_in(FINANCE).get("/payments?status=requested")
    link = soup_of(page).find("a", href=f"/payments/{payment.id}")
    cells = [" ".join(td.get_text(" ").split()) for td in link.find_parent("tr").find_all("td")]
    assert cells[1].startswith(
        f"The return for {first.period_start:%-d %B %Y} to {first.period_end:%-d %B %Y} on "
    )
    assert cells[2].startswith(f"{utcnow():%-d %B %Y}")
    assert cells[3] == user(transaction, OFFICER).name
    assert cells[-1] == "£44,000.00"


def test_approving_goes_through_a_check_page_first(signed_in, transaction):
    payment = make_payment(transaction, lambeth_allocation(transaction), 44_000_00)
    finance = signed_in(FINANCE)
    view = finance.get(f"/payments/{payment.id}")
    assert soup_of(view).find("a", href=f"/payments/{payment.id}/approve") is not None
    check = finance.get(f"/payments/{payment.id}/approve")
    words = text_of(check)
    assert "Check the payment before you approve it" in words
    assert "£44,000.00" in words
    assert f"by {user(transaction, OFFICER).name}" in words
    transaction.expire_all()
    assert transaction.get(Payment, payment.id).status == PaymentStatus.REQUESTED
    assert approve_payment(finance, payment).status_code == 302
    transaction.expire_all()
    assert transaction.get(Payment, payment.id).status == PaymentStatus.APPROVED


def test_marking_paid_shows_the_answers_to_check_and_saves_only_when_confirmed(
    signed_in, transaction
):
    payment = make_payment(
        transaction, lambeth_allocation(transaction), 2_000_00, status=PaymentStatus.APPROVED
    )
    payment.approved_by_id = user(transaction, OFFICER_2).id
    payment.approved_at = utcnow()
    transaction.commit()
    finance = signed_in(FINANCE)
    url = f"/payments/{payment.id}/paid"
    today = date.today()
    check = finance.post(
        url,
        {
            "paid_on": [str(today.day), str(today.month), str(today.year)],
            "reference": "BACS-77",
            "version": version_on(finance.get(url)),
        },
    )
    assert check.status_code == 200
    assert "Check before you record the payment as paid" in text_of(check)
    assert "BACS-77" in text_of(check)
    transaction.expire_all()
    assert transaction.get(Payment, payment.id).status == PaymentStatus.APPROVED
    confirmed = mark_paid(finance, payment, today, "BACS-77")
    assert confirmed.status_code == 302
    transaction.expire_all()
    stored = transaction.get(Payment, payment.id)
    assert (stored.status, stored.payment_reference) == (PaymentStatus.PAID, "BACS-77")
