"""The operations that move figures, as the services do them, for the running totals' proofs:
each takes the session's current rows and a number to choose among them, and does one thing
(or is refused, as a person could be). Shared by the property test and the racing threads."""

from datetime import date, timedelta

from sqlalchemy import select

from tests.factories import accept_offer, close_grant
from tracker.data import closure as closure_data
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationStatus,
    EvidenceRating,
    FundingStream,
    MilestoneReturn,
    Organisation,
    Payment,
    PaymentStatus,
    Project,
    Rag,
    Recovery,
    RecoveryStatus,
    ReturnStatus,
    Role,
    SpendCategory,
    User,
    VariationKind,
)
from tracker.services import allocations as allocation_service
from tracker.services import payments as payment_service
from tracker.services import recoveries as recovery_service
from tracker.services import returns as return_service
from tracker.services import schedule
from tracker.services import variations as variation_service
from tracker.services.audit import Actor
from tracker.services.errors import RuleBroken

THRESHOLD = 100_000_00
EDITABLE = MilestoneReturn.status.in_(return_service.EDITABLE)
LIVE = Allocation.status.in_(
    [AllocationStatus.OFFERED, AllocationStatus.ACCEPTED, AllocationStatus.ACTIVE]
)
REGIONS = ["London", "North West", "", "South West"]


def actor(role: Role, n: int = 0) -> Actor:
    users = db.session.scalars(
        select(User).where(User.role == role, User.active.is_(True)).order_by(User.id)
    ).all()
    return Actor(users[n % len(users)], "test")


def _pick(model, n: int, *where):
    rows = db.session.scalars(select(model).where(*where).order_by(model.id)).all()
    return rows[n % len(rows)] if rows else None


def allocate(n: int, pounds: int) -> None:
    stream = _pick(FundingStream, n, FundingStream.code != "DUMMY")
    organisation = _pick(Organisation, n // 7)
    year = stream.first_year
    allocation_service.create_allocation(
        actor(Role.OFFICER, n),
        stream=stream,
        organisation=organisation,
        title=f"Totals proof {n}",
        amount_pence=pounds * 100 + n % 100,
        awarded_on=date(year, 6, 1),
        planned_start=date(year, 7, 1),
        planned_end=date(year + 1, 3, 31),
    )


def move_allocation(n: int, action_index: int) -> None:
    allocation = _pick(Allocation, n)
    action = ["offer", "accept", "activate", "withdraw", "close"][action_index % 5]
    officer = actor(
        Role.OFFICER, 1 if allocation.created_by_id == actor(Role.OFFICER).user_id else 0
    )
    if action == "accept":  # by the grantee's signatory, as on the offer page
        if allocation.status == AllocationStatus.OFFERED:
            accept_offer(allocation)
        return
    if action == "close":  # through its final return, a little of what was paid unspent
        if allocation.status in (AllocationStatus.ACCEPTED, AllocationStatus.ACTIVE):
            paid = closure_data.paid_on(allocation.id)
            close_grant(officer, allocation, unspent_pence=paid // (2 + n % 3))
        return
    allocation_service.change_status(
        officer,
        allocation,
        action,
        second_approval_threshold_pence=THRESHOLD,
        reason="Proof of the totals",
    )


def report_spend(n: int, pounds: int) -> None:
    milestone_return = _pick(
        MilestoneReturn, n, MilestoneReturn.status.in_(return_service.EDITABLE)
    )
    if milestone_return is None:
        return
    grantee = actor(Role.GRANTEE, n)
    return_service.save_spend(
        grantee,
        milestone_return,
        {SpendCategory.STAFF: pounds * 100, SpendCategory.DELIVERY: n % 1000},
        explanation="Proof of the totals",
    )
    return_service.save_rag(grantee, milestone_return, [Rag.RED, Rag.AMBER, Rag.GREEN][n % 3])
    if n % 2:
        start = milestone_return.period_end + timedelta(days=1)
        return_service.save_forecast(grantee, milestone_return, {start: pounds * 50})


def submit(n: int, _: int) -> None:
    milestone_return = _pick(
        MilestoneReturn, n, MilestoneReturn.status.in_(return_service.EDITABLE)
    )
    if milestone_return is None:
        return
    milestone_return.completed_sections = list(return_service.SECTIONS) + ["response"]
    db.session.flush()
    return_service.submit(actor(Role.GRANTEE, n), milestone_return, declared_by_name="Proof")


def review(n: int, rag_index: int) -> None:
    milestone_return = _pick(MilestoneReturn, n, MilestoneReturn.status == ReturnStatus.SUBMITTED)
    if milestone_return is None:
        return
    return_service.review(
        actor(Role.OFFICER, n),
        milestone_return,
        approve=bool(rag_index % 2),
        reasons="Proof of the totals",
        reviewer_rag=[Rag.RED, Rag.AMBER, Rag.GREEN][rag_index % 3],
    )


def pay(n: int, _: int) -> None:
    payment = _pick(
        Payment, n, Payment.status.in_([PaymentStatus.REQUESTED, PaymentStatus.APPROVED])
    )
    if payment is None:
        return
    finance = actor(Role.FINANCE, n)
    if payment.status == PaymentStatus.REQUESTED:
        payment_service.approve(finance, payment)
    else:
        payment_service.mark_paid(finance, payment, paid_on=date.today(), reference=f"P{n}")


def recover(n: int, pounds: int) -> None:
    """Finance records money paid back against an open recovery (never more than is owed)."""
    recovery = _pick(Recovery, n, Recovery.status == RecoveryStatus.OPEN)
    if recovery is None:
        return
    recovery_service.record_receipt(
        actor(Role.FINANCE, n),
        recovery,
        amount_pence=min(pounds * 100 + 1, recovery.outstanding_pence),
        received_on=date.today() - timedelta(days=n % 700),
        reference=f"R{n}",
    )


def vary(n: int, shift_pounds: int) -> None:
    allocation = _pick(
        Allocation,
        n,
        Allocation.status.in_(
            [AllocationStatus.OFFERED, AllocationStatus.ACCEPTED, AllocationStatus.ACTIVE]
        ),
    )
    if allocation is None or len(allocation.profile) < 2:
        return
    years = {str(row.financial_year): row.amount_pence for row in allocation.profile}
    first, second = sorted(years)[:2]
    moved = min(shift_pounds * 100, years[first])
    years[first] -= moved
    years[second] += moved
    variation = variation_service.request_variation(
        actor(Role.GRANTEE, n), allocation, VariationKind.REPROFILE_YEARS, years, "Proof"
    )
    variation_service.decide(actor(Role.OFFICER, n), variation, approve=True, note="")


def move_due_date(n: int, days: int) -> None:
    milestone_return = _pick(MilestoneReturn, n, MilestoneReturn.status != ReturnStatus.APPROVED)
    if milestone_return is not None:
        schedule.move_due_date(
            actor(Role.OFFICER, n),
            milestone_return,
            milestone_return.period_end + timedelta(days=days % 400 + 1),
            "Proof of the totals",
        )


def import_file(n: int, pounds: int) -> None:
    """An officer imports a small file: new drafts, and (where the row names one) a change to
    an existing draft; refused whole when a row breaks a rule."""
    from tracker.services import imports as import_service
    from tracker.services.imports import ImportRefused

    stream = _pick(FundingStream, n)
    year = stream.first_year
    draft = _pick(Allocation, n, Allocation.status == AllocationStatus.DRAFT)
    rows = [
        "stream_code,organisation_org_id,title,amount,award_date,planned_start,planned_end,"
        "identifier"
    ]
    for k in range(1 + n % 3):
        organisation = _pick(Organisation, n + k)
        rows.append(
            f"{stream.code},{organisation.org_id},Imported {n}-{k},{pounds + k}.{n % 100:02d},"
            f"{year}-06-01,{year}-07-01,{year + 1}-03-31,"
        )
    if draft is not None and n % 2:
        rows.append(
            f"{draft.stream.code},{draft.organisation.org_id},{draft.title},{pounds + 7}.00,"
            f"{draft.awarded_on},{draft.planned_start},{draft.planned_end},{draft.identifier}"
        )
    officer = actor(Role.OFFICER, n)
    pending = import_service.read_upload(officer, "proof.csv", "\n".join(rows).encode(), 1_000_000)
    try:
        import_service.import_allocations(officer, pending)
    except ImportRefused as refused:
        raise RuleBroken("the file was refused") from refused


def move_organisation(n: int, region_index: int) -> None:
    organisation = _pick(Organisation, n)
    organisation.region = REGIONS[region_index % len(REGIONS)]
    db.session.flush()


def rate_project(n: int, rating_index: int) -> None:
    project = _pick(Project, n)
    project.evidence_rating = list(EvidenceRating)[rating_index % len(EvidenceRating)]
    db.session.flush()


OPERATIONS = {
    "allocate": allocate,
    "import": import_file,
    "move allocation": move_allocation,
    "report spend": report_spend,
    "submit": submit,
    "review": review,
    "pay": pay,
    "recover": recover,
    "vary": vary,
    "move due date": move_due_date,
    "move organisation": move_organisation,
    "rate project": rate_project,
}
