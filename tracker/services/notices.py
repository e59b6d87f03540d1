"""News to whoever must act next, and to the grantee when something is decided about them.

Each notice is an email queued in the outbox in the same transaction as the event (so it is sent
only if the event is kept), one to each person, under a key made of the event and the person:
the same event raised twice (a replayed request, a retried job) queues nothing the second time.
Who hears what:

- a payment requested: the finance team, who approve it;
- a payment approved: the finance officers who may then mark it paid (neither its requester nor
  its approver); a payment paid: the grantee; a payment held: the officer who requested it;
- a variation requested: the programme officers, who decide it; decided: the grantee (in
  services/variations.py);
- an award waiting for a second officer: the programme officers who did not draft it;
- an award offered: the grantee;
- a return signed off by the certifier: the officer who reviewed it last, or every programme
  officer for a first submission (in services/returns/decisions.py, with the return's other news).

Every message names the page to act on; the service's address comes from BASE_URL."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, has_app_context

from tracker.data import users as user_data
from tracker.domain.money import format_pounds
from tracker.domain.roles import Role
from tracker.models import Allocation, Payment, User, Variation
from tracker.services import notify

_silenced: ContextVar[bool] = ContextVar("notices_silenced", default=False)


@contextmanager
def silenced() -> Iterator[None]:
    """No notices while the block runs: for loading demo data, whose made-up history is not
    news for anyone's inbox."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def link(path: str) -> str:
    """The page's address, for a message (BASE_URL before the path)."""
    base = current_app.config.get("BASE_URL", "") if has_app_context() else ""
    return f"{base.rstrip('/')}{path}"


def tell(users: list[User], event: str, subject: str, body: str, *, kind: str) -> int:
    """One message to each person under the key (event, person); how many were queued."""
    if _silenced.get():
        return 0
    queued = 0
    for user in users:
        if notify.queue_email(
            user.email, subject, body, kind=kind, dedupe_key=f"{event}:user-{user.id}"
        ):
            queued += 1
    return queued


def _grantees(allocation: Allocation) -> list[User]:
    return user_data.active_users_of_organisation(
        allocation.organisation_id, (Role.GRANTEE, Role.CERTIFIER)
    )


def _grant(allocation: Allocation) -> str:
    return f"{allocation.organisation.name}: {allocation.title} ({allocation.identifier})"


def payment_requested(payment: Payment) -> None:
    """Finance approves a requested payment: every finance officer hears of it."""
    allocation = payment.allocation
    tell(
        user_data.active_users_with_role(Role.FINANCE),
        f"payment-{payment.id}-requested",
        "A payment is waiting for approval",
        f"A payment of {format_pounds(payment.amount_pence)} to {_grant(allocation)} has been "
        f"requested and is waiting for approval.\n\nApprove it: {link(f'/payments/{payment.id}')}",
        kind="payment requested",
    )


def payment_approved(payment: Payment) -> None:
    """An approved payment is marked paid by a third person: the finance officers who may."""
    payers = [
        user
        for user in user_data.active_users_with_role(Role.FINANCE)
        if user.id not in (payment.requested_by_id, payment.approved_by_id)
    ]
    tell(
        payers,
        f"payment-{payment.id}-approved",
        "A payment is approved and waiting to be paid",
        f"A payment of {format_pounds(payment.amount_pence)} to {_grant(payment.allocation)} "
        f"has been approved. Record it paid when it is: {link(f'/payments/{payment.id}')}",
        kind="payment approved",
    )


def payment_paid(payment: Payment) -> None:
    """The grantee hears that money is on its way, with the reference to look for."""
    allocation = payment.allocation
    tell(
        _grantees(allocation),
        f"payment-{payment.id}-paid",
        "A payment has been made to you",
        f"{format_pounds(payment.amount_pence)} for {allocation.title} was paid on "
        f"{payment.paid_on:%-d %B %Y}, reference {payment.payment_reference}.",
        kind="payment paid",
    )


def payment_held(payment: Payment, reason: str) -> None:
    """A held payment goes back to the officer who asked for it, with finance's reason."""
    requester = user_data.user_by_id(payment.requested_by_id) if payment.requested_by_id else None
    tell(
        [requester] if requester is not None and requester.active else [],
        f"payment-{payment.id}-held-v{payment.version}",
        "A payment you requested is on hold",
        f"Finance has held the payment of {format_pounds(payment.amount_pence)} to "
        f"{_grant(payment.allocation)}: {reason}\n\n{link(f'/payments/{payment.id}')}",
        kind="payment held",
    )


def variation_requested(variation: Variation) -> None:
    """Programme officers decide variations: each hears of one waiting."""
    allocation = variation.allocation
    tell(
        user_data.active_users_with_role(Role.OFFICER),
        f"variation-{variation.id}-requested",
        "A grantee has asked for a variation",
        f"{allocation.organisation.name} has asked to {variation.kind.value} on "
        f"{allocation.title}: {variation.reason}\n\nDecide it: "
        f"{link(f'/allocations/{allocation.id}')}",
        kind="variation requested",
    )


def variation_decided(variation: Variation, note: str) -> None:
    """The grantee hears the decision on the change they asked for, with the officer's note."""
    allocation = variation.allocation
    tell(
        _grantees(allocation),
        f"variation-{variation.id}-{variation.status.value}",
        f"Your variation has been {variation.status.value}",
        f"Your request to {variation.kind.value} on {allocation.title} has been "
        f"{variation.status.value}. {note}".strip(),
        kind="variation decided",
    )


def award_awaiting_second_officer(allocation: Allocation, set_by: set[int]) -> None:
    """An award at or over the threshold needs an officer who neither drafted it nor set its
    money: each such officer hears of it (once per award, however often it is edited)."""
    officers = [
        user
        for user in user_data.active_users_with_role(Role.OFFICER)
        if user.id not in set_by
    ]
    tell(
        officers,
        f"allocation-{allocation.id}-second-officer",
        "An award is waiting for a second officer",
        f"{_grant(allocation)}, {format_pounds(allocation.amount_pence)}, needs a second "
        f"officer to approve it before it is offered.\n\n{link(f'/allocations/{allocation.id}')}",
        kind="award awaiting second officer",
    )


def changed_offer(allocation: Allocation, version: int) -> None:
    """An approved variation changed the money or dates: the grantee hears that the changed
    terms wait for their acceptance (once per version)."""
    tell(
        _grantees(allocation),
        f"allocation-{allocation.id}-offer-{version}",
        "Changed grant terms to accept",
        f"The department agreed a change to {allocation.title}: version {version} of the "
        "grant offer sets out the changed terms. Your certifier or team lead can read and "
        "accept it here (no further payment can be made until they do):\n\n"
        f"{link(f'/organisation/allocations/{allocation.id}/offer')}",
        kind="offer changed",
    )


def award_offered(allocation: Allocation) -> None:
    """The grantee hears that the department has offered them the grant."""
    tell(
        _grantees(allocation),
        f"allocation-{allocation.id}-offered",
        "You have been offered a grant",
        f"The department has offered {allocation.organisation.name} "
        f"{format_pounds(allocation.amount_pence)} for {allocation.title}.\n\n"
        "Your certifier or team lead can read the offer and accept it here (no payment can "
        f"be made until they do):\n\n{link(f'/organisation/allocations/{allocation.id}/offer')}",
        kind="award offered",
    )
