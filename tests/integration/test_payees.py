"""Payees (issue 18, item 5): each grantee organisation's bank account, validated for form,
masked on screen and in the audit trail, proposed by an officer and confirmed by a different
person (finance) who types it again; a change holds payments to the organisation for
PAYEE_CHANGE_HOLD_DAYS days, and a payment shows the (masked) account it goes to."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import FINANCE, FINANCE_2, OFFICER, text_of
from tests.factories import actor, user
from tests.integration.test_payments import (
    error_at_top_of_form,
    error_beside,
    lambeth_allocation,
    make_payment,
    mark_paid,
)
from tracker.models import AuditEvent, Organisation, PayeeAccount, PayeeStatus, PaymentStatus, Role
from tracker.services import payees as payee_service
from tracker.services.errors import NotAllowed

SORT_CODE, ACCOUNT_NUMBER = "40-11-62", "41926819"
NEW_SORT_CODE, NEW_ACCOUNT_NUMBER = "20-00-00", "55779911"


def lambeth(session) -> Organisation:
    return session.scalars(select(Organisation).where(Organisation.org_id == "GB-LAE-LBH")).one()


def accounts(session, organisation: Organisation) -> list[PayeeAccount]:
    session.expire_all()
    return list(
        session.scalars(
            select(PayeeAccount)
            .where(PayeeAccount.organisation_id == organisation.id)
            .order_by(PayeeAccount.id)
        )
    )


def propose(visitor, organisation, sort_code=SORT_CODE, account_number=ACCOUNT_NUMBER, name=None):
    return visitor.post(
        f"/organisations/{organisation.id}/bank-account",
        {
            "account_name": name or "London Borough of Lambeth",
            "sort_code": sort_code,
            "account_number": account_number,
        },
    )


def confirm(visitor, organisation, sort_code=SORT_CODE, account_number=ACCOUNT_NUMBER):
    return visitor.post(
        f"/organisations/{organisation.id}/bank-account/confirm",
        {"sort_code": sort_code, "account_number": account_number},
    )


@pytest.mark.parametrize(
    ("sort_code", "account_number", "field", "message"),
    [
        ("", ACCOUNT_NUMBER, "sort_code", "Enter the sort code"),
        ("30-94-5", ACCOUNT_NUMBER, "sort_code", "Enter a valid sort code like 30-94-57"),
        ("30-94-5x", ACCOUNT_NUMBER, "sort_code", "Enter a valid sort code like 30-94-57"),
        ("３０９４５７", ACCOUNT_NUMBER, "sort_code", "Enter a valid sort code like 30-94-57"),
        (SORT_CODE, "", "account_number", "Enter the account number"),
        (SORT_CODE, "0073344", "account_number", "Enter a valid account number like 00733445"),
        (SORT_CODE, "007334451", "account_number", "Enter a valid account number like 00733445"),
    ],
)
def test_a_sort_code_or_account_number_of_the_wrong_form_is_refused_beside_it(
    signed_in, transaction, sort_code, account_number, field, message
):
    organisation = lambeth(transaction)
    response = propose(signed_in(OFFICER), organisation, sort_code, account_number, "Kept Name")
    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert 'value="Kept Name"' in response.get_data(as_text=True)
    assert accounts(transaction, organisation) == []


def test_an_officer_proposes_and_a_finance_officer_confirms_by_typing_it_again(
    signed_in, transaction
):
    organisation = lambeth(transaction)
    officer, finance = signed_in(OFFICER), signed_in(FINANCE)
    assert propose(officer, organisation, "40 11 62", "4192 6819").status_code == 302
    [proposed] = accounts(transaction, organisation)
    assert (proposed.sort_code, proposed.account_number) == ("401162", "41926819")
    assert proposed.status == PayeeStatus.PROPOSED
    page = text_of(finance.get(f"/organisations/{organisation.id}"))
    assert "Waiting for a finance officer to confirm" in page
    assert "No bank account has been confirmed" in page
    # Typed again wrong: refused beside the field, nothing confirmed.
    response = confirm(finance, organisation, SORT_CODE, "41926818")
    assert "does not match the one proposed" in error_beside(response, "account_number")
    assert accounts(transaction, organisation)[0].status == PayeeStatus.PROPOSED
    response = confirm(finance, organisation, "40-11-63", ACCOUNT_NUMBER)
    assert "does not match the one proposed" in error_beside(response, "sort_code")
    # Typed again right: confirmed.
    assert confirm(finance, organisation).status_code == 302
    [confirmed] = accounts(transaction, organisation)
    assert confirmed.status == PayeeStatus.CONFIRMED
    assert confirmed.confirmed_by_id == user(transaction, FINANCE).id
    page = text_of(officer.get(f"/organisations/{organisation.id}"))
    assert "Payments go to: London Borough of Lambeth, sort code **-**-62, account ****6819" in page


def test_the_account_is_masked_on_every_screen_and_in_the_audit_trail(signed_in, transaction):
    organisation = lambeth(transaction)
    officer, finance = signed_in(OFFICER), signed_in(FINANCE)
    propose(officer, organisation)
    pages = [
        finance.get(f"/organisations/{organisation.id}"),
        finance.get(f"/organisations/{organisation.id}/bank-account/confirm"),
    ]
    confirm(finance, organisation)
    pages.append(officer.get(f"/organisations/{organisation.id}"))
    for page in pages:
        html = page.get_data(as_text=True)
        assert "41926819" not in html and "401162" not in html and SORT_CODE not in html
        assert "****6819" in html
    trail = list(
        transaction.scalars(select(AuditEvent).where(AuditEvent.object_type == "payee_account"))
    )
    assert [e.action for e in trail] == ["payee change proposed", "payee change confirmed"]
    for event in trail:
        written = f"{event.before} {event.after}"
        assert "41926819" not in written and "401162" not in written
        assert "****6819" in written
    assert trail[-1].actor_id == user(transaction, FINANCE).id
    # The organisation's page shows the changes in its history.
    history = text_of(officer.get(f"/organisations/{organisation.id}"))
    assert "proposed a bank account for London Borough of Lambeth" in history
    assert "confirmed a bank account for London Borough of Lambeth" in history


def test_nobody_confirms_a_change_they_proposed(transaction, app):
    organisation = lambeth(transaction)
    proposer = actor(transaction, OFFICER)
    proposed = payee_service.propose(
        proposer,
        organisation,
        account_name="Lambeth",
        sort_code=SORT_CODE,
        account_number=ACCOUNT_NUMBER,
        now=date(2026, 1, 5),
    )
    # The same person, now in finance, still cannot confirm their own proposal.
    proposer.user.role = Role.FINANCE
    with pytest.raises(NotAllowed, match="someone else must confirm it"):
        payee_service.confirm(
            proposer,
            proposed,
            sort_code=SORT_CODE,
            account_number=ACCOUNT_NUMBER,
            now=date(2026, 1, 5),
            hold_days=5,
        )
    assert proposed.status == PayeeStatus.PROPOSED


def test_only_an_officer_proposes_and_only_finance_confirms(signed_in, transaction):
    organisation = lambeth(transaction)
    assert propose(signed_in(FINANCE), organisation).status_code == 403
    propose(signed_in(OFFICER), organisation)
    assert confirm(signed_in(OFFICER), organisation).status_code == 403
    assert accounts(transaction, organisation)[0].status == PayeeStatus.PROPOSED


def test_a_change_holds_payments_for_the_set_days_and_a_payment_shows_its_account(
    signed_in, transaction, clock, app
):
    assert app.config["PAYEE_CHANGE_HOLD_DAYS"] == 5
    organisation = lambeth(transaction)
    officer, finance = signed_in(OFFICER), signed_in(FINANCE)
    payer = signed_in(FINANCE_2)  # requester, approver and payer are three people
    payment = make_payment(
        transaction, lambeth_allocation(transaction), 1_000_00, status=PaymentStatus.APPROVED
    )
    payment.approved_by_id = user(transaction, FINANCE).id
    transaction.commit()
    # A change waiting for confirmation holds payments already.
    propose(officer, organisation)
    response = mark_paid(payer, payment, date.today(), "BACS-1")
    assert "waiting for a second person to confirm it" in error_at_top_of_form(response)
    confirm(finance, organisation)
    # Confirmed: held for five days.
    page = text_of(finance.get(f"/payments/{payment.id}"))
    assert "To be paid into London Borough of Lambeth, sort code **-**-62, account ****6819" in page
    assert "payments to it are held until" in page
    clock.advance(days=4, hours=23)
    finance, payer = signed_in(FINANCE), signed_in(FINANCE_2)  # the earlier sessions ended
    response = mark_paid(payer, payment, date.today(), "BACS-1")
    assert "payments to it are held until" in error_at_top_of_form(response)
    transaction.expire_all()
    assert transaction.get(type(payment), payment.id).status == PaymentStatus.APPROVED
    clock.advance(hours=2)
    finance, payer = signed_in(FINANCE), signed_in(FINANCE_2)
    assert mark_paid(payer, payment, date.today(), "BACS-1").status_code == 302
    transaction.expire_all()
    paid = transaction.get(type(payment), payment.id)
    assert paid.status == PaymentStatus.PAID
    assert paid.payee_account_id == accounts(transaction, organisation)[0].id
    # A later change does not rewrite where a paid payment went.
    officer = signed_in(OFFICER)
    propose(officer, organisation, NEW_SORT_CODE, NEW_ACCOUNT_NUMBER)
    confirm(finance, organisation, NEW_SORT_CODE, NEW_ACCOUNT_NUMBER)
    page = text_of(finance.get(f"/payments/{payment.id}"))
    assert "Paid into London Borough of Lambeth, sort code **-**-62, account ****6819" in page
    statuses = [a.status for a in accounts(transaction, organisation)]
    assert statuses == [PayeeStatus.REPLACED, PayeeStatus.CONFIRMED]


def test_the_hold_lasts_as_long_as_the_setting_says(signed_in, transaction, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAYEE_CHANGE_HOLD_DAYS", 10)
    organisation = lambeth(transaction)
    propose(signed_in(OFFICER), organisation)
    confirm(signed_in(FINANCE), organisation)
    [confirmed] = accounts(transaction, organisation)
    assert (confirmed.holds_payments_until - confirmed.confirmed_at).days == 10
