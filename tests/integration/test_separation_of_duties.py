"""Separation of duties, whatever the path (issue 18 item 1; issue 14 item 10): nobody who
created an award or set or changed its money (by the form, an import, an approved re-profiling)
approves it when it needs a second officer; the threshold counts the organisation's awards from
the same stream in the same financial year, so splitting does not avoid it; and a payment's
requester, approver and payer are three different people."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import FINANCE, FINANCE_2, OFFICER, OFFICER_2, text_of
from tests.factories import actor, add_users, make_allocation, make_stream, user
from tests.integration.test_imports import HEADER, confirm, csv_file, preview_of, row
from tests.integration.test_payments import (
    approve_payment,
    lambeth_allocation,
    make_payment,
    mark_paid,
    payments_on,
)
from tests.reading import error_beside
from tracker.data import allocations as allocation_data
from tracker.models import Allocation, AllocationStatus, PaymentStatus, Role
from tracker.services import allocations as allocation_service
from tracker.services import variations as variation_service
from tracker.services.errors import NotAllowed

OFFICER_3 = "officer3@test.gov.uk"
THRESHOLD = 100_000_00
REFUSED = "must be approved by a second officer, not one who drafted it or set or changed its"


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "imports"
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(folder))
    return folder


@pytest.fixture
def third_officer(transaction):
    add_users(Role.OFFICER, [OFFICER_3])
    return OFFICER_3


def offer(visitor, allocation: Allocation):
    return visitor.post(f"/allocations/{allocation.id}/status", {"action": "offer", "reason": ""})


def edit_amount(visitor, allocation: Allocation, amount: str):
    url = f"/allocations/{allocation.id}/edit"
    return visitor.post(
        url,
        {
            "organisation": str(allocation.organisation_id),
            "title": allocation.title,
            "amount": amount,
            "awarded_on": ["3", "8", "2020"],
            "planned_start": ["1", "9", "2020"],
            "planned_end": ["31", "3", "2021"],
            "conditions": "",
            "version": str(allocation.version),
        },
        form_page=url,
    )


def status_of(session, allocation: Allocation) -> AllocationStatus:
    session.expire_all()
    return session.get(Allocation, allocation.id).status


def draft(session, pence: int, by: str = OFFICER, awarded: date = date(2020, 8, 3)) -> Allocation:
    made = make_allocation(
        make_stream("SOD", 2_000_000_00),
        pence,
        by=by,
        dates={
            "awarded_on": awarded,
            "planned_start": date(2020, 9, 1),
            "planned_end": date(2021, 3, 31),
        },
    )
    session.commit()
    return made


# --- allocations: edit, import, variation, then approve ---------------------------------------


def test_an_officer_who_raised_the_amount_by_editing_cannot_approve_it(
    signed_in, transaction, third_officer
):
    made = draft(transaction, 50_000_00)
    editor = signed_in(OFFICER_2)
    edited = edit_amount(editor, made, "£900,000")
    assert edited.status_code == 302, text_of(edited)[:600]

    refused = offer(editor, made)

    assert refused.status_code == 200
    assert REFUSED in error_beside(refused, "action")
    assert status_of(transaction, made) == AllocationStatus.DRAFT
    assert REFUSED in error_beside(offer(signed_in(OFFICER), made), "action")  # the drafter
    assert offer(signed_in(third_officer), made).status_code == 302
    assert status_of(transaction, made) == AllocationStatus.OFFERED


def test_an_officer_who_changed_the_amount_by_import_cannot_approve_it(
    signed_in, transaction, third_officer
):
    made = draft(transaction, 50_000_00)
    importer = signed_in(OFFICER_2)
    given = row(made.identifier, "SOD", "GB-LAE-LBH", made.title, "£900,000")
    url, _ = preview_of(importer, csv_file([given], HEADER))
    assert confirm(importer, url).status_code == 302
    transaction.expire_all()
    assert transaction.get(Allocation, made.id).amount_pence == 900_000_00

    refused = offer(importer, made)

    assert REFUSED in error_beside(refused, "action")
    assert status_of(transaction, made) == AllocationStatus.DRAFT
    assert offer(signed_in(third_officer), made).status_code == 302


def test_an_officer_who_created_an_award_by_import_cannot_approve_it(signed_in, transaction):
    importer = signed_in(OFFICER_2)
    given = row("360G-TEST-SOD-IMPORTED", "CSA-STF", "GB-LAE-LBH", "Imported", "£150,000")
    url, _ = preview_of(importer, csv_file([given], HEADER))
    assert confirm(importer, url).status_code == 302
    made = transaction.scalars(
        select(Allocation).where(Allocation.identifier == "360G-TEST-SOD-IMPORTED")
    ).one()

    assert REFUSED in error_beside(offer(importer, made), "action")
    assert offer(signed_in(OFFICER), made).status_code == 302


def test_an_officer_who_approved_a_reprofiling_counts_as_having_set_the_money(transaction):
    """A variation applies to a live award, so its decider is one of those who set its money:
    the audit trail is what the approval rule reads, whatever the path."""
    made = draft(transaction, 120_000_00)
    made.profile  # noqa: B018 - loaded before the session is used elsewhere
    allocation_service.change_status(
        actor(transaction, OFFICER_2), made, "offer", second_approval_threshold_pence=THRESHOLD
    )
    grantee = actor(transaction, "grantee@london-borough-of-lambeth.demo.org.uk")
    variation = variation_service.request_variation(
        grantee, made, variation_service.K.REPROFILE_YEARS, {"2020": 120_000_00}, "No change"
    )
    assert user(transaction, OFFICER_2).id not in allocation_data.money_setters(made)

    variation_service.decide(actor(transaction, OFFICER_2), variation, approve=True, note="")

    assert user(transaction, OFFICER_2).id in allocation_data.money_setters(made)
    assert user(transaction, OFFICER).id in allocation_data.money_setters(made)


# --- the threshold counts the same organisation's awards, stream and year ----------------------


def test_two_awards_just_under_the_threshold_need_a_second_officer_together(signed_in, transaction):
    first = draft(transaction, 99_999_99)
    officer = signed_in(OFFICER)
    assert offer(officer, first).status_code == 302
    second = make_allocation(
        first.stream,
        99_999_99,
        dates={
            "awarded_on": date(2021, 1, 5),
            "planned_start": date(2021, 1, 5),
            "planned_end": date(2021, 3, 31),
        },
    )
    transaction.commit()
    assert "an officer who neither drafted it" in text_of(officer.get(f"/allocations/{second.id}"))

    refused = offer(officer, second)

    assert REFUSED in error_beside(refused, "action")
    assert "2020-21" in error_beside(refused, "action")
    assert status_of(transaction, second) == AllocationStatus.DRAFT
    assert offer(signed_in(OFFICER_2), second).status_code == 302


def test_a_withdrawn_award_or_another_organisation_does_not_count(signed_in, transaction):
    first = draft(transaction, 99_999_99)
    officer = signed_in(OFFICER)
    assert offer(officer, first).status_code == 302
    withdrawn = officer.post(
        f"/allocations/{first.id}/status", {"action": "withdraw", "reason": "Replaced"}
    )
    assert withdrawn.status_code == 302
    second = make_allocation(first.stream, 99_999_99)
    elsewhere = make_allocation(first.stream, 99_999_99, to="GB-LAE-SKP")
    transaction.commit()

    assert offer(officer, second).status_code == 302
    assert offer(officer, elsewhere).status_code == 302


def test_the_service_refuses_the_drafter_of_a_split_award_too(transaction):
    first = draft(transaction, 60_000_00)
    second = make_allocation(first.stream, 60_000_00)
    drafter = actor(transaction, OFFICER)
    allocation_service.change_status(
        drafter, first, "offer", second_approval_threshold_pence=THRESHOLD
    )
    with pytest.raises(NotAllowed):
        allocation_service.change_status(
            drafter, second, "offer", second_approval_threshold_pence=THRESHOLD
        )


# --- payments: three people -------------------------------------------------------------------


def test_the_approver_of_a_payment_cannot_mark_it_paid(signed_in, transaction):
    payment = make_payment(transaction, lambeth_allocation(transaction), 7_000_00)
    finance = signed_in(FINANCE)
    assert approve_payment(finance, payment).status_code == 302

    refused = mark_paid(finance, payment, date.today(), "REF-SOD")

    assert refused.status_code == 200
    assert "another finance officer must mark it paid" in text_of(refused)
    [stored] = payments_on(transaction, lambeth_allocation(transaction))
    assert stored.status == PaymentStatus.APPROVED and stored.paid_by_id is None
    assert mark_paid(signed_in(FINANCE_2), payment, date.today(), "REF-SOD").status_code == 302
    [stored] = payments_on(transaction, lambeth_allocation(transaction))
    assert stored.paid_by_id == user(transaction, FINANCE_2).id


def test_the_requester_of_a_payment_cannot_mark_it_paid(signed_in, transaction):
    payment = make_payment(
        transaction, lambeth_allocation(transaction), 7_000_00, requested_by=FINANCE_2
    )
    assert approve_payment(signed_in(FINANCE), payment).status_code == 302

    refused = mark_paid(signed_in(FINANCE_2), payment, date.today(), "REF-SOD")

    assert "another finance officer must mark it paid" in text_of(refused)
    [stored] = payments_on(transaction, lambeth_allocation(transaction))
    assert stored.status == PaymentStatus.APPROVED


def test_the_database_refuses_a_payer_who_approved_the_payment(transaction):
    import sqlalchemy.exc

    payment = make_payment(transaction, lambeth_allocation(transaction), 1_000_00)
    finance_id = user(transaction, FINANCE).id
    payment.status, payment.approved_by_id, payment.paid_by_id = (
        PaymentStatus.PAID,
        finance_id,
        finance_id,
    )
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        transaction.commit()
    transaction.rollback()
