"""Variations: a grantee asks to move money between financial years or spend categories, or to
end the grant later; an officer approves (the allocation changes, within the stream's budget for
each year) or refuses with a note. One open request at a time; what was asked, what it replaced
and what was decided are kept, audited and shown on the allocation's pages."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import FINANCE, LAMBETH_GRANTEE, OFFICER, OFFICER_2, SOUTHAMPTON_GRANTEE
from tests.factories import accept_offer, actor, organisation, user
from tests.reading import soup_of
from tracker.models import (
    Allocation,
    AllocationCategory,
    AuditEvent,
    FundingStream,
    MilestoneReturn,
    OutboxMessage,
    Project,
    Variation,
    VariationKind,
    VariationStatus,
)

LAMBETH_SWIS = "360G-HHT-DEMO-SWIS-LBH"  # £450,000: £225,000 in 2020-21 and in 2021-22
LAMBETH_CERTIFIER = "certifier@london-borough-of-lambeth.demo.org.uk"

# --- helpers ---------------------------------------------------------------------------------


def words(element) -> str:
    return " ".join(element.get_text(" ").split()) if element is not None else ""


def error_beside(response, field: str) -> str:
    return words(soup_of(response).find(id=f"{field}-error"))


def error_at_top_of_form(response) -> str:
    return words(soup_of(response).find(id="form-error"))


def lambeth_allocation(session) -> Allocation:
    allocation = session.scalars(
        select(Allocation).where(Allocation.identifier == LAMBETH_SWIS)
    ).one()
    session.refresh(allocation)
    return allocation


def swis(session) -> FundingStream:
    return session.scalars(select(FundingStream).where(FundingStream.code == "SWIS")).one()


def short_allocation(session) -> Allocation:
    """An active Lambeth award of £60,000 from 1 September 2020 to 31 March 2021 (all in
    2020-21), with one project and its three quarterly returns: it can still end later, within
    the stream's last year (2021-22)."""
    from tracker.data.store import save
    from tracker.services import allocations as allocation_service

    allocation = allocation_service.create_allocation(
        actor(session, OFFICER),
        stream=swis(session),
        organisation=organisation(session, "GB-LAE-LBH"),
        title="Extra school placements (test)",
        amount_pence=60_000_00,
        awarded_on=date(2020, 8, 1),
        planned_start=date(2020, 9, 1),
        planned_end=date(2021, 3, 31),
        profile={2020: 60_000_00},
    )
    save(Project(allocation_id=allocation.id, title="Extra placements"))
    for action in ("offer", "accept", "activate"):
        if action == "accept":
            accept_offer(allocation)
            continue
        allocation_service.change_status(
            actor(session, OFFICER_2),
            allocation,
            action,
            second_approval_threshold_pence=100_000_00,
            working_days_to_report=20,
        )
    session.commit()
    return allocation


def profile_of(session, allocation: Allocation) -> dict[int, int]:
    session.expire_all()
    fresh = session.get(Allocation, allocation.id)
    return {row.financial_year: row.amount_pence for row in fresh.profile}


def variations_of(session, allocation: Allocation) -> list[Variation]:
    session.expire_all()
    return list(
        session.scalars(
            select(Variation).where(Variation.allocation_id == allocation.id).order_by(Variation.id)
        )
    )


def audit_of(session, allocation: Allocation, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "allocation",
                AuditEvent.object_id == allocation.id,
                AuditEvent.action == action,
            )
            .order_by(AuditEvent.id)
        )
    )


def ask(visitor, allocation: Allocation, kind: str, data: dict):
    return visitor.post(f"/organisation/allocations/{allocation.id}/variations/{kind}", data)


def ask_years(visitor, allocation, years: dict[int, str], reason="Recruitment slipped"):
    return ask(
        visitor,
        allocation,
        "years",
        {**{f"year_{y}": pounds for y, pounds in years.items()}, "reason": reason},
    )


def ask_end_date(visitor, allocation, new_end: date, reason="Schools closed for a term"):
    return ask(
        visitor,
        allocation,
        "end-date",
        {
            "planned_end": [str(new_end.day), str(new_end.month), str(new_end.year)],
            "reason": reason,
        },
    )


def decide(visitor, variation: Variation, decision: str, note: str = ""):
    return visitor.post(f"/variations/{variation.id}", {"decision": decision, "note": note})


def variation_rows(response) -> list[str]:
    table = soup_of(response).find(id="variations")
    return [words(row) for row in table.tbody.find_all("tr")] if table else []


def outbox_to(session, email: str) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == email)
            .order_by(OutboxMessage.id)
        )
    )


# --- between years ---------------------------------------------------------------------------


def test_a_grantee_asks_to_move_money_between_years_and_an_officer_approves_it(
    signed_in, transaction
):
    allocation = lambeth_allocation(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)

    asked = ask_years(grantee, allocation, {2020: "200,000", 2021: "250000.00"})

    assert asked.status_code == 302
    [variation] = variations_of(transaction, allocation)
    assert asked.location == f"/variations/{variation.id}"
    assert variation.kind == VariationKind.REPROFILE_YEARS
    assert variation.status == VariationStatus.REQUESTED
    assert variation.proposed == {"2020": 200_000_00, "2021": 250_000_00}
    assert variation.previous == {"2020": 225_000_00, "2021": 225_000_00}
    assert variation.reason == "Recruitment slipped"
    assert variation.requested_by_id == user(transaction, LAMBETH_GRANTEE).id
    # Asking changes nothing yet.
    assert profile_of(transaction, allocation) == {2020: 225_000_00, 2021: 225_000_00}
    [requested] = audit_of(transaction, allocation, "variation requested")
    assert requested.actor_id == user(transaction, LAMBETH_GRANTEE).id
    assert requested.after["proposed"] == {"2020": 200_000_00, "2021": 250_000_00}
    assert requested.after["kind"] == "reprofile years"

    officer = signed_in(OFFICER)
    decided = decide(officer, variation, "approve", "Agreed at the quarterly meeting")

    assert decided.status_code == 302
    assert profile_of(transaction, allocation) == {2020: 200_000_00, 2021: 250_000_00}
    [variation] = variations_of(transaction, allocation)
    assert variation.status == VariationStatus.APPROVED
    assert variation.decided_by_id == user(transaction, OFFICER).id
    assert variation.decided_at is not None
    assert variation.decision_note == "Agreed at the quarterly meeting"
    [approved] = audit_of(transaction, allocation, "variation approved")
    assert approved.actor_id == user(transaction, OFFICER).id
    assert (approved.before["2020"], approved.before["2021"]) == (225_000_00, 225_000_00)
    assert (approved.after["2020"], approved.after["2021"]) == (200_000_00, 250_000_00)
    # Money moved between years: the grantee also hears the changed terms wait for acceptance.
    assert [m.subject for m in outbox_to(transaction, LAMBETH_GRANTEE)] == [
        "Your variation has been approved",
        "Changed grant terms to accept",
    ]
    # Shown: the new profile, and the agreed change with what it replaced, on both sides.
    officer_page = officer.get(f"/allocations/{allocation.id}")
    assert "2020-21: £200,000.00" in words(soup_of(officer_page))
    [row] = variation_rows(officer_page)
    assert "Approved" in row
    assert "2020-21: £225,000.00 to £200,000.00" in row
    assert "2021-22: £225,000.00 to £250,000.00" in row
    [grantee_row] = variation_rows(grantee.get(f"/organisation/allocations/{allocation.id}"))
    assert grantee_row == row
    terms = words(soup_of(grantee.get(f"/variations/{variation.id}")).find(id="variation-terms"))
    assert "2020-21 £225,000.00 £200,000.00" in terms


def test_amounts_moved_between_years_must_add_up_to_the_allocation(signed_in, transaction):
    allocation = lambeth_allocation(transaction)

    response = ask_years(signed_in(LAMBETH_GRANTEE), allocation, {2020: "200000", 2021: "200000"})

    assert response.status_code == 200
    assert error_at_top_of_form(response) == (
        "Error: The amounts add up to £400,000.00; they must add up to the allocation, £450,000.00"
    )
    assert variations_of(transaction, allocation) == []
    assert audit_of(transaction, allocation, "variation requested") == []


def test_money_cannot_be_moved_into_a_year_outside_the_grant_dates(signed_in, transaction):
    allocation = short_allocation(transaction)  # ends 31 March 2021

    response = ask_years(signed_in(LAMBETH_GRANTEE), allocation, {2020: "50000", 2021: "10000"})

    assert response.status_code == 200
    assert error_at_top_of_form(response) == "Error: 2021-22 is outside the grant's dates"
    assert variations_of(transaction, allocation) == []


def test_a_reprofile_that_would_push_a_year_over_the_stream_budget_is_refused(
    signed_in, transaction
):
    from tracker.services import allocations as allocation_service

    allocation = lambeth_allocation(transaction)
    # Another award takes all that is left of the stream's 2021-22 budget.
    allocation_service.create_allocation(
        actor(transaction, OFFICER),
        stream=swis(transaction),
        organisation=organisation(transaction, "GB-LAE-BIR"),
        title="Fills 2021-22 (test)",
        amount_pence=2_675_000_00,
        awarded_on=date(2021, 3, 1),
        planned_start=date(2021, 4, 1),
        planned_end=date(2022, 3, 31),
        profile={2021: 2_675_000_00},
    )
    transaction.commit()
    grantee = signed_in(LAMBETH_GRANTEE)
    assert ask_years(grantee, allocation, {2020: "200000", 2021: "250000"}).status_code == 302
    [variation] = variations_of(transaction, allocation)

    response = decide(signed_in(OFFICER), variation, "approve")

    assert response.status_code == 200
    assert error_at_top_of_form(response) == (
        "Error: The amount for 2021-22 must be £225,000.00 or less: that is all that is still "
        "free in the 2021-22 budget"
    )
    assert profile_of(transaction, allocation) == {2020: 225_000_00, 2021: 225_000_00}
    [variation] = variations_of(transaction, allocation)
    assert variation.status == VariationStatus.REQUESTED
    assert audit_of(transaction, allocation, "variation approved") == []


# --- between categories ----------------------------------------------------------------------


def test_a_grantee_moves_money_between_spend_categories(signed_in, transaction):
    allocation = lambeth_allocation(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    split = {"staff": "300000", "delivery": "100000", "overheads": "30000", "capital": "20000"}

    wrong = ask(grantee, allocation, "categories", {**split, "capital": "0", "reason": "Plan"})
    right = ask(grantee, allocation, "categories", {**split, "reason": "A clearer plan"})

    assert wrong.status_code == 200
    assert "they must add up to the allocation, £450,000.00" in error_at_top_of_form(wrong)
    assert right.status_code == 302
    [variation] = variations_of(transaction, allocation)
    assert variation.kind == VariationKind.REPROFILE_CATEGORIES
    assert variation.proposed == {
        "staff": 300_000_00,
        "delivery": 100_000_00,
        "overheads": 30_000_00,
        "capital": 20_000_00,
    }
    assert variation.previous == {}

    assert decide(signed_in(OFFICER), variation, "approve").status_code == 302

    transaction.expire_all()
    categories = {
        row.category: row.amount_pence
        for row in transaction.scalars(
            select(AllocationCategory).where(AllocationCategory.allocation_id == allocation.id)
        )
    }
    assert categories == variation.proposed
    assert profile_of(transaction, allocation) == {2020: 225_000_00, 2021: 225_000_00}


# --- a later end date ------------------------------------------------------------------------


def test_extending_an_active_allocation_sets_up_returns_for_the_new_quarters(
    signed_in, transaction
):
    allocation = short_allocation(transaction)

    def periods() -> list[tuple[date, date]]:
        return list(
            transaction.execute(
                select(MilestoneReturn.period_start, MilestoneReturn.period_end)
                .join(Project, MilestoneReturn.project_id == Project.id)
                .where(Project.allocation_id == allocation.id)
                .order_by(MilestoneReturn.period_start)
            ).tuples()
        )

    assert [start for start, _ in periods()] == [
        date(2020, 7, 1),
        date(2020, 10, 1),
        date(2021, 1, 1),
    ]
    asked = ask_end_date(signed_in(LAMBETH_GRANTEE), allocation, date(2021, 9, 30))
    assert asked.status_code == 302
    [variation] = variations_of(transaction, allocation)
    assert variation.proposed == {"planned_end": "2021-09-30"}
    assert variation.previous == {"planned_end": "2021-03-31"}

    assert decide(signed_in(OFFICER), variation, "approve").status_code == 302

    transaction.expire_all()
    assert transaction.get(Allocation, allocation.id).planned_end == date(2021, 9, 30)
    assert periods() == [
        (date(2020, 7, 1), date(2020, 9, 30)),
        (date(2020, 10, 1), date(2020, 12, 31)),
        (date(2021, 1, 1), date(2021, 3, 31)),
        (date(2021, 4, 1), date(2021, 6, 30)),
        (date(2021, 7, 1), date(2021, 9, 30)),
    ]
    new_due = transaction.scalars(
        select(MilestoneReturn.due_on)
        .join(Project, MilestoneReturn.project_id == Project.id)
        .where(Project.allocation_id == allocation.id)
        .where(MilestoneReturn.period_start >= date(2021, 4, 1))
    ).all()
    assert all(due > date(2021, 6, 30) for due in new_due)
    [approved] = audit_of(transaction, allocation, "variation approved")
    assert approved.before["planned_end"] == "2021-03-31"
    assert approved.after["planned_end"] == "2021-09-30"


@pytest.mark.parametrize(
    ("new_end", "message"),
    [
        (date(2021, 3, 31), "Error: The new end date must be after the current one"),
        (date(2021, 1, 31), "Error: The new end date must be after the current one"),
        (
            date(2022, 4, 1),
            "Error: The new end date must be no later than 31 March 2022, when the stream ends",
        ),
    ],
)
def test_a_new_end_date_is_after_the_current_one_and_within_the_streams_last_year(
    signed_in, transaction, new_end, message
):
    allocation = short_allocation(transaction)

    response = ask_end_date(signed_in(LAMBETH_GRANTEE), allocation, new_end)

    assert response.status_code == 200
    assert error_beside(response, "planned_end") == message
    assert variations_of(transaction, allocation) == []


def test_the_latest_end_the_stream_allows_is_accepted(signed_in, transaction):
    allocation = short_allocation(transaction)

    response = ask_end_date(signed_in(LAMBETH_GRANTEE), allocation, date(2022, 3, 31))

    assert response.status_code == 302
    [variation] = variations_of(transaction, allocation)
    assert variation.proposed == {"planned_end": "2022-03-31"}


# --- refusing --------------------------------------------------------------------------------


def test_refusing_a_variation_needs_a_note_and_changes_nothing(signed_in, transaction):
    allocation = lambeth_allocation(transaction)
    assert (
        ask_years(signed_in(LAMBETH_GRANTEE), allocation, {2020: "0", 2021: "450000"}).status_code
        == 302
    )
    [variation] = variations_of(transaction, allocation)
    officer = signed_in(OFFICER)

    blank = decide(officer, variation, "refuse", "   ")

    assert blank.status_code == 200
    assert error_beside(blank, "note") == "Error: Enter why the variation is refused"
    assert variations_of(transaction, allocation)[0].status == VariationStatus.REQUESTED

    refused = decide(officer, variation, "refuse", "The money must be spent this year")

    assert refused.status_code == 302
    [variation] = variations_of(transaction, allocation)
    assert variation.status == VariationStatus.REFUSED
    assert variation.decision_note == "The money must be spent this year"
    assert variation.decided_by_id == user(transaction, OFFICER).id
    assert profile_of(transaction, allocation) == {2020: 225_000_00, 2021: 225_000_00}
    [event] = audit_of(transaction, allocation, "variation refused")
    assert event.after["note"] == "The money must be spent this year"
    [message] = outbox_to(transaction, LAMBETH_GRANTEE)
    assert message.subject == "Your variation has been refused"
    assert "The money must be spent this year" in message.body
    page = soup_of(signed_in(LAMBETH_GRANTEE).get(f"/variations/{variation.id}"))
    assert words(page.find(id="variation-status")) == "Refused"
    assert "The money must be spent this year" in words(page)


def test_only_a_programme_officer_decides_on_a_variation(signed_in, transaction):
    allocation = lambeth_allocation(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    assert ask_years(grantee, allocation, {2020: "200000", 2021: "250000"}).status_code == 302
    [variation] = variations_of(transaction, allocation)

    by_finance = decide(signed_in(FINANCE), variation, "approve")
    by_grantee = decide(grantee, variation, "approve")

    assert (by_finance.status_code, by_grantee.status_code) == (302, 302)
    [variation] = variations_of(transaction, allocation)
    assert variation.status == VariationStatus.REQUESTED
    assert profile_of(transaction, allocation) == {2020: 225_000_00, 2021: 225_000_00}


def test_a_variation_cannot_be_approved_once_the_allocation_is_withdrawn(signed_in, transaction):
    from tracker.services import allocations as allocation_service

    allocation = lambeth_allocation(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    assert ask_years(grantee, allocation, {2020: "200000", 2021: "250000"}).status_code == 302
    allocation_service.change_status(
        actor(transaction, OFFICER_2),
        allocation,
        "withdraw",
        second_approval_threshold_pence=100_000_00,
        reason="The council withdrew",
    )
    transaction.commit()
    [variation] = variations_of(transaction, allocation)
    officer = signed_in(OFFICER)

    approving = decide(officer, variation, "approve")

    assert approving.status_code == 200
    assert error_at_top_of_form(approving) == (
        "Error: This allocation is withdrawn: it cannot be varied"
    )
    assert profile_of(transaction, allocation) == {2020: 225_000_00, 2021: 225_000_00}
    assert variations_of(transaction, allocation)[0].status == VariationStatus.REQUESTED
    assert decide(officer, variation, "refuse", "The grant was withdrawn").status_code == 302
    assert variations_of(transaction, allocation)[0].status == VariationStatus.REFUSED


# --- one at a time, and the history ----------------------------------------------------------


def test_only_one_variation_can_wait_for_a_decision_at_a_time(signed_in, transaction):
    allocation = short_allocation(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    assert ask_end_date(grantee, allocation, date(2021, 6, 30)).status_code == 302

    second = ask_end_date(grantee, allocation, date(2021, 9, 30))

    assert second.status_code == 200
    assert error_at_top_of_form(second) == (
        "Error: There is already a variation waiting for a decision on this grant"
    )
    assert len(variations_of(transaction, allocation)) == 1

    [first] = variations_of(transaction, allocation)
    assert decide(signed_in(OFFICER), first, "refuse", "Not yet").status_code == 302
    assert ask_end_date(grantee, allocation, date(2021, 9, 30)).status_code == 302
    assert [v.status for v in variations_of(transaction, allocation)] == [
        VariationStatus.REFUSED,
        VariationStatus.REQUESTED,
    ]


def test_the_history_of_what_was_agreed_is_kept_and_shown_on_the_allocation(signed_in, transaction):
    allocation = lambeth_allocation(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    officer = signed_in(OFFICER)
    assert ask_years(grantee, allocation, {2020: "200000", 2021: "250000"}).status_code == 302
    first = variations_of(transaction, allocation)[-1]
    assert decide(officer, first, "approve").status_code == 302
    assert ask_years(grantee, allocation, {2020: "150000", 2021: "300000"}).status_code == 302
    second = variations_of(transaction, allocation)[-1]
    assert decide(officer, second, "refuse", "Too late in the year").status_code == 302
    assert ask_years(grantee, allocation, {2020: "210000", 2021: "240000"}).status_code == 302
    third = variations_of(transaction, allocation)[-1]
    assert decide(officer, third, "approve").status_code == 302

    first, second, third = variations_of(transaction, allocation)
    assert (first.previous, first.proposed) == (
        {"2020": 225_000_00, "2021": 225_000_00},
        {"2020": 200_000_00, "2021": 250_000_00},
    )
    assert (second.status, second.previous, second.proposed) == (
        VariationStatus.REFUSED,
        {"2020": 200_000_00, "2021": 250_000_00},
        {"2020": 150_000_00, "2021": 300_000_00},
    )
    assert (third.previous, third.proposed) == (
        {"2020": 200_000_00, "2021": 250_000_00},
        {"2020": 210_000_00, "2021": 240_000_00},
    )
    assert profile_of(transaction, allocation) == {2020: 210_000_00, 2021: 240_000_00}
    for page in (
        officer.get(f"/allocations/{allocation.id}"),
        grantee.get(f"/organisation/allocations/{allocation.id}"),
    ):
        rows = variation_rows(page)
        assert len(rows) == 3
        assert "Approved" in rows[0] and "2020-21: £225,000.00 to £200,000.00" in rows[0]
        assert "Refused" in rows[1] and "2020-21: £200,000.00 to £150,000.00" in rows[1]
        assert "Approved" in rows[2] and "2021-22: £250,000.00 to £240,000.00" in rows[2]
    history = words(soup_of(officer.get(f"/allocations/{allocation.id}")).find(id="history").parent)
    assert history.count("approved a variation of the allocation") == 2, history
    assert history.count("refused a variation of the allocation") == 1
    assert history.count("asked for a variation of the allocation") == 3
    assert (
        "reprofile years: the profile for 2020-21 from £200,000 to £210,000 and the profile for "
        "2021-22 from £250,000 to £240,000" in history
    )


# --- who may see ----------------------------------------------------------------------------


def test_another_organisations_grantee_cannot_ask_for_or_see_a_variation(signed_in, transaction):
    allocation = lambeth_allocation(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)
    assert ask_years(grantee, allocation, {2020: "1", 2021: "449999"}).status_code == 302
    [variation] = variations_of(transaction, allocation)
    other = signed_in(SOUTHAMPTON_GRANTEE)
    base = f"/organisation/allocations/{allocation.id}"

    responses = [
        other.get(f"{base}/variations/years"),
        other.get(f"{base}/variations/categories"),
        other.get(f"{base}/variations/end-date"),
        other.get(f"/variations/{variation.id}"),
        other.post(
            f"{base}/variations/end-date",
            {"planned_end": ["30", "9", "2021"], "reason": "x"},
            form_page="/organisation",
        ),
        other.post(
            f"/variations/{variation.id}",
            {"decision": "approve"},
            form_page="/organisation",
        ),
    ]

    assert [r.status_code for r in responses] == [404] * 6
    assert (
        transaction.scalar(
            select(func.count(Variation.id)).where(Variation.allocation_id == allocation.id)
        )
        == 1
    )
    assert variations_of(transaction, allocation)[0].status == VariationStatus.REQUESTED
