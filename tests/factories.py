"""One place for finding and making the things tests need: users and who acts, organisations,
streams and allocations.

Finding (`user`, `actor`, `organisation`, `stream`, `allocation`) reads the seeded demo data by
its natural key and fails if it is not there. Making goes through the real services wherever a
rule or an audit event applies (`make_stream`, `make_allocation`), so a test's set-up obeys the
rules the service enforces; `add_allocation` and `add_users` write rows directly, for a test that
needs a state the services would take many steps to reach (or thousands of rows at once).

Every function uses the session it is given, or `db.session` (the test's own inside the
`transaction` fixture); none commits but `add_users` (which the live tests call before their
server starts)."""

from datetime import date

from sqlalchemy import insert, select

from tests.conftest import DEMO_PASSWORD, OFFICER
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationStatus,
    FundingStream,
    Organisation,
    Role,
    User,
)
from tracker.services.audit import SYSTEM, Actor

LAMBETH = "GB-LAE-LBH"
# A whole first year of a stream that runs in 2020-21.
FIRST_YEAR = {
    "awarded_on": date(2020, 8, 3),
    "planned_start": date(2020, 9, 1),
    "planned_end": date(2021, 3, 31),
}


# --- finding the seeded things ----------------------------------------------------------------


def user(session, email: str) -> User:
    return session.scalars(select(User).where(User.email == email)).one()


def actor(session, email: str, via: str = "test") -> Actor:
    """The user with this email acting (as the services' audit events record), from `via`."""
    return Actor(user(session, email), via)


def organisation(session, org_id: str) -> Organisation:
    return session.scalars(select(Organisation).where(Organisation.org_id == org_id)).one()


def stream(session, code: str) -> FundingStream:
    return session.scalars(select(FundingStream).where(FundingStream.code == code)).one()


def allocation(session, identifier: str) -> Allocation:
    return session.scalars(select(Allocation).where(Allocation.identifier == identifier)).one()


# --- making things through the services ----------------------------------------------------


def make_stream(
    code: str,
    budget_pence: int,
    *,
    name: str | None = None,
    requires_certifier_sign_off: bool = False,
) -> FundingStream:
    """A one-year (2020-21) stream with this budget, all of it resource, no indicators; made
    and budgeted through the stream service (audited by the system). Not committed."""
    from tracker.services import streams as stream_service

    made = stream_service.create_stream(
        SYSTEM,
        code=code,
        name=name or f"Test stream {code}",
        department=None,
        announced_pence=budget_pence,
        announced_on=date(2020, 5, 21),
        first_year=2020,
        last_year=2020,
        requires_certifier_sign_off=requires_certifier_sign_off,
    )
    stream_service.set_budget(SYSTEM, made, 2020, resource_pence=budget_pence, capital_pence=0)
    return made


def make_allocation(
    stream: FundingStream,
    pence: int,
    *,
    to: str = LAMBETH,
    by: str = OFFICER,
    title: str = "Already allocated",
    dates: dict | None = None,
) -> Allocation:
    """A draft allocation from the stream to the organisation with org-id `to`, made by the
    officer `by` through the allocation service (so within the stream's budget). Not
    committed."""
    from tracker.services import allocations as allocation_service

    return allocation_service.create_allocation(
        actor(db.session, by),
        stream=stream,
        organisation=organisation(db.session, to),
        title=title,
        amount_pence=pence,
        **(dates or FIRST_YEAR),
    )


def signatory_of(organisation_id: int) -> User:
    """The organisation's certifier, or its lead grantee: who may accept its offers. One (a
    certifier) is added, not committed, for an organisation that has neither."""
    from sqlalchemy import and_, or_

    from tracker.services.passwords import hash_password

    found = db.session.scalars(
        select(User)
        .where(
            User.organisation_id == organisation_id,
            or_(User.role == Role.CERTIFIER, and_(User.role == Role.GRANTEE, User.is_lead)),
        )
        .order_by(User.role, User.id)
    ).first()
    if found is None:
        found = User(
            email=f"signatory-{organisation_id}@factories.test.org.uk",
            name=f"Signatory of organisation {organisation_id}",
            role=Role.CERTIFIER,
            organisation_id=organisation_id,
            password_hash=hash_password(DEMO_PASSWORD),
            active=True,
        )
        db.session.add(found)
        db.session.flush()
    return found


def accept_offer(allocation: Allocation) -> Allocation:
    """The allocation's open offer accepted by its organisation's signatory (`signatory_of`),
    through the offers service, as they would on the offer page. Not committed."""
    from tracker.data import offers as offer_data
    from tracker.services import offers as offer_service

    signatory = signatory_of(allocation.organisation_id)
    offer_service.accept(
        Actor(signatory, "test"),
        offer_data.open_offer(allocation.id),
        name=signatory.name,
        job_title="Authorised signatory",
        declared=True,
    )
    return allocation


def approve_every_return(allocation: Allocation) -> None:
    """Every return of the allocation's projects set to approved, as rows (no rule applied, no
    payment requested): the state a grant is closed in. Not committed."""
    from tracker.models import MilestoneReturn, Project, ReturnStatus

    for milestone_return in db.session.scalars(
        select(MilestoneReturn)
        .join(Project, Project.id == MilestoneReturn.project_id)
        .where(Project.allocation_id == allocation.id)
    ):
        milestone_return.status = ReturnStatus.APPROVED
    db.session.flush()


def close_grant(by: Actor, allocation: Allocation, *, unspent_pence: int = 0, today=None):
    """The allocation closed as the service closes one: its organisation's signatory submits
    the final return (every target met, eligible spend what was paid less `unspent_pence`)
    and the officer `by` accepts it, raising a recovery of `unspent_pence` when more than
    nothing (due in 60 days). Gives the recovery, if any. Not committed."""
    from datetime import timedelta

    from tracker.data import closure as closure_data
    from tracker.services import closure as closure_service

    today = today or max(date.today(), allocation.planned_end + timedelta(days=1))
    approve_every_return(allocation)
    paid = closure_data.paid_on(allocation.id)
    final = closure_service.submit_final_return(
        Actor(signatory_of(allocation.organisation_id), "test"),
        allocation,
        delivered={t: 1 for t in closure_data.target_ids(allocation.id)},
        eligible_spend_pence=max(paid - unspent_pence, 0),
        lessons="Lessons of a test",
        evidence="Evidence of a test",
        today=today,
    )
    return closure_service.close(
        by, final, due_on=today + timedelta(days=60), reason="Unspent", today=today
    )


def move_on(by: Actor, allocation: Allocation, actions, threshold_pence: int = 100_000_00):
    """The allocation moved through these status changes in turn ("offer", "accept",
    "activate", "close"): accepting as its organisation's signatory, closing through its
    final return (`close_grant`), the rest as `by`."""
    from tracker.services import allocations as allocation_service

    for action in actions:
        if action == "accept":
            accept_offer(allocation)
        elif action == "close":
            close_grant(by, allocation)
        else:
            allocation_service.change_status(
                by, allocation, action, second_approval_threshold_pence=threshold_pence
            )
    return allocation


# --- writing rows directly ------------------------------------------------------------------


def add_allocation(session, *, stream_code: str, org_id: str, identifier: str, **values):
    """An allocation row as given (active, £100,000 in 2020-21 unless told otherwise), with no
    rule applied and no audit event: for a state the services would take many steps to reach."""
    made = Allocation(
        stream_id=stream(session, stream_code).id,
        organisation_id=organisation(session, org_id).id,
        identifier=identifier,
        title=values.pop("title", f"Test grant {identifier}"),
        amount_pence=values.pop("amount_pence", 100_000_00),
        awarded_on=values.pop("awarded_on", date(2020, 7, 1)),
        planned_start=values.pop("planned_start", date(2020, 7, 1)),
        planned_end=values.pop("planned_end", date(2021, 3, 31)),
        status=values.pop("status", AllocationStatus.ACTIVE),
        **values,
    )
    session.add(made)
    session.flush()
    return made


def add_users(role: Role, emails: list[str], organisation_ids: list[int] | None = None) -> None:
    """Users in bulk, all with the demo password (hashed once: hashing each would take long at
    the production cost), committed."""
    from tracker.services.passwords import hash_password

    password_hash = hash_password(DEMO_PASSWORD)
    rows = [
        {
            "email": email,
            "name": f"Test {role.value} {n}",
            "role": role,
            "password_hash": password_hash,
            "organisation_id": organisation_ids[n] if organisation_ids else None,
            "active": True,
        }
        for n, email in enumerate(emails)
    ]
    db.session.execute(insert(User), rows)
    db.session.commit()
