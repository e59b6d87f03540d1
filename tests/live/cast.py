"""The people and the grants the live scenarios need, made before the server starts: users in
bulk (one password hash shared, as hashing each would take minutes), streams, allocations and
returns through the real services, so every rule (budget, transitions, schedule) still applies.
Call these inside an app context; they commit."""

from datetime import date

from sqlalchemy import insert, select

from tests.conftest import OFFICER, OFFICER_2
from tests.factories import accept_offer, add_users, make_allocation, make_stream
from tracker.extensions import db
from tracker.models import (
    FundingStream,
    Milestone,
    MilestoneReturn,
    Organisation,
    OrganisationType,
    Payment,
    Project,
    Rag,
    Role,
    SpendCategory,
    User,
)
from tracker.services import allocations as allocation_service
from tracker.services import payments as payment_service
from tracker.services import returns as return_service
from tracker.services.audit import Actor

ONE_QUARTER = {
    "awarded_on": date(2020, 6, 15),
    "planned_start": date(2020, 7, 1),
    "planned_end": date(2020, 9, 30),
}


def actor(email: str) -> Actor:
    return Actor(db.session.scalars(select(User).where(User.email == email)).one(), "setup")


def new_stream(code: str, budget_pence: int, *, already_allocated_pence: int = 0) -> int:
    """A one-year (2020-21) stream with this budget, no certifier sign-off and no indicators,
    part of it already allocated to a demo organisation if asked. Returns its id."""
    stream = make_stream(code, budget_pence, name=f"Live test stream {code}")
    if already_allocated_pence:
        make_allocation(stream, already_allocated_pence, dates=ONE_QUARTER)
    db.session.commit()
    return stream.id


def _active_allocation(stream, organisation, pence: int, title: str, milestones=()):
    allocation = allocation_service.create_allocation(
        actor(OFFICER),
        stream=stream,
        organisation=organisation,
        title=title,
        amount_pence=pence,
        **ONE_QUARTER,
    )
    project = Project(allocation_id=allocation.id, title=title)
    db.session.add(project)
    db.session.flush()
    for n, payment_pence in enumerate(milestones):
        db.session.add(
            Milestone(
                project_id=project.id,
                title=f"Milestone {n + 1}",
                due_on=date(2020, 9, 30),
                payment_pence=payment_pence,
            )
        )
    for action in ("offer", "accept", "activate"):
        if action == "accept":
            accept_offer(allocation)
            continue
        allocation_service.change_status(
            actor(OFFICER_2), allocation, action, second_approval_threshold_pence=100_000_00
        )
    return allocation, project


def grantees_with_drafted_returns(how_many: int, code: str = "LIVE-SUBMIT") -> list[tuple]:
    """`how_many` organisations, each with a grantee user and one active allocation whose one
    return has every section done: only the submission is left. [(email, return id)]."""
    drafted = []
    for grantee, _, milestone_return in _organisations_with_returns(how_many, code):
        drafted.append((grantee, milestone_return.id))
    db.session.commit()
    return drafted


def returns_awaiting_sign_off(how_many: int, code: str = "LIVE-SIGN") -> list[tuple]:
    """The same on a stream that asks for the certifier's sign-off, each return submitted by
    its grantee: only the certifier's sign-off is left. [(certifier email, return id)]."""
    waiting = []
    for grantee, certifier, milestone_return in _organisations_with_returns(
        how_many, code, sign_off=True
    ):
        return_service.submit(actor(grantee), milestone_return, declared_by_name="Gail Grantee")
        waiting.append((certifier, milestone_return.id))
    db.session.commit()
    return waiting


def _organisations_with_returns(how_many: int, code: str, sign_off: bool = False):
    stream = make_stream(
        code,
        how_many * 1_000_00,
        name=f"Live test stream {code}",
        requires_certifier_sign_off=sign_off,
    )
    db.session.execute(
        insert(Organisation),
        [
            {
                "name": f"Live test charity {n}",
                "slug": f"live-test-charity-{code.lower()}-{n}",
                "type": OrganisationType.CHARITY,
                "org_id": f"GB-COH-{code[-2:].upper()}{n:06d}",
                "region": "London",
            }
            for n in range(how_many)
        ],
    )
    organisations = db.session.scalars(
        select(Organisation)
        .where(Organisation.slug.like(f"live-test-charity-{code.lower()}-%"))
        .order_by(Organisation.id)
    ).all()
    grantees = [f"grantee{n}@{code.lower()}.test.org.uk" for n in range(how_many)]
    certifiers = [f"certifier{n}@{code.lower()}.test.org.uk" for n in range(how_many)]
    add_users(Role.GRANTEE, grantees, [o.id for o in organisations])
    if sign_off:
        add_users(Role.CERTIFIER, certifiers, [o.id for o in organisations])
    for grantee, certifier, organisation in zip(grantees, certifiers, organisations, strict=True):
        _, project = _active_allocation(stream, organisation, 1_000_00, "Live submission")
        milestone_return = db.session.scalars(
            select(MilestoneReturn).where(MilestoneReturn.project_id == project.id)
        ).one()
        draft_every_section(actor(grantee), milestone_return)
        yield grantee, certifier, milestone_return


def draft_every_section(grantee: Actor, milestone_return: MilestoneReturn) -> None:
    return_service.save_spend(grantee, milestone_return, {SpendCategory.STAFF: 500_00})
    return_service.save_forecast(grantee, milestone_return, {})
    return_service.save_outputs(grantee, milestone_return, {})
    return_service.save_milestones(grantee, milestone_return, {})
    return_service.save_narrative(
        grantee, milestone_return, narrative="Delivered as planned", risks=""
    )
    return_service.save_rag(grantee, milestone_return, Rag.GREEN)
    return_service.mark_evidence_done(grantee, milestone_return)


def requested_payments(how_many: int, code: str = "LIVE-PAY") -> list[int]:
    """`how_many` payments of £1,000, each requested by a programme officer for a completed
    milestone of one allocation, waiting for finance. Their ids."""
    stream_id = new_stream(code, how_many * 2_000_00)
    stream = db.session.get(FundingStream, stream_id)
    lambeth = db.session.scalars(
        select(Organisation).where(Organisation.org_id == "GB-LAE-LBH")
    ).one()
    _, project = _active_allocation(
        stream, lambeth, how_many * 2_000_00, "Live payments", milestones=[1_000_00] * how_many
    )
    officer = actor(OFFICER)
    ids = []
    for milestone in db.session.scalars(
        select(Milestone).where(Milestone.project_id == project.id).order_by(Milestone.id)
    ):
        payment = payment_service.complete_milestone(officer, milestone, date(2020, 9, 30))
        ids.append(payment.id)
    db.session.commit()
    assert all(isinstance(i, int) for i in ids)
    assert db.session.get(Payment, ids[0]).status.value == "requested"
    return ids
