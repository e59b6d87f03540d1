"""Payments, in arrears: requested when a return is approved or a milestone that carries a
payment is completed; approved and then paid by finance. scheduled -> requested -> approved ->
paid, or held. Three different people request, approve and mark paid a payment, and the
payments on an allocation never add up to more than the allocation."""

from datetime import date

from tracker.data import payees as payee_data
from tracker.data import payments as payment_data
from tracker.data.store import ConcurrentChange, DuplicateError, save
from tracker.domain.money import format_pounds
from tracker.infrastructure import clock
from tracker.models import Milestone, MilestoneReturn, MilestoneStatus, Payment, PaymentStatus, Role
from tracker.services import audit, notices, offers, payees
from tracker.services.errors import NotAllowed, RuleBroken

P = PaymentStatus
FIELDS = [
    "status",
    "amount_pence",
    "requested_by_id",
    "approved_by_id",
    "paid_by_id",
    "paid_on",
    "payment_reference",
    "payee_account_id",
]
ALREADY = "This payment has already been {}: nothing was changed"


def _check_within_allocation(
    allocation_id: int, amount_pence: int, allocation_amount: int, excluding: int | None = None
) -> None:
    payment_data.lock_allocation(allocation_id)
    committed = payment_data.committed_to_allocation(allocation_id, excluding=excluding)
    if committed + amount_pence > allocation_amount:
        left = max(allocation_amount - committed, 0)
        raise RuleBroken(
            f"This payment of {format_pounds(amount_pence)} would take the payments on the "
            f"allocation past its amount: only {format_pounds(left)} is left to pay"
        )


def lock_for_payment(allocation_id: int) -> None:
    """Take the allocation's row lock before anything else a payment request writes: every
    writer that may end in a payment request takes it first, before the audit trail's and
    the running totals' locks, as a withdrawal does by updating the row, so the two never
    wait for each other in opposite orders (a deadlock on PostgreSQL)."""
    payment_data.lock_allocation(allocation_id)


def request_for_return(actor: audit.Actor, milestone_return: MilestoneReturn) -> Payment | None:
    """The payment for an approved return: the spend it reports, in arrears. One per return,
    however many times approval is attempted."""
    if milestone_return.status.value != "approved":
        raise RuleBroken("Only an approved return is paid")
    existing = payment_data.payment_for_return(milestone_return.id)
    if existing is not None:
        return existing
    amount = sum(line.amount_pence for line in milestone_return.spend)
    if amount == 0:
        return None
    allocation = milestone_return.project.allocation
    return _request(actor, allocation, amount, return_id=milestone_return.id)


def complete_milestone(
    actor: audit.Actor, milestone: Milestone, completed_on: date
) -> Payment | None:
    """An officer records a milestone as completed; if it carries a payment, that payment is
    requested. Completing it twice changes nothing."""
    if actor.user is None or actor.user.role != Role.OFFICER:
        raise NotAllowed("Only a programme officer can record a milestone as completed")
    if milestone.status == MilestoneStatus.COMPLETED:
        return payment_data.payment_for_milestone(milestone.id)
    if completed_on > date.today():
        raise RuleBroken("The date completed must be today or in the past", "completed_on")
    if milestone.payment_pence:  # before anything is changed: its payment would be refused
        lock_for_payment(milestone.project.allocation_id)
        offers.no_payment_before_acceptance(milestone.project.allocation)
    before = {"status": milestone.status, "completed_on": milestone.completed_on}
    milestone.status, milestone.completed_on = MilestoneStatus.COMPLETED, completed_on
    save(milestone)
    audit.record(
        actor,
        "milestone completed",
        milestone,
        before=before,
        after={"status": milestone.status, "completed_on": completed_on},
    )
    if not milestone.payment_pence:
        return None
    allocation = milestone.project.allocation
    return _request(actor, allocation, milestone.payment_pence, milestone_id=milestone.id)


def _request(actor, allocation, amount_pence: int, **link) -> Payment:
    """A payment is requested holding the allocation's row lock, on the allocation as it is
    once the lock is held (so a withdrawal or a changed offer committed meanwhile refuses it),
    and it moves the allocation's version on: a withdrawal that read the allocation before
    this request committed is then refused as changed meanwhile. Never both."""
    allocation = payment_data.lock_allocation(allocation.id)
    offers.no_payment_before_acceptance(allocation)
    _check_within_allocation(allocation.id, amount_pence, allocation.amount_pence)
    allocation.updated_at = clock.now()
    payment = Payment(
        allocation_id=allocation.id,
        amount_pence=amount_pence,
        status=P.REQUESTED,
        requested_by_id=actor.user_id,
        requested_at=clock.now(),
        **link,
    )
    try:
        save(payment)
    except DuplicateError as error:  # a racing request for the same return or milestone
        raise RuleBroken("A payment has already been requested for this") from error
    audit.record(actor, "payment requested", payment, after=audit.snapshot(payment, FIELDS))
    notices.payment_requested(payment)
    return payment


def _finance(actor: audit.Actor) -> None:
    if actor.user is None or actor.user.role != Role.FINANCE:
        raise NotAllowed("Only a finance officer can do this")


def _expect_version(payment: Payment, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != payment.version:
        raise RuleBroken("This payment changed after you opened it. Reload the page.")


def _save(payment: Payment) -> None:
    try:
        save(payment)
    except ConcurrentChange as error:
        raise RuleBroken("This payment changed after you opened it. Reload the page.") from error


def approve(
    actor: audit.Actor, payment: Payment, *, expected_version: int | None = None
) -> Payment:
    """A finance officer approves a requested payment; never the person who requested it. A
    second approval (a double click) finds it approved already and changes nothing."""
    _finance(actor)
    if payment.status == P.APPROVED:
        raise RuleBroken(ALREADY.format("approved"))
    if payment.status != P.REQUESTED:
        raise RuleBroken(f"This payment is {payment.status.value}, not requested")
    _expect_version(payment, expected_version)
    if payment.requested_by_id == actor.user_id:
        raise NotAllowed("You requested this payment, so someone else must approve it")
    before = audit.snapshot(payment, FIELDS)
    payment.status, payment.approved_by_id, payment.approved_at = (
        P.APPROVED,
        actor.user_id,
        clock.now(),
    )
    _save(payment)
    audit.record(
        actor, "payment approved", payment, before=before, after=audit.snapshot(payment, FIELDS)
    )
    notices.payment_approved(payment)
    return payment


def may_mark_paid(user_id: int | None, payment: Payment) -> bool:
    """Requester, approver and payer are three people: neither of the first two records it paid."""
    return user_id not in (payment.requested_by_id, payment.approved_by_id)


def mark_paid(
    actor: audit.Actor,
    payment: Payment,
    *,
    paid_on: date,
    reference: str,
    expected_version: int | None = None,
) -> Payment:
    """Finance records an approved payment as paid, on a date between its approval and today,
    with the payment reference; a finance officer who neither requested nor approved it (three
    people in all). Audited."""
    _finance(actor)
    if payment.status == P.PAID:
        raise RuleBroken(ALREADY.format("paid"))
    if payment.status != P.APPROVED:
        raise RuleBroken(f"This payment is {payment.status.value}: approve it before paying it")
    _expect_version(payment, expected_version)
    if not may_mark_paid(actor.user_id, payment):
        raise NotAllowed(
            "You requested or approved this payment, so another finance officer must mark it paid"
        )
    if not reference.strip():
        raise RuleBroken("Enter the payment reference", "reference")
    if paid_on > date.today():
        raise RuleBroken("The date paid must be today or in the past", "paid_on")
    if payment.approved_at is not None and paid_on < payment.approved_at.date():
        raise RuleBroken(
            f"The date paid must be on or after the day it was approved, "
            f"{payment.approved_at:%-d %B %Y}",
            "paid_on",
        )
    organisation_id = payment.allocation.organisation_id
    held = payees.payments_held(organisation_id, clock.now())
    if held:
        raise RuleBroken(held)
    before = audit.snapshot(payment, FIELDS)
    payment.status, payment.paid_on, payment.paid_by_id = P.PAID, paid_on, actor.user_id
    payment.payment_reference = reference.strip()
    account = payee_data.current_account(organisation_id)
    payment.payee_account_id = account.id if account else None
    _save(payment)
    audit.record(
        actor, "payment paid", payment, before=before, after=audit.snapshot(payment, FIELDS)
    )
    notices.payment_paid(payment)
    return payment


def hold(
    actor: audit.Actor, payment: Payment, *, reason: str, expected_version: int | None = None
) -> Payment:
    """Finance holds a payment not yet paid, with a reason the officer will see. Audited."""
    _finance(actor)
    if payment.status not in {P.SCHEDULED, P.REQUESTED, P.APPROVED}:
        raise RuleBroken(f"This payment is {payment.status.value}: it cannot be held")
    _expect_version(payment, expected_version)
    if not reason.strip():
        raise RuleBroken("Enter why the payment is being held", "reason")
    before = audit.snapshot(payment, FIELDS)
    payment.status = P.HELD
    _save(payment)
    audit.record(
        actor,
        "payment held",
        payment,
        before=before,
        after={**audit.snapshot(payment, FIELDS), "reason": reason.strip()},
    )
    notices.payment_held(payment, reason.strip())
    return payment
