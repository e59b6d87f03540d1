"""One of each kind of thing a URL can name, all belonging to Lambeth (the owning organisation
in the access table), made through the services inside the test's rolled-back transaction."""

from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from tests.conftest import LAMBETH_GRANTEE, OFFICER
from tracker.models import (
    Allocation,
    FinalReturn,
    FinalReturnFile,
    FinalReturnStatus,
    FundingStream,
    Invitation,
    Milestone,
    MilestoneReturn,
    Organisation,
    OutboxMessage,
    Payment,
    PaymentStatus,
    Project,
    Recovery,
    Role,
    User,
    VariationKind,
)
from tracker.models.base import utcnow
from tracker.services import api_tokens
from tracker.services import evidence as evidence_service
from tracker.services import variations as variation_service
from tracker.services.audit import Actor

LAMBETH = "GB-LAE-LBH"
LAMBETH_SWIS = "360G-HHT-DEMO-SWIS-LBH"
A_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _user(session, email: str) -> User:
    return session.scalars(select(User).where(User.email == email)).one()


def lambeth_things(session, upload_folder: Path) -> dict[str, int]:
    """URL parameter name -> the id of Lambeth's thing of that kind."""
    grantee = Actor(_user(session, LAMBETH_GRANTEE), "test")
    allocation = session.scalars(
        select(Allocation).where(Allocation.identifier == LAMBETH_SWIS)
    ).one()
    first_return = session.scalars(
        select(MilestoneReturn)
        .join(Project, MilestoneReturn.project_id == Project.id)
        .where(Project.allocation_id == allocation.id)
        .order_by(MilestoneReturn.period_start)
    ).first()
    milestone = session.scalars(
        select(Milestone)
        .join(Project, Milestone.project_id == Project.id)
        .where(Project.allocation_id == allocation.id)
        .order_by(Milestone.id)
    ).first()
    evidence = evidence_service.add_file(
        grantee,
        first_return,
        filename="invoice.pdf",
        content=A_PDF,
        folder=upload_folder,
        max_bytes=1_000_000,
    )
    variation = variation_service.request_variation(
        grantee,
        allocation,
        VariationKind.REPROFILE_YEARS,
        variation_service.current_terms(allocation, VariationKind.REPROFILE_YEARS),
        "Recruitment slipped",
    )
    payment = Payment(
        allocation_id=allocation.id,
        amount_pence=1_000_00,
        status=PaymentStatus.REQUESTED,
        requested_by_id=_user(session, OFFICER).id,
        requested_at=utcnow(),
    )
    message = OutboxMessage(
        to_address=LAMBETH_GRANTEE, subject="Your return is due", body="Due soon", kind="reminder"
    )
    invitation = Invitation(
        token_hash="0" * 64,
        email="invited@lambeth.example",
        name="Ivy Invited",
        role=Role.GRANTEE,
        organisation_id=allocation.organisation_id,
        invited_by_id=_user(session, LAMBETH_GRANTEE).id,
        created_at=utcnow(),
        expires_at=utcnow() + timedelta(days=7),
    )
    token, _ = api_tokens.create(grantee, name="Lambeth's analysis", days=30)
    recovery = Recovery(
        allocation_id=allocation.id,
        amount_pence=500_00,
        reason="Paid but not spent on eligible costs",
        due_on=date(2030, 1, 1),
    )
    # A final return sent back (so the grantee's form still answers), with a file sent with it.
    final = FinalReturn(
        allocation_id=allocation.id,
        status=FinalReturnStatus.CHANGES_REQUESTED,
        eligible_spend_pence=0,
        submitted_at=utcnow(),
        decision_note="Send the signed statement",
    )
    statement = evidence_service.store(
        "statement.pdf", A_PDF, folder=upload_folder, max_bytes=1_000_000
    )
    final_file = FinalReturnFile(**asdict(statement))
    final.files.append(final_file)
    session.add_all([payment, message, invitation, recovery, final])
    session.commit()
    return {
        "stream_id": allocation.stream_id,
        "organisation_id": session.scalar(
            select(Organisation.id).where(Organisation.org_id == LAMBETH)
        ),
        "allocation_id": allocation.id,
        "return_id": first_return.id,
        "file_id": evidence.id,
        "milestone_id": milestone.id,
        "project_id": milestone.project_id,
        "variation_id": variation.id,
        "payment_id": payment.id,
        "recovery_id": recovery.id,
        "final_file_id": final_file.id,
        "message_id": message.id,
        "invitation_id": invitation.id,
        "token_id": token.id,
        "user_id": grantee.user_id,
        # An import lives in the session of the officer who uploaded it: anyone else's is
        # not found, which is what this id (of no import) shows.
        "import_id": 1,
    }


def any_stream(session) -> int:
    return session.scalar(select(FundingStream.id).order_by(FundingStream.id))
