"""The things the hostile tests' forms are about, set up through the services as people would
make them: returns in each state, payments, variations, evidence files, a short allocation."""

from datetime import date

from sqlalchemy import select

from tests.conftest import (
    FINANCE_2,
    LAMBETH_GRANTEE,
    OFFICER,
    OFFICER_2,
    SOUTHAMPTON_GRANTEE,
)
from tests.factories import accept_offer
from tracker.models import (
    Allocation,
    AllocationStatus,
    EvidenceFile,
    FundingStream,
    Milestone,
    MilestoneReturn,
    Organisation,
    Payment,
    PaymentStatus,
    Project,
    Rag,
    SpendCategory,
    User,
    Variation,
    VariationKind,
)
from tracker.models.base import utcnow

LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"
LAMBETH_SWIS = "360G-HHT-DEMO-SWIS-LBH"
SOUTHAMPTON_SWIS = "360G-HHT-DEMO-SWIS-STH"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
IMPORT_CSV = (
    b"stream_code,organisation_org_id,title,amount,award_date,planned_start,planned_end\r\n"
    b"SWIS,GB-LAE-SKP,Hostile test grant,1000,2020-09-01,2020-09-01,2021-03-31\r\n"
)


def user(session, email: str) -> User:
    return session.scalars(select(User).where(User.email == email)).one()


def actor(session, email: str):
    from tracker.services.audit import Actor

    return Actor(user(session, email), "hostile-test")


def allocation(session, identifier: str) -> Allocation:
    return session.scalars(select(Allocation).where(Allocation.identifier == identifier)).one()


def first_return(session, identifier: str = LAMBETH_SWIS) -> MilestoneReturn:
    return session.scalars(
        select(MilestoneReturn)
        .join(Project, MilestoneReturn.project_id == Project.id)
        .where(Project.allocation_id == allocation(session, identifier).id)
        .order_by(MilestoneReturn.period_start, MilestoneReturn.id)
    ).first()


def paying_milestone(session, identifier: str = LAMBETH_SWIS) -> Milestone:
    return session.scalars(
        select(Milestone)
        .join(Project, Milestone.project_id == Project.id)
        .where(
            Project.allocation_id == allocation(session, identifier).id,
            Milestone.payment_pence.is_not(None),
        )
        .order_by(Milestone.id)
    ).first()


def complete_sections(session, milestone_return, email: str = LAMBETH_GRANTEE) -> None:
    from tracker.data import returns as return_data
    from tracker.services import returns as return_service

    who = actor(session, email)
    stream = milestone_return.project.allocation.stream
    return_service.save_spend(who, milestone_return, {SpendCategory.STAFF: 1_000_00})
    return_service.save_forecast(who, milestone_return, {})
    return_service.save_outputs(who, milestone_return, {i.id: 3 for i in stream.indicators})
    return_service.save_milestones(
        who,
        milestone_return,
        {m.id: (True, "Done") for m in return_data.milestones_due(milestone_return)},
    )
    return_service.save_narrative(who, milestone_return, narrative="On track", risks="")
    return_service.save_rag(who, milestone_return, Rag.GREEN)
    return_service.mark_evidence_done(who, milestone_return)


def awaiting_sign_off(session, identifier: str = LAMBETH_SWIS) -> MilestoneReturn:
    from tracker.services import returns as return_service

    milestone_return = first_return(session, identifier)
    grantee = LAMBETH_GRANTEE if identifier == LAMBETH_SWIS else SOUTHAMPTON_GRANTEE
    complete_sections(session, milestone_return, grantee)
    return_service.submit(actor(session, grantee), milestone_return, declared_by_name="Gail")
    session.flush()
    return milestone_return


def submitted(session, identifier: str = LAMBETH_SWIS) -> MilestoneReturn:
    from tracker.services import returns as return_service

    milestone_return = awaiting_sign_off(session, identifier)
    certifier = (
        LAMBETH_CERTIFIER
        if identifier == LAMBETH_SWIS
        else ("certifier@southampton-city-council.demo.org.uk")
    )
    return_service.sign_off(actor(session, certifier), milestone_return, approve=True)
    session.flush()
    return milestone_return


def sent_back(session, identifier: str = LAMBETH_SWIS) -> MilestoneReturn:
    from tracker.services import returns as return_service

    milestone_return = submitted(session, identifier)
    return_service.review(
        actor(session, OFFICER),
        milestone_return,
        approve=False,
        reasons="Say more about the schools",
        reviewer_rag=Rag.AMBER,
    )
    session.flush()
    return milestone_return


def payment(session, status: PaymentStatus, identifier: str = LAMBETH_SWIS) -> Payment:
    made = Payment(
        allocation_id=allocation(session, identifier).id,
        amount_pence=1_000_00,
        status=PaymentStatus.REQUESTED,
        requested_by_id=user(session, OFFICER).id,
        requested_at=utcnow(),
    )
    session.add(made)
    session.flush()
    if status == PaymentStatus.APPROVED:
        from tracker.services import payments as payment_service

        # Approved by the second finance officer, so FINANCE (the forms' visitor) may pay it.
        payment_service.approve(actor(session, FINANCE_2), made)
        session.flush()
    return made


def variation(session, identifier: str = LAMBETH_SWIS) -> Variation:
    from tracker.services import variations as variation_service

    grant = allocation(session, identifier)
    grantee = LAMBETH_GRANTEE if identifier == LAMBETH_SWIS else SOUTHAMPTON_GRANTEE
    return variation_service.request_variation(
        actor(session, grantee),
        grant,
        VariationKind.REPROFILE_YEARS,
        _moved_a_thousand_pounds_earlier({r.financial_year: r.amount_pence for r in grant.profile}),
        "Recruitment started late",
    )


def _moved_a_thousand_pounds_earlier(profile: dict[int, int]) -> dict[str, int]:
    first, last = min(profile), max(profile)
    moved = dict(profile)
    moved[first] += 1_000_00
    moved[last] -= 1_000_00
    return {str(year): pence for year, pence in moved.items()}


def short_allocation(session) -> Allocation:
    """An active Lambeth award ending 31 March 2021: it can still end later, within the
    stream's last year (2021-22)."""
    from tracker.data.store import save
    from tracker.services import allocations as allocation_service

    made = allocation_service.create_allocation(
        actor(session, OFFICER),
        stream=stream(session),
        organisation=organisation(session, "GB-LAE-LBH"),
        title="Extra school placements (hostile tests)",
        amount_pence=60_000_00,
        awarded_on=date(2020, 8, 1),
        planned_start=date(2020, 9, 1),
        planned_end=date(2021, 3, 31),
        profile={2020: 60_000_00},
    )
    save(Project(allocation_id=made.id, title="Extra placements"))
    for action in ("offer", "accept", "activate"):
        if action == "accept":
            accept_offer(made)
            continue
        allocation_service.change_status(
            actor(session, OFFICER_2),
            made,
            action,
            second_approval_threshold_pence=100_000_00,
            working_days_to_report=20,
        )
    session.flush()
    return made


def evidence_file(session, folder, identifier: str = LAMBETH_SWIS) -> EvidenceFile:
    from tracker.services import evidence as evidence_service

    milestone_return = first_return(session, identifier)
    grantee = LAMBETH_GRANTEE if identifier == LAMBETH_SWIS else SOUTHAMPTON_GRANTEE
    evidence_service.add_file(
        actor(session, grantee),
        milestone_return,
        filename="register.pdf",
        content=PDF,
        folder=folder,
        max_bytes=10 * 1024 * 1024,
    )
    session.flush()
    return milestone_return.evidence[-1]


def stream(session, code: str = "SWIS") -> FundingStream:
    return session.scalars(select(FundingStream).where(FundingStream.code == code)).one()


def organisation(session, org_id: str) -> Organisation:
    return session.scalars(select(Organisation).where(Organisation.org_id == org_id)).one()


def draft_allocation(session) -> Allocation:
    return session.scalars(
        select(Allocation)
        .where(Allocation.status == AllocationStatus.DRAFT)
        .order_by(Allocation.id)
    ).first()


def proposed_payee(session, org_id: str = "GB-LAE-LBH"):
    """An officer has proposed a bank account for the organisation; finance is to confirm it."""
    from tracker.services import payees as payee_service

    made = payee_service.propose(
        actor(session, OFFICER),
        organisation(session, org_id),
        account_name="London Borough of Lambeth",
        sort_code="30-94-57",
        account_number="00733445",
        now=utcnow(),
    )
    session.flush()
    return made


def offered_allocation(session, org_id: str = "GB-LAE-LBH") -> Allocation:
    """An award offered to the organisation and not yet accepted: its offer is open."""
    from tracker.services import allocations as allocation_service

    made = allocation_service.create_allocation(
        actor(session, OFFICER),
        stream=stream(session),
        organisation=organisation(session, org_id),
        title="An offer to accept (hostile tests)",
        amount_pence=20_000_00,
        awarded_on=date(2020, 8, 1),
        planned_start=date(2020, 9, 1),
        planned_end=date(2021, 3, 31),
        profile={2020: 20_000_00},
    )
    allocation_service.change_status(
        actor(session, OFFICER_2), made, "offer", second_approval_threshold_pence=100_000_00
    )
    session.flush()
    return made


def final_return_submitted(session, identifier: str = LAMBETH_SWIS) -> Allocation:
    """The grant's final return, submitted by its grantee (it ended in March 2022)."""
    from tracker.data import closure as closure_data
    from tracker.services import closure as closure_service

    grant = allocation(session, identifier)
    if closure_data.final_return_of(grant.id) is None:
        closure_service.submit_final_return(
            actor(session, LAMBETH_GRANTEE),
            grant,
            delivered={t: 1 for t in closure_data.target_ids(grant.id)},
            eligible_spend_pence=100_000_00,
            lessons="Start recruiting earlier",
            evidence="The statement of grant expenditure",
            today=date.today(),
        )
        session.flush()
    return grant


def recovery(session, *, write_off_by: str | None = None, identifier: str = LAMBETH_SWIS):
    """A recovery of £5,000 on the grant (a row, as closing it would raise), with a write-off
    asked for by `write_off_by` when given."""
    from tracker.data import closure as closure_data
    from tracker.models import Recovery, RecoveryStatus

    grant = allocation(session, identifier)
    made = closure_data.recovery_of(grant.id)
    if made is None:
        made = Recovery(
            allocation_id=grant.id,
            amount_pence=5_000_00,
            reason="Paid but not spent on eligible costs",
            due_on=date(2030, 1, 1),
        )
        session.add(made)
        session.flush()
    if write_off_by is not None and made.status == RecoveryStatus.OPEN:
        made.status = RecoveryStatus.WRITE_OFF_REQUESTED
        made.write_off_reason = "The charity has closed"
        made.write_off_requested_by_id = user(session, write_off_by).id
        made.write_off_requested_at = utcnow()
        session.flush()
    return made
