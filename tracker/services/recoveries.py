"""Recoveries: money paid on a closed grant but not spent on eligible costs. Finance records
what the grantee pays back, in part or in full, or writes off what is left, with a reason, and
a second finance officer (never the one who asked) approves the write-off. A recovery never
takes back more than is outstanding, amounts are whole pence and never negative, and every
change is in the audit trail (on the grant's own history)."""

from datetime import date

from tracker.data.store import ConcurrentChange, save
from tracker.domain.money import format_pounds
from tracker.domain.roles import Role
from tracker.domain.statuses import RecoveryStatus
from tracker.infrastructure import clock
from tracker.models import Recovery, RecoveryReceipt
from tracker.services import audit
from tracker.services.errors import NotAllowed, RuleBroken

S = RecoveryStatus
CHANGED = "Someone else changed this recovery at the same time: check it and try again"
FIELDS = ["status", "received_pence", "written_off_pence"]


def _finance(actor: audit.Actor) -> None:
    if actor.user is None or actor.user.role != Role.FINANCE:
        raise NotAllowed("Only a finance officer can do this")


def _save(*objects) -> None:
    try:
        save(*objects)
    except ConcurrentChange as error:
        raise RuleBroken(CHANGED) from error


def _settle(recovery: Recovery) -> None:
    if recovery.outstanding_pence == 0:
        recovery.status = S.SETTLED


def record_receipt(
    actor: audit.Actor,
    recovery: Recovery,
    *,
    amount_pence: int,
    received_on: date,
    reference: str,
    expected_version: int | None = None,
) -> RecoveryReceipt:
    """Money received against a recovery: more than nothing, never more than is outstanding,
    on a day not in the future."""
    _finance(actor)
    if expected_version is not None and expected_version != recovery.version:
        raise RuleBroken(CHANGED)
    if recovery.status == S.SETTLED:
        raise RuleBroken("This recovery is settled: nothing more is owed")
    if amount_pence <= 0:
        raise RuleBroken("The amount received must be more than £0", "amount")
    if amount_pence > recovery.outstanding_pence:
        raise RuleBroken(
            f"The amount received must be {format_pounds(recovery.outstanding_pence)} "
            "(what is outstanding) or less",
            "amount",
        )
    if received_on > clock.now().date():
        raise RuleBroken("The date received must be today or in the past", "received_on")
    before = audit.snapshot(recovery, FIELDS)
    receipt = RecoveryReceipt(
        recovery_id=recovery.id,
        allocation_id=recovery.allocation_id,
        amount_pence=amount_pence,
        received_on=received_on,
        reference=reference.strip(),
        recorded_by_id=actor.user_id,
    )
    recovery.received_pence += amount_pence
    _settle(recovery)
    _save(recovery, receipt)
    audit.record(
        actor,
        "recovery received",
        recovery.allocation,
        before=before,
        after={
            **audit.snapshot(recovery, FIELDS),
            "amount_pence": amount_pence,
            "received_on": received_on,
            "reference": receipt.reference,
        },
    )
    return receipt


def request_write_off(
    actor: audit.Actor, recovery: Recovery, reason: str, expected_version: int | None = None
) -> Recovery:
    """A finance officer asks to write off what is outstanding, saying why: a second finance
    officer must approve it."""
    _finance(actor)
    if expected_version is not None and expected_version != recovery.version:
        raise RuleBroken(CHANGED)
    if recovery.status != S.OPEN or recovery.outstanding_pence == 0:
        raise RuleBroken(f"This recovery is {recovery.status.value}: nothing can be written off")
    if not reason.strip():
        raise RuleBroken("Enter why the money is being written off", "reason")
    recovery.status = S.WRITE_OFF_REQUESTED
    recovery.write_off_reason = reason.strip()
    recovery.write_off_requested_by_id = actor.user_id
    recovery.write_off_requested_at = clock.now()
    _save(recovery)
    audit.record(
        actor,
        "write-off requested",
        recovery.allocation,
        before={"status": S.OPEN},
        after={
            "status": recovery.status,
            "outstanding_pence": recovery.outstanding_pence,
            "reason": recovery.write_off_reason,
        },
    )
    return recovery


def decide_write_off(
    actor: audit.Actor, recovery: Recovery, *, approve: bool, expected_version: int | None = None
) -> Recovery:
    """A second finance officer (not the one who asked) approves the write-off of what is
    outstanding now, which settles the recovery, or refuses it, which leaves it open."""
    _finance(actor)
    if expected_version is not None and expected_version != recovery.version:
        raise RuleBroken(CHANGED)
    if recovery.status != S.WRITE_OFF_REQUESTED:
        raise RuleBroken("No write-off of this recovery is waiting for a decision")
    if actor.user_id == recovery.write_off_requested_by_id:
        raise NotAllowed("A write-off needs a second finance officer: not the one who asked")
    before = audit.snapshot(recovery, FIELDS)
    if approve:
        recovery.written_off_pence += recovery.outstanding_pence
        recovery.write_off_approved_by_id = actor.user_id
        recovery.write_off_approved_at = clock.now()
        _settle(recovery)
    else:
        recovery.status = S.OPEN
        recovery.write_off_requested_by_id = None
        recovery.write_off_requested_at = None
    _save(recovery)
    audit.record(
        actor,
        "write-off approved" if approve else "write-off refused",
        recovery.allocation,
        before=before,
        after=audit.snapshot(recovery, FIELDS),
    )
    return recovery
