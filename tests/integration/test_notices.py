"""News to whoever must act next (issue 17 item 4): each event queues one message to each person
who must act on it, or who is told of a decision, and nobody else; raising the same event again
queues nothing; and each person reads the messages sent to them, and only theirs."""

from datetime import date

from sqlalchemy import select

from tests.conftest import (
    FINANCE,
    FINANCE_2,
    LAMBETH_GRANTEE,
    OFFICER,
    OFFICER_2,
    SOUTHAMPTON_GRANTEE,
    VIEWER,
    text_of,
)
from tests.factories import actor, make_allocation, make_stream
from tests.reading import soup_of
from tracker.account.views import message_link
from tracker.models import AllocationStatus, OutboxMessage, Payment, Role, User, VariationKind
from tracker.services import notices
from tracker.services import payments as payment_service
from tracker.services import variations as variation_service

LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"


def newest_id(session) -> int:
    return session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)) or 0


def sent_since(session, since: int) -> set[tuple[str, str]]:
    return {
        (m.to_address, m.kind)
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.id > since))
    }


def active_lambeth_allocation(session):
    from tracker.models import Allocation, Organisation

    return session.scalars(
        select(Allocation)
        .join(Organisation, Allocation.organisation_id == Organisation.id)
        .where(Organisation.org_id == "GB-LAE-LBH", Allocation.status == AllocationStatus.ACTIVE)
        .order_by(Allocation.id)
    ).first()


def requested_payment(session) -> Payment:
    """The demo milestone on Lambeth's allocation that carries a payment, completed by an
    officer: its payment is requested."""
    from tracker.models import Milestone, Project

    milestone = session.scalars(
        select(Milestone)
        .join(Project, Milestone.project_id == Project.id)
        .where(
            Project.allocation_id == active_lambeth_allocation(session).id,
            Milestone.payment_pence.is_not(None),
        )
    ).first()
    return payment_service.complete_milestone(actor(session, OFFICER), milestone, date(2020, 12, 1))


def test_a_payment_requested_reaches_finance_approved_the_payer_and_paid_the_grantee(
    transaction,
):
    before = newest_id(transaction)
    payment = requested_payment(transaction)
    assert sent_since(transaction, before) == {
        (FINANCE, "payment requested"),
        (FINANCE_2, "payment requested"),
    }

    before = newest_id(transaction)
    payment_service.approve(actor(transaction, FINANCE), payment)
    # Only the finance officer who neither requested nor approved it may pay it.
    assert sent_since(transaction, before) == {(FINANCE_2, "payment approved")}

    before = newest_id(transaction)
    payment_service.mark_paid(
        actor(transaction, FINANCE_2), payment, paid_on=date.today(), reference="BACS-1"
    )
    assert sent_since(transaction, before) == {
        (LAMBETH_GRANTEE, "payment paid"),
        (LAMBETH_CERTIFIER, "payment paid"),
    }
    paid = transaction.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == "payment paid", OutboxMessage.to_address == LAMBETH_GRANTEE
        )
    ).one()
    assert "reference BACS-1" in paid.body


def test_the_same_event_raised_again_queues_nothing(transaction):
    payment = requested_payment(transaction)
    before = newest_id(transaction)
    notices.payment_requested(payment)
    notices.payment_requested(payment)
    assert sent_since(transaction, before) == set()


def test_a_held_payment_goes_back_to_the_officer_who_requested_it(transaction):
    payment = requested_payment(transaction)
    before = newest_id(transaction)
    payment_service.hold(actor(transaction, FINANCE), payment, reason="Bank details missing")
    assert sent_since(transaction, before) == {(OFFICER, "payment held")}


def test_a_variation_asked_for_reaches_the_officers(transaction):
    from datetime import timedelta

    from tracker.domain.periods import FinancialYear

    grant = active_lambeth_allocation(transaction)
    new_end = grant.planned_end + timedelta(days=1)
    # The stream runs a year longer, so the end date can move (the rule is not under test).
    grant.stream.last_year = max(
        grant.stream.last_year, FinancialYear.containing(new_end).start_year
    )
    grantee = transaction.scalars(
        select(User).where(User.organisation_id == grant.organisation_id, User.role == Role.GRANTEE)
    ).first()
    before = newest_id(transaction)
    variation_service.request_variation(
        actor(transaction, grantee.email),
        grant,
        VariationKind.EXTEND_END_DATE,
        {"planned_end": new_end.isoformat()},
        "More time to recruit",
    )
    assert sent_since(transaction, before) == {
        (OFFICER, "variation requested"),
        (OFFICER_2, "variation requested"),
    }


def test_a_large_award_waits_for_the_officer_who_did_not_draft_it_and_the_grantee_hears_the_offer(
    transaction, app
):
    stream = make_stream("BIG-AWARD", 1_000_000_00)
    before = newest_id(transaction)
    award = make_allocation(stream, 150_000_00, by=OFFICER)
    assert sent_since(transaction, before) == {(OFFICER_2, "award awaiting second officer")}

    from tracker.services import allocations as allocation_service

    before = newest_id(transaction)
    allocation_service.change_status(
        actor(transaction, OFFICER_2),
        award,
        "offer",
        second_approval_threshold_pence=app.config["SECOND_APPROVAL_THRESHOLD_PENCE"],
    )
    assert sent_since(transaction, before) == {
        (LAMBETH_GRANTEE, "award offered"),
        (LAMBETH_CERTIFIER, "award offered"),
    }


def test_a_small_award_waits_for_nobody(transaction):
    stream = make_stream("SMALL-AWARD", 1_000_000_00)
    before = newest_id(transaction)
    make_allocation(stream, 5_000_00, by=OFFICER)
    assert sent_since(transaction, before) == set()


def test_each_person_reads_their_own_messages_and_only_theirs(signed_in, transaction):
    payment = requested_payment(transaction)
    transaction.commit()

    finance = signed_in(FINANCE).get("/account/messages")
    cards = soup_of(finance).select("[data-message]")
    assert cards, "finance sees the payment waiting for them"
    assert "A payment is waiting for approval" in cards[0].get_text(" ")
    assert cards[0].select_one("a")["href"] == f"/payments/{payment.id}"
    assert "Waiting to be sent" in cards[0].get_text(" ")

    for email in (VIEWER, SOUTHAMPTON_GRANTEE):
        words = text_of(signed_in(email).get("/account/messages"))
        assert "A payment is waiting for approval" not in words
    assert "No messages have been sent to you yet" in text_of(
        signed_in(VIEWER).get("/account/messages")
    )
    assert "See the messages sent to you" in text_of(signed_in(FINANCE).get("/account"))


def test_the_inbox_links_to_the_page_named_at_the_end_of_a_message():
    assert message_link("Approve it: https://grants.example.gov.uk/payments/12") == "/payments/12"
    assert message_link("Approve it: /payments/12\n") == "/payments/12"
    assert message_link("Your return has been approved.") is None
    assert message_link("See https://evil.example/phish?x=1") is None


def test_a_variation_decided_is_told_to_the_grantee_once(transaction):
    grant = active_lambeth_allocation(transaction)
    variation = variation_service.request_variation(
        actor(transaction, LAMBETH_GRANTEE),
        grant,
        VariationKind.REPROFILE_YEARS,
        variation_service.current_terms(grant, VariationKind.REPROFILE_YEARS),
        "Recruitment slipped",
    )
    before = newest_id(transaction)
    variation_service.decide(actor(transaction, OFFICER), variation, approve=False, note="No")
    assert sent_since(transaction, before) == {
        (LAMBETH_GRANTEE, "variation decided"),
        (LAMBETH_CERTIFIER, "variation decided"),
    }
    before = newest_id(transaction)
    notices.variation_decided(variation, "No")  # the same decision, told again
    assert sent_since(transaction, before) == set()
