"""Offer and acceptance (issue 15, item 1): an allocation offered carries a grant offer whose
terms are frozen with their SHA-256; only the grantee's certifier or team lead accepts it, with
their name, job title and the declaration; an offer withdrawn, replaced or already accepted
cannot be accepted; and no payment is requested before acceptance."""

import threading
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import OFFICER, OFFICER_2, SOUTHAMPTON_GRANTEE, text_of
from tests.factories import actor, allocation, make_allocation, move_on, stream
from tests.reading import count, error_beside, soup_of, value_of
from tracker.models import (
    Allocation,
    AllocationStatus,
    AuditEvent,
    GrantOffer,
    Milestone,
    OfferStatus,
    Payment,
    Project,
    Role,
    User,
)
from tracker.services import allocations as allocation_service
from tracker.services import offers as offer_service
from tracker.services import payments as payment_service
from tracker.services.audit import Actor
from tracker.services.errors import NotAllowed, RuleBroken

STOCKPORT_SWIS = "360G-HHT-DEMO-SWIS-SKP"  # seeded as offered, to a local authority
STOCKPORT_CERTIFIER = "certifier@stockport-metropolitan-borough-council.demo.org.uk"
STOCKPORT_GRANTEE = "grantee@stockport-metropolitan-borough-council.demo.org.uk"
ANSWERS = {"name": "Sam Signatory", "job_title": "Chief finance officer", "declaration": "y"}


def offer_url(made) -> str:
    return f"/organisation/allocations/{made.id}/offer"


def offers_of(session, made) -> list[GrantOffer]:
    return list(
        session.scalars(
            select(GrantOffer)
            .where(GrantOffer.allocation_id == made.id)
            .order_by(GrantOffer.version)
        )
    )


def events(session, made, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == "allocation",
                AuditEvent.object_id == made.id,
                AuditEvent.action == action,
            )
        )
    )


def test_an_offer_freezes_its_terms_and_their_sha_256(signed_in, transaction):
    stockport = allocation(transaction, STOCKPORT_SWIS)
    (offer,) = offers_of(transaction, stockport)
    assert offer.status == OfferStatus.OPEN and offer.version == 1
    assert offer.terms_sha256 == offer_service.digest(offer.terms)
    assert offer.terms["amount_pence"] == stockport.amount_pence
    # Each year's quarters add up to the year, and the years to the amount.
    for year in offer.terms["profile"]:
        assert sum(q["amount_pence"] for q in year["quarters"]) == year["amount_pence"]
    assert sum(y["amount_pence"] for y in offer.terms["profile"]) == stockport.amount_pence
    (offered,) = events(transaction, stockport, "allocation offered")
    assert offered.after["terms_sha256"] == offer.terms_sha256

    # A later change to the allocation never alters what was offered.
    stockport.conditions = "A condition added after the offer"
    transaction.commit()
    page = signed_in(STOCKPORT_CERTIFIER).get(offer_url(stockport))
    assert "A condition added after the offer" not in text_of(page)
    assert soup_of(page).find(id="offer-sha256").get_text() == offer.terms_sha256
    assert "£320,000.00" in text_of(page)
    officer_page = signed_in(OFFICER).get(f"/allocations/{stockport.id}/offer")
    assert soup_of(officer_page).find(id="offer-sha256").get_text() == offer.terms_sha256


def test_the_certifier_accepts_with_name_job_title_and_declaration(signed_in, transaction):
    stockport = allocation(transaction, STOCKPORT_SWIS)
    certifier = signed_in(STOCKPORT_CERTIFIER)
    home = certifier.get(f"/organisation/allocations/{stockport.id}")
    assert "Read the offer and accept it" in text_of(home)
    response = certifier.post(offer_url(stockport), ANSWERS)
    assert response.status_code == 302
    transaction.refresh(stockport)
    assert stockport.status == AllocationStatus.ACCEPTED
    (offer,) = offers_of(transaction, stockport)
    assert offer.status == OfferStatus.ACCEPTED
    assert (offer.signatory_name, offer.signatory_job_title) == (
        "Sam Signatory",
        "Chief finance officer",
    )
    assert offer.accepted_by_id == actor(transaction, STOCKPORT_CERTIFIER).user_id
    (accepted,) = events(transaction, stockport, "allocation accepted")
    assert accepted.actor_id == offer.accepted_by_id
    assert accepted.after["terms_sha256"] == offer.terms_sha256
    assert accepted.after["signatory_name"] == "Sam Signatory"
    page = certifier.get(offer_url(stockport))
    assert "Accepted on" in text_of(page) and "Sam Signatory, Chief finance officer" in text_of(
        page
    )
    assert soup_of(page).find("input", attrs={"name": "job_title"}) is None


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({**ANSWERS, "name": "  "}, "name", "Enter your full name"),
        ({**ANSWERS, "job_title": ""}, "job_title", "Enter your job title"),
        ({**ANSWERS, "name": "x" * 201}, "name", "must be 200 characters or fewer"),
        ({k: v for k, v in ANSWERS.items() if k != "declaration"}, "declaration", "Confirm"),
    ],
    ids=["no name", "no job title", "name too long", "no declaration"],
)
def test_an_incomplete_acceptance_is_refused_beside_the_field_and_nothing_is_stored(
    signed_in, transaction, answers, field, message
):
    stockport = allocation(transaction, STOCKPORT_SWIS)
    certifier = signed_in(STOCKPORT_CERTIFIER)
    events_before = count(transaction, AuditEvent)
    response = certifier.post(offer_url(stockport), answers)
    assert response.status_code == 200
    assert message in error_beside(response, field)
    kept = [name for name in ("name", "job_title") if name != field and answers.get(name)]
    for name in kept:
        assert value_of(response, name) == answers[name]
    transaction.refresh(stockport)
    assert stockport.status == AllocationStatus.OFFERED
    assert [o.status for o in offers_of(transaction, stockport)] == [OfferStatus.OPEN]
    assert count(transaction, AuditEvent) == events_before


def test_only_the_certifier_or_team_lead_of_the_organisation_may_accept(signed_in, transaction):
    stockport = allocation(transaction, STOCKPORT_SWIS)
    # Another organisation's grantee: not found, the offer's existence not confirmed.
    assert signed_in(SOUTHAMPTON_GRANTEE).get(offer_url(stockport)).status_code == 404
    # A colleague at Stockport who is neither certifier nor team lead reads it, cannot accept.
    colleague = User(
        email="colleague@stockport.test.org.uk",
        name="Colin Colleague",
        role=Role.GRANTEE,
        organisation_id=stockport.organisation_id,
        password_hash=actor(transaction, STOCKPORT_GRANTEE).user.password_hash,
        active=True,
    )
    transaction.add(colleague)
    transaction.commit()
    visitor = signed_in(colleague.email)
    page = visitor.get(offer_url(stockport))
    assert "waiting to be accepted by" in text_of(page)
    assert visitor.post(offer_url(stockport), ANSWERS, form_page="/home").status_code == 403
    # Officers read offers; they never accept them, by the page or the service.
    assert signed_in(OFFICER).get(offer_url(stockport)).status_code == 403
    (offer,) = offers_of(transaction, stockport)
    with pytest.raises(NotAllowed):
        offer_service.accept(
            actor(transaction, OFFICER), offer, name="O", job_title="Officer", declared=True
        )
    assert "Record acceptance" not in text_of(
        signed_in(OFFICER).get(f"/allocations/{stockport.id}/status")
    )
    transaction.refresh(stockport)
    assert stockport.status == AllocationStatus.OFFERED
    assert offers_of(transaction, stockport)[0].status == OfferStatus.OPEN


def test_a_withdrawn_offer_cannot_be_accepted_and_says_so(signed_in, transaction):
    stockport = allocation(transaction, STOCKPORT_SWIS)
    certifier = signed_in(STOCKPORT_CERTIFIER)
    form_page = certifier.get(offer_url(stockport))  # opened before the withdrawal
    assert form_page.status_code == 200
    allocation_service.change_status(
        actor(transaction, OFFICER),
        stockport,
        "withdraw",
        second_approval_threshold_pence=100_000_00,
        reason="The school partnership fell through",
    )
    transaction.commit()
    (offer,) = offers_of(transaction, stockport)
    assert offer.status == OfferStatus.WITHDRAWN
    assert offer.end_reason == "The school partnership fell through"
    response = certifier.post(offer_url(stockport), ANSWERS, follow_redirects=True)
    assert "The department withdrew this offer" in text_of(response)
    assert offers_of(transaction, stockport)[0].status == OfferStatus.WITHDRAWN
    assert events(transaction, stockport, "allocation accepted") == []


def test_a_replaced_version_cannot_be_accepted_and_the_history_stays_readable(
    signed_in, transaction
):
    stockport = allocation(transaction, STOCKPORT_SWIS)
    first = offers_of(transaction, stockport)[0]
    second = offer_service.make_offer(actor(transaction, OFFICER), stockport, 20)
    transaction.commit()
    assert [o.status for o in offers_of(transaction, stockport)] == [
        OfferStatus.SUPERSEDED,
        OfferStatus.OPEN,
    ]
    with pytest.raises(RuleBroken, match="replaced by a later one"):
        offer_service.accept(
            actor(transaction, STOCKPORT_CERTIFIER),
            first,
            name="Sam",
            job_title="CFO",
            declared=True,
        )
    certifier = signed_in(STOCKPORT_CERTIFIER)
    old = certifier.get(f"{offer_url(stockport)}?version=1")
    assert "A later version replaced this offer" in text_of(old)
    assert soup_of(old).find("input", attrs={"name": "job_title"}) is None
    assert soup_of(old).find(id="offer-versions") is not None
    assert certifier.get(f"{offer_url(stockport)}?version=9").status_code == 404
    assert certifier.post(offer_url(stockport), ANSWERS).status_code == 302
    assert offers_of(transaction, stockport)[1].id == second.id
    assert offers_of(transaction, stockport)[1].status == OfferStatus.ACCEPTED


def test_accepting_twice_stores_one_acceptance(signed_in, transaction):
    stockport = allocation(transaction, STOCKPORT_SWIS)
    certifier = signed_in(STOCKPORT_CERTIFIER)
    assert certifier.post(offer_url(stockport), ANSWERS).status_code == 302
    again = certifier.post(
        offer_url(stockport), {**ANSWERS, "name": "Someone Else"}, form_page="/home"
    )
    assert again.status_code == 302
    assert "there is nothing more to do" in text_of(certifier.get(again.location))
    (offer,) = offers_of(transaction, stockport)
    assert offer.signatory_name == "Sam Signatory"
    assert len(events(transaction, stockport, "allocation accepted")) == 1


def test_no_payment_is_requested_before_the_offer_is_accepted(transaction):
    made = make_allocation(stream(transaction, "CSA-STF"), 40_000_00)
    project = Project(allocation_id=made.id, title="Early payment test")
    transaction.add(project)
    transaction.flush()
    milestone = Milestone(
        project_id=project.id, title="Started", due_on=date(2020, 9, 30), payment_pence=1_000_00
    )
    transaction.add(milestone)
    move_on(actor(transaction, OFFICER_2), made, ["offer"])
    transaction.commit()
    payments_before = count(transaction, Payment)
    with pytest.raises(RuleBroken, match="No payment can be requested until .* has accepted"):
        payment_service.complete_milestone(
            actor(transaction, OFFICER), milestone, date(2020, 9, 30)
        )
    transaction.rollback()
    transaction.refresh(milestone)
    assert milestone.completed_on is None
    assert count(transaction, Payment) == payments_before


def test_two_signatories_accepting_at_once_store_exactly_one_acceptance(make_database):
    """Two connections, released together: the acceptance is one conditional UPDATE, so exactly
    one of them succeeds and the other is told the offer was already accepted."""
    from tests.conftest import build_app, migrate_and_seed
    from tracker.extensions import db

    racing = build_app(make_database())
    migrate_and_seed(racing)
    with racing.app_context():
        made = db.session.scalars(
            select(GrantOffer)
            .join(Allocation, Allocation.id == GrantOffer.allocation_id)
            .where(Allocation.identifier == STOCKPORT_SWIS, GrantOffer.status == OfferStatus.OPEN)
        ).one()
        allocation_id, offer_id = made.allocation_id, made.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(name: str) -> None:
        with racing.app_context():
            try:
                # Released together before either reads: on SQLite a writer's transaction
                # holds the write lock from its first statement, so one then waits for the other.
                barrier.wait(timeout=30)
                offer = db.session.get(GrantOffer, offer_id)
                signatory = db.session.scalars(
                    select(User).where(User.email == STOCKPORT_CERTIFIER)
                ).one()
                offer_service.accept(
                    Actor(signatory, "race"),
                    offer,
                    name=name,
                    job_title="CFO",
                    declared=True,
                )
                db.session.commit()
                outcomes.append("accepted")
            except RuleBroken:
                db.session.rollback()
                outcomes.append("refused")
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=accept, args=(f"Signatory {n}",), daemon=True) for n in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["accepted", "refused"]
    with racing.app_context():
        offer = db.session.get(GrantOffer, offer_id)
        assert offer.status == OfferStatus.ACCEPTED
        accepted = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == allocation_id, AuditEvent.action == "allocation accepted"
            )
        ).all()
        assert len(accepted) == 1
        assert accepted[0].after["signatory_name"] == offer.signatory_name
        db.engine.dispose()


LAMBETH_SWIS = "360G-HHT-DEMO-SWIS-LBH"  # active: £225,000 in 2020-21 and in 2021-22
LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"


def test_a_variation_of_money_makes_a_new_version_to_accept_before_any_payment(
    signed_in, transaction
):
    from tracker.models import VariationKind
    from tracker.services import variations as variation_service

    lambeth = allocation(transaction, LAMBETH_SWIS)
    assert lambeth.status == AllocationStatus.ACTIVE
    (first,) = offers_of(transaction, lambeth)
    assert first.status == OfferStatus.ACCEPTED
    variation = variation_service.request_variation(
        actor(transaction, LAMBETH_CERTIFIER),
        lambeth,
        VariationKind.REPROFILE_YEARS,
        {"2020": 200_000_00, "2021": 250_000_00},
        "Recruitment slipped",
    )
    variation_service.decide(actor(transaction, OFFICER), variation, approve=True, note="Agreed")
    transaction.commit()
    first, second = offers_of(transaction, lambeth)
    assert (first.status, second.status) == (OfferStatus.ACCEPTED, OfferStatus.OPEN)
    assert [y["amount_pence"] for y in second.terms["profile"]] == [200_000_00, 250_000_00]
    assert second.terms_sha256 != first.terms_sha256
    (made,) = events(transaction, lambeth, "offer made")
    assert made.after == {"offer_version": 2, "terms_sha256": second.terms_sha256}

    # Until the changed terms are accepted, no payment is requested.
    milestone = transaction.scalars(
        select(Milestone)
        .join(Project, Project.id == Milestone.project_id)
        .where(Project.allocation_id == lambeth.id, Milestone.payment_pence > 0)
        .order_by(Milestone.id)
    ).first()
    with pytest.raises(RuleBroken, match=r"accepted the changed terms .*version 2"):
        payment_service.complete_milestone(
            actor(transaction, OFFICER), milestone, date(2020, 9, 30)
        )
    transaction.rollback()

    certifier = signed_in(LAMBETH_CERTIFIER)
    assert "Read the offer and accept it" in text_of(
        certifier.get(f"/organisation/allocations/{lambeth.id}")
    )
    assert certifier.post(offer_url(lambeth), ANSWERS).status_code == 302
    transaction.refresh(lambeth)
    assert lambeth.status == AllocationStatus.ACTIVE  # its status is not moved back or on
    assert [o.status for o in offers_of(transaction, lambeth)] == [OfferStatus.ACCEPTED] * 2
    (accepted,) = events(transaction, lambeth, "offer accepted")
    assert accepted.after["offer_version"] == 2
    assert accepted.after["terms_sha256"] == second.terms_sha256
    # Both versions stay readable.
    old = certifier.get(f"{offer_url(lambeth)}?version=1")
    assert "£225,000.00" in text_of(old) and soup_of(old).find(id="offer-versions")
    payment = payment_service.complete_milestone(
        actor(transaction, OFFICER), milestone, date(2020, 9, 30)
    )
    assert payment is not None and payment.amount_pence == milestone.payment_pence


def test_the_allocations_download_names_each_grants_latest_offer(signed_in, transaction):
    import csv
    import io

    stockport = allocation(transaction, STOCKPORT_SWIS)
    (offer,) = offers_of(transaction, stockport)
    response = signed_in(OFFICER).get("/exports/allocations.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    row = next(r for r in rows if r["360Giving identifier"] == STOCKPORT_SWIS)
    assert (row["Offer version"], row["Offer status"], row["Offer accepted on (UTC)"]) == (
        "1",
        "open",
        "",
    )
    assert row["Offer terms SHA-256"] == offer.terms_sha256
    drafts = [r for r in rows if r["Status"] == "draft"]
    assert drafts and all(r["Offer version"] == r["Offer terms SHA-256"] == "" for r in drafts)
    accepted = [r for r in rows if r["Status"] in ("accepted", "active")]
    assert accepted and all(r["Offer status"] == "accepted" for r in accepted)
    assert all(r["Offer accepted on (UTC)"] for r in accepted)


def test_a_payment_request_racing_a_withdrawal_never_both_succeed(make_database):
    """An officer completes a milestone that carries a payment while another withdraws the
    grant, released together on two connections: exactly one succeeds. The payment is asked
    for holding the allocation's row lock on the allocation read afresh, and moves its version
    on, so a withdrawal that read it before is refused as changed; a grant with a payment
    waiting is never withdrawn. Never a payment on a withdrawn grant."""
    from tests.conftest import build_app, migrate_and_seed
    from tracker.extensions import db

    racing = build_app(make_database())
    migrate_and_seed(racing)
    with racing.app_context():
        lambeth = db.session.scalars(
            select(Allocation).where(Allocation.identifier == LAMBETH_SWIS)
        ).one()
        milestone = db.session.scalars(
            select(Milestone)
            .join(Project, Project.id == Milestone.project_id)
            .where(Project.allocation_id == lambeth.id, Milestone.payment_pence > 0)
        ).first()
        allocation_id, milestone_id = lambeth.id, milestone.id
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(what: str) -> None:
        with racing.app_context():
            try:
                barrier.wait(timeout=30)
                if what == "pay":
                    officer = db.session.scalars(select(User).where(User.email == OFFICER)).one()
                    payment_service.complete_milestone(
                        Actor(officer, "race"),
                        db.session.get(Milestone, milestone_id),
                        date.today(),
                    )
                else:
                    officer = db.session.scalars(select(User).where(User.email == OFFICER_2)).one()
                    allocation_service.change_status(
                        Actor(officer, "race"),
                        db.session.get(Allocation, allocation_id),
                        "withdraw",
                        second_approval_threshold_pence=100_000_00,
                        reason="Withdrawn in a race",
                    )
                db.session.commit()
                outcomes[what] = "done"
            except RuleBroken as error:
                db.session.rollback()
                outcomes[what] = f"refused: {error}"
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                outcomes[what] = repr(error)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=act, args=(what,), daemon=True) for what in ("pay", "withdraw")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(o.split(":")[0] for o in outcomes.values()) == ["done", "refused"], outcomes
    with racing.app_context():
        status = db.session.get(Allocation, allocation_id).status
        payments = db.session.scalars(
            select(Payment).where(Payment.allocation_id == allocation_id)
        ).all()
        if outcomes["pay"] == "done":
            assert status == AllocationStatus.ACTIVE and len(payments) == 1
        else:
            assert status == AllocationStatus.WITHDRAWN and payments == []
        db.engine.dispose()


def test_a_grant_with_a_payment_waiting_is_not_withdrawn(transaction):
    lambeth = allocation(transaction, LAMBETH_SWIS)
    milestone = transaction.scalars(
        select(Milestone)
        .join(Project, Project.id == Milestone.project_id)
        .where(Project.allocation_id == lambeth.id, Milestone.payment_pence > 0)
    ).first()
    payment_service.complete_milestone(actor(transaction, OFFICER), milestone, date.today())
    with pytest.raises(RuleBroken, match="hold or pay them before it is withdrawn"):
        allocation_service.change_status(
            actor(transaction, OFFICER_2),
            lambeth,
            "withdraw",
            second_approval_threshold_pence=100_000_00,
            reason="Too late",
        )
    transaction.refresh(lambeth)
    assert lambeth.status == AllocationStatus.ACTIVE
