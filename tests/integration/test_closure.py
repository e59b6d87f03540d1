"""Closing a grant (issue 15, item 3): past its planned end a grant owes a final return; the
officer reviews it and closes the grant, and what was paid less the eligible spend becomes a
recovery; finance records what is paid back, in part or in full, or writes off the rest with a
second finance officer's approval. A closed grant is read-only and its figures stay counted.

The seeded Lambeth grant (Social workers in schools, £450,000) ended on 31 March 2022."""

import hashlib
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import (
    FINANCE,
    FINANCE_2,
    LAMBETH_GRANTEE,
    OFFICER,
    OFFICER_2,
    text_of,
)
from tests.factories import actor, add_allocation, allocation, approve_every_return
from tests.integration.test_evidence import files_in, pdf_file
from tests.reading import count, error_beside, soup_of, value_of
from tracker.data import closure as closure_data
from tracker.extensions import db
from tracker.models import (
    AllocationStatus,
    AuditEvent,
    FinalReturnStatus,
    Milestone,
    Payment,
    PaymentStatus,
    Project,
    Recovery,
    RecoveryReceipt,
    RecoveryStatus,
)
from tracker.models.totals import TotalMoney
from tracker.services import closure as closure_service
from tracker.services import payments as payment_service
from tracker.services import recoveries as recovery_service
from tracker.services.errors import NotAllowed, RuleBroken
from tracker.totals import tracking
from tracker.totals.figures import EVERY_REGION

LAMBETH_SWIS = "360G-HHT-DEMO-SWIS-LBH"
TODAY = date.today()
LATER = TODAY + timedelta(days=60)


def final_url(grant) -> str:
    return f"/organisation/allocations/{grant.id}/final-return"


def answers(grant, **changes) -> dict:
    found = {f"target_{target_id}": "12" for target_id in closure_data.target_ids(grant.id)} | {
        "eligible_spend": "100,000",
        "lessons": "Recruit social workers before the school year starts",
        "evidence": "The statement of grant expenditure, signed by the chief finance officer",
    }
    found.update(changes)
    return found


def paid(session, grant, pounds: int) -> Payment:
    """A payment on the grant, paid (as three people would have made it so)."""
    made = Payment(
        allocation_id=grant.id,
        amount_pence=pounds * 100,
        status=PaymentStatus.PAID,
        paid_on=date(2021, 6, 30),
    )
    session.add(made)
    session.flush()
    return made


def submitted(session, grant, *, eligible_pounds: int = 100_000, approve_returns: bool = True):
    if approve_returns:
        approve_every_return(grant)
    return closure_service.submit_final_return(
        actor(session, LAMBETH_GRANTEE),
        grant,
        delivered={t: 12 for t in closure_data.target_ids(grant.id)},
        eligible_spend_pence=eligible_pounds * 100,
        lessons="Recruit earlier",
        evidence="The statement of grant expenditure",
        today=TODAY,
    )


def closed(session, grant, *, paid_pounds=150_000, eligible_pounds=100_000) -> Recovery | None:
    paid(session, grant, paid_pounds)
    final = submitted(session, grant, eligible_pounds=eligible_pounds)
    return closure_service.close(
        actor(session, OFFICER),
        final,
        due_on=LATER,
        reason="Paid but not spent on eligible costs",
        today=TODAY,
    )


def received(session, recovery, pence: int) -> None:
    """Finance records `pence` paid back on 1 May 2024 (in 2024-25)."""
    recovery_service.record_receipt(
        actor(session, FINANCE),
        recovery,
        amount_pence=pence,
        received_on=date(2024, 5, 1),
        reference="",
    )


def as_read(officer, grant, **answers) -> dict:
    """The officer's decision, with the version of the final return their page was drawn from."""
    page = officer.get(f"/allocations/{grant.id}/closure")
    return {"version": value_of(page, "version"), **answers}


def events(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- the final return -------------------------------------------------------------------------


def test_the_grantee_submits_the_final_return_of_a_grant_past_its_end(signed_in, transaction):
    grant = allocation(transaction, LAMBETH_SWIS)
    grantee = signed_in(LAMBETH_GRANTEE)
    page = grantee.get(final_url(grant))
    assert "The grant ended on 31 March 2022" in text_of(page)
    assert "owed now the grant has ended" in text_of(
        grantee.get(f"/organisation/allocations/{grant.id}")
    )
    home = soup_of(grantee.get("/organisation")).find(id="queue-final-returns-owed")
    assert grant.title in home.get_text()

    response = grantee.post(final_url(grant), answers(grant))
    assert response.status_code == 302
    final = closure_data.final_return_of(grant.id)
    assert final.status == FinalReturnStatus.SUBMITTED
    assert final.eligible_spend_pence == 100_000_00
    assert set(final.delivered.values()) == {12}
    assert set(final.delivered) == {str(t) for t in closure_data.target_ids(grant.id)}
    (event,) = events(transaction, "final return submitted")
    assert event.object_id == grant.id and event.after["eligible_spend_pence"] == 100_000_00
    # It is read-only now, and waits in the officer's queue.
    assert "Submitted on" in text_of(grantee.get(final_url(grant)))
    officer_home = soup_of(signed_in(OFFICER).get("/home")).find(id="queue-final-returns")
    assert grant.title in officer_home.get_text()


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("eligible_spend", "", "Enter the total spent on eligible costs"),
        ("eligible_spend", "-5", "must be £0 or more"),
        ("eligible_spend", "450,000.01", "must be £450,000.00 (the grant) or less"),
        ("lessons", "", "Enter the lessons learned"),
        ("evidence", "  ", "Say what evidence supports the final return"),
        ("target", "", "Enter the number delivered for"),
        ("target", "twelve", "as a whole number"),
    ],
)
def test_a_final_return_with_a_mistake_is_refused_beside_the_field_and_kept(
    signed_in, transaction, field, typed, message
):
    grant = allocation(transaction, LAMBETH_SWIS)
    grantee = signed_in(LAMBETH_GRANTEE)
    before = count(transaction, AuditEvent)
    if field == "target":
        field = f"target_{closure_data.target_ids(grant.id)[0]}"
    response = grantee.post(final_url(grant), answers(grant, **{field: typed}))
    assert response.status_code == 200
    assert message in error_beside(response, field)
    if field != "lessons":  # the other answers are kept
        assert value_of(response, "lessons") == (
            "Recruit social workers before the school year starts"
        )
    assert closure_data.final_return_of(grant.id) is None
    assert count(transaction, AuditEvent) == before


def with_file(data: dict, content: bytes, name: str) -> dict:
    return data | {"file": (io.BytesIO(content), name)}


def test_a_file_sent_with_the_final_return_is_kept_listed_and_read(
    signed_in, transaction, uploads
):
    grant = allocation(transaction, LAMBETH_SWIS)
    grantee = signed_in(LAMBETH_GRANTEE)
    response = grantee.post(
        final_url(grant),
        with_file(answers(grant), pdf_file(), "Statement of grant expenditure.pdf"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    (kept,) = closure_data.final_return_of(grant.id).files
    assert kept.original_name == "Statement of grant expenditure.pdf"
    assert kept.content_type == "application/pdf"
    assert kept.sha256 == hashlib.sha256(pdf_file()).hexdigest()
    assert [p.name for p in files_in(uploads)] == [kept.stored_name]
    (event,) = events(transaction, "final return file added")
    assert event.object_id == grant.id and event.after["sha256"] == kept.sha256
    # The officer reviewing it finds it listed, and reads the same bytes.
    officer = signed_in(OFFICER)
    review = soup_of(officer.get(f"/allocations/{grant.id}/closure"))
    link = review.find(id="final-return-files").find("a")
    assert link.get_text() == "Statement of grant expenditure.pdf"
    download = officer.get(link["href"])
    assert download.status_code == 200 and download.data == pdf_file()
    assert "attachment" in download.headers["Content-Disposition"]
    # So does the grantee, from the final return they sent.
    mine = soup_of(grantee.get(final_url(grant))).find(id="final-return-files").find("a")
    assert grantee.get(mine["href"]).data == pdf_file()


def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(
    signed_in, transaction, uploads
):
    grant = allocation(transaction, LAMBETH_SWIS)
    grantee = signed_in(LAMBETH_GRANTEE)
    before = count(transaction, AuditEvent)
    response = grantee.post(
        final_url(grant),
        with_file(answers(grant), b"MZ\x90\x00 not a pdf at all", "statement.pdf"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "PDF" in error_beside(response, "file")
    assert value_of(response, "lessons") == "Recruit social workers before the school year starts"
    assert closure_data.final_return_of(grant.id) is None
    assert count(transaction, AuditEvent) == before
    assert files_in(uploads) == []


def test_a_file_sent_with_a_refused_final_return_is_not_kept_and_the_grantee_is_told(
    signed_in, transaction, uploads
):
    grant = allocation(transaction, LAMBETH_SWIS)
    grantee = signed_in(LAMBETH_GRANTEE)
    response = grantee.post(
        final_url(grant),
        with_file(answers(grant, lessons=""), pdf_file(), "statement.pdf"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Enter the lessons learned" in error_beside(response, "lessons")
    hint = soup_of(response).find(id="file-hint").get_text()
    assert "Choose the file again" in hint
    assert closure_data.final_return_of(grant.id) is None
    assert files_in(uploads) == []


def test_no_final_return_before_the_grant_has_ended(signed_in, transaction):
    running = add_allocation(
        transaction,
        stream_code="SWIS",
        org_id="GB-LAE-LBH",
        identifier="360G-TEST-RUNNING",
        planned_end=TODAY + timedelta(days=200),
    )
    transaction.commit()
    grantee = signed_in(LAMBETH_GRANTEE)
    assert "The final return is owed once the grant is past its planned end" in text_of(
        grantee.get(final_url(running))
    )
    grantee.post(final_url(running), {"eligible_spend": "1", "lessons": "x", "evidence": "y"})
    assert closure_data.final_return_of(running.id) is None
    with pytest.raises(RuleBroken, match="past its planned end"):
        closure_service.submit_final_return(
            actor(transaction, LAMBETH_GRANTEE),
            running,
            delivered={},
            eligible_spend_pence=1,
            lessons="x",
            evidence="y",
            today=TODAY,
        )


# --- the officer closes the grant ------------------------------------------------------------


def test_closing_raises_a_recovery_of_what_was_paid_but_not_spent(signed_in, transaction):
    grant = allocation(transaction, LAMBETH_SWIS)
    paid(transaction, grant, 150_000)
    submitted(transaction, grant)
    transaction.commit()
    officer = signed_in(OFFICER)
    page = officer.get(f"/allocations/{grant.id}/closure")
    money = soup_of(page).find(id="closure-money").get_text(" ")
    assert "£150,000.00" in money and "£50,000.00" in money

    # Closing needs the date the money is to be paid back by: refused, nothing changed.
    response = officer.post(
        f"/allocations/{grant.id}/closure",
        as_read(officer, grant, decision="close", reason="Underspent"),
    )
    assert "Enter the date the money is to be paid back by" in error_beside(response, "due_on")
    transaction.refresh(grant)
    assert grant.status == AllocationStatus.ACTIVE
    assert closure_data.recovery_of(grant.id) is None

    due = [str(LATER.day), str(LATER.month), str(LATER.year)]
    response = officer.post(
        f"/allocations/{grant.id}/closure",
        as_read(officer, grant, decision="close", reason="Underspent", due_on=due),
    )
    assert response.status_code == 302
    transaction.refresh(grant)
    assert grant.status == AllocationStatus.CLOSED
    recovery = closure_data.recovery_of(grant.id)
    assert (recovery.amount_pence, recovery.due_on, recovery.status) == (
        50_000_00,
        LATER,
        RecoveryStatus.OPEN,
    )
    (event,) = events(transaction, "allocation closed")
    assert event.after["recovery_pence"] == 50_000_00 and event.after["paid_pence"] == 150_000_00
    assert len(events(transaction, "recovery raised")) == 1
    assert closure_data.final_return_of(grant.id).status == FinalReturnStatus.ACCEPTED
    assert tracking.check(db.session) == []
    # Finance sees it waiting.
    finance_home = soup_of(signed_in(FINANCE).get("/home")).find(id="queue-recoveries")
    assert "£50,000.00" in finance_home.get_text()


def test_no_recovery_when_everything_paid_was_spent_on_eligible_costs(transaction):
    grant = allocation(transaction, LAMBETH_SWIS)
    assert closed(transaction, grant, paid_pounds=90_000, eligible_pounds=100_000) is None
    assert grant.status == AllocationStatus.CLOSED
    assert closure_data.recovery_of(grant.id) is None


def test_the_officer_sends_a_final_return_back_with_reasons_and_the_grantee_resubmits(
    signed_in, transaction
):
    grant = allocation(transaction, LAMBETH_SWIS)
    submitted(transaction, grant)
    transaction.commit()
    officer = signed_in(OFFICER)
    response = officer.post(
        f"/allocations/{grant.id}/closure", as_read(officer, grant, decision="send_back")
    )
    assert "Enter why the final return is being sent back" in error_beside(response, "reasons")
    officer.post(
        f"/allocations/{grant.id}/closure",
        as_read(officer, grant, decision="send_back", reasons="Attach the signed statement"),
    )
    final = closure_data.final_return_of(grant.id)
    assert final.status == FinalReturnStatus.CHANGES_REQUESTED
    grantee = signed_in(LAMBETH_GRANTEE)
    page = grantee.get(final_url(grant))
    assert "Attach the signed statement" in text_of(page)
    assert value_of(page, "lessons") == "Recruit earlier"  # their answers, to change
    assert grantee.post(final_url(grant), answers(grant)).status_code == 302
    transaction.refresh(final)
    assert final.status == FinalReturnStatus.SUBMITTED


def test_a_decision_on_a_final_return_resubmitted_since_it_was_read_is_refused(
    signed_in, transaction
):
    """The officer opens the final return; meanwhile it is sent back and resubmitted with other
    figures: their decision, taken on what they read, is refused, and nothing changes."""
    grant = allocation(transaction, LAMBETH_SWIS)
    paid(transaction, grant, 150_000)
    submitted(transaction, grant)
    transaction.commit()
    officer = signed_in(OFFICER)
    read = as_read(officer, grant, decision="close", reason="Underspent")
    final = closure_data.final_return_of(grant.id)
    closure_service.send_back(actor(transaction, OFFICER_2), final, "Check the spend")
    submitted(transaction, grant, eligible_pounds=140_000, approve_returns=False)
    transaction.commit()
    due = [str(LATER.day), str(LATER.month), str(LATER.year)]
    response = officer.post(f"/allocations/{grant.id}/closure", {**read, "due_on": due})
    assert response.status_code == 200
    assert "changed this final return after you opened it" in text_of(response)
    transaction.refresh(grant)
    assert grant.status == AllocationStatus.ACTIVE
    assert closure_data.recovery_of(grant.id) is None
    # Read again, the decision stands: £10,000 to recover of the new figures.
    again = as_read(officer, grant, decision="close", reason="Underspent", due_on=due)
    assert officer.post(f"/allocations/{grant.id}/closure", again).status_code == 302
    assert closure_data.recovery_of(grant.id).amount_pence == 10_000_00


def test_a_grant_with_a_payment_waiting_is_not_closed(transaction):
    grant = allocation(transaction, LAMBETH_SWIS)
    final = submitted(transaction, grant)
    transaction.add(
        Payment(allocation_id=grant.id, amount_pence=1_000_00, status=PaymentStatus.REQUESTED)
    )
    transaction.flush()
    with pytest.raises(RuleBroken, match="pay or hold them before it is closed"):
        closure_service.close(
            actor(transaction, OFFICER), final, due_on=LATER, reason="", today=TODAY
        )
    assert grant.status == AllocationStatus.ACTIVE


def test_a_grant_with_returns_not_yet_approved_is_not_closed(transaction):
    grant = allocation(transaction, LAMBETH_SWIS)
    final = submitted(transaction, grant, approve_returns=False)
    with pytest.raises(RuleBroken, match="returns are not yet approved"):
        closure_service.close(
            actor(transaction, OFFICER), final, due_on=LATER, reason="", today=TODAY
        )
    assert grant.status == AllocationStatus.ACTIVE


def test_only_a_programme_officer_closes_a_grant(transaction):
    grant = allocation(transaction, LAMBETH_SWIS)
    final = submitted(transaction, grant)
    for who in (FINANCE, LAMBETH_GRANTEE):
        with pytest.raises(NotAllowed):
            closure_service.close(
                actor(transaction, who), final, due_on=LATER, reason="", today=TODAY
            )


def test_a_closed_grant_is_read_only_and_stays_counted(signed_in, transaction):
    grant = allocation(transaction, LAMBETH_SWIS)
    closed(transaction, grant)
    milestone = transaction.scalars(
        select(Milestone)
        .join(Project, Project.id == Milestone.project_id)
        .where(Project.allocation_id == grant.id, Milestone.payment_pence > 0)
    ).first()
    with pytest.raises(RuleBroken, match="closed grant"):
        payment_service.complete_milestone(actor(transaction, OFFICER), milestone, TODAY)
    from tracker.models import VariationKind
    from tracker.services import variations as variation_service

    with pytest.raises(RuleBroken, match="closed"):
        variation_service.request_variation(
            actor(transaction, LAMBETH_GRANTEE),
            grant,
            VariationKind.EXTEND_END_DATE,
            {"planned_end": "2023-03-31"},
            "Too late",
        )
    with pytest.raises(RuleBroken, match="not yet closed"):
        submitted(transaction, grant)
    transaction.commit()
    # Its money stays committed on the dashboards.
    page = signed_in(OFFICER).get("/dashboards")
    assert "Social workers in schools" in text_of(page)
    assert "(closed)" in text_of(signed_in(OFFICER).get(f"/allocations/{grant.id}"))


# --- finance recovers the money ----------------------------------------------------------------


def test_finance_records_money_received_in_part_and_then_in_full(signed_in, transaction):
    grant = allocation(transaction, LAMBETH_SWIS)
    recovery = closed(transaction, grant)
    transaction.commit()
    finance = signed_in(FINANCE)
    url = f"/recoveries/{recovery.id}/receipts"
    form = finance.get(url)
    version = value_of(form, "version")

    def receive(amount: str, day: date) -> object:
        return finance.post(
            url,
            {
                "version": version,
                "amount": amount,
                "received_on": [str(day.day), str(day.month), str(day.year)],
                "reference": "BACS 123",
            },
        )

    assert "(what is outstanding) or less" in error_beside(receive("50,000.01", TODAY), "amount")
    assert "today or in the past" in error_beside(
        receive("10", TODAY + timedelta(days=1)), "received_on"
    )
    assert "more than £0" in error_beside(receive("0", TODAY), "amount")
    assert transaction.scalars(select(RecoveryReceipt)).all() == []

    assert receive("20,000", date(2024, 5, 1)).status_code == 302
    transaction.refresh(recovery)
    assert (recovery.received_pence, recovery.outstanding_pence) == (20_000_00, 30_000_00)
    assert recovery.status == RecoveryStatus.OPEN
    version = value_of(finance.get(url), "version")
    assert receive("30,000", date(2024, 6, 1)).status_code == 302
    transaction.refresh(recovery)
    assert recovery.status == RecoveryStatus.SETTLED
    assert len(events(transaction, "recovery received")) == 2
    assert tracking.check(db.session) == []
    # Recovered, by the financial year it was received in (2024-25), in the running totals.
    recovered = transaction.scalar(
        select(TotalMoney.recovered_pence).where(
            TotalMoney.stream_id == grant.stream_id,
            TotalMoney.region == EVERY_REGION,
            TotalMoney.financial_year == 2024,
        )
    )
    assert recovered == 50_000_00
    page = text_of(finance.get(f"/recoveries/{recovery.id}"))
    assert "Settled" in page and "BACS 123" in page


def test_a_write_off_needs_a_reason_and_a_second_finance_officer(signed_in, transaction):
    grant = allocation(transaction, LAMBETH_SWIS)
    recovery = closed(transaction, grant)
    received(transaction, recovery, 10_000_00)
    transaction.commit()
    finance = signed_in(FINANCE)
    response = finance.post(f"/recoveries/{recovery.id}/write-off", {"reason": " "})
    assert "Enter why the money is being written off" in error_beside(response, "reason")
    finance.post(f"/recoveries/{recovery.id}/write-off", {"reason": "The charity has closed"})
    transaction.refresh(recovery)
    assert recovery.status == RecoveryStatus.WRITE_OFF_REQUESTED
    assert recovery.written_off_pence == 0

    # The one who asked cannot approve it.
    response = finance.post(
        f"/recoveries/{recovery.id}/write-off/decision", {"decision": "approve"}
    )
    assert "A write-off needs a second finance officer" in text_of(response)
    transaction.refresh(recovery)
    assert recovery.written_off_pence == 0

    second = signed_in(FINANCE_2)
    assert "Decide on the write-off" in text_of(second.get(f"/recoveries/{recovery.id}"))
    second.post(f"/recoveries/{recovery.id}/write-off/decision", {"decision": "approve"})
    transaction.refresh(recovery)
    assert (recovery.written_off_pence, recovery.received_pence) == (40_000_00, 10_000_00)
    assert recovery.status == RecoveryStatus.SETTLED
    (approved,) = events(transaction, "write-off approved")
    assert approved.actor.email == FINANCE_2
    # Written off is not recovered: the totals count only what was received.
    assert tracking.check(db.session) == []


def test_a_refused_write_off_leaves_the_money_owed(transaction):
    grant = allocation(transaction, LAMBETH_SWIS)
    recovery = closed(transaction, grant)
    recovery_service.request_write_off(actor(transaction, FINANCE), recovery, "Too small to chase")
    recovery_service.decide_write_off(actor(transaction, FINANCE_2), recovery, approve=False)
    assert recovery.status == RecoveryStatus.OPEN and recovery.outstanding_pence == 50_000_00


def test_the_database_holds_the_recovery_rules_as_well_as_the_service(transaction):
    """A recovery never settles more than its amount, and a write-off is never approved by
    the finance officer who asked for it, whatever writes the row."""
    from sqlalchemy.exc import IntegrityError

    grant = allocation(transaction, LAMBETH_SWIS)
    recovery = closed(transaction, grant)
    finance = actor(transaction, FINANCE).user_id
    for change in (
        {"received_pence": 60_000_00},
        {"write_off_requested_by_id": finance, "write_off_approved_by_id": finance},
        {"amount_pence": -1},
    ):
        with pytest.raises(IntegrityError), transaction.begin_nested():
            for name, value in change.items():
                setattr(recovery, name, value)
            transaction.flush()
        transaction.refresh(recovery)


def test_the_360giving_grant_gives_what_was_disbursed_net_of_recoveries(signed_in, transaction):
    from tracker.data.exports import ExportFilters
    from tracker.data.exports.allocations import awarded_allocation_rows

    grant = allocation(transaction, LAMBETH_SWIS)
    recovery = closed(transaction, grant)
    received(transaction, recovery, 20_000_00)
    row = next(
        r for r in awarded_allocation_rows(ExportFilters()) if r["identifier"] == LAMBETH_SWIS
    )
    assert row["disbursed_pence"] == 130_000_00
    from tracker.services import three_sixty_giving

    record = three_sixty_giving.grant(
        row | {"funder_org_id": "GB-GOR-D6", "funder_name": "Department for Education"},
        publisher=three_sixty_giving.DEFAULT_PUBLISHER,
    )
    assert record["amountDisbursed"] == 130000


def test_the_allocations_download_shows_the_final_return_and_the_recovery(signed_in, transaction):
    import csv
    import io

    grant = allocation(transaction, LAMBETH_SWIS)
    recovery = closed(transaction, grant)
    received(transaction, recovery, 20_000_00)
    transaction.commit()
    text = signed_in(OFFICER).get("/exports/allocations.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    row = next(r for r in rows if r["360Giving identifier"] == LAMBETH_SWIS)
    assert row["Status"] == "closed"
    assert (row["Final return"], row["Eligible spend (£)"]) == ("accepted", "100000.00")
    assert (row["To recover (£)"], row["Recovered (£)"], row["Written off (£)"]) == (
        "50000.00",
        "20000.00",
        "0.00",
    )


def test_grants_overdue_for_closure_are_on_the_officers_home_page(signed_in, transaction):
    """Ended more than 90 days ago and not closed: the demo's grants all ended by 2022."""
    grant = allocation(transaction, LAMBETH_SWIS)
    queue = soup_of(signed_in(OFFICER).get("/home")).find(id="queue-overdue-closure")
    assert "Grants overdue for closure" in queue.get_text()
    counted = int(queue.find(attrs={"data-count": True})["data-count"])
    assert counted >= 1
    closed(transaction, grant)
    transaction.commit()
    queue = soup_of(signed_in(OFFICER).get("/home")).find(id="queue-overdue-closure")
    assert int(queue.find(attrs={"data-count": True})["data-count"]) == counted - 1
