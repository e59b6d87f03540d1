"""Allocations (grant awards): making one, the rules that keep a stream within its budget, the
second-officer rule, moving through the statuses, changing a draft, and the history of it all."""

import pytest
from sqlalchemy import select

from tests.conftest import FINANCE, OFFICER, OFFICER_2, OFFICER_NAME, VIEWER, text_of
from tests.factories import accept_offer, actor, close_grant, organisation, signatory_of, stream
from tests.reading import count, error_beside, history_rows, soup_of, value_of
from tracker.models import (
    Allocation,
    AllocationStatus,
    AllocationYear,
    AuditEvent,
    User,
)
from tracker.services import delivery as delivery_service

# --- helpers -----------------------------------------------------------------------------------


def error_at_top_of_form(response) -> str:
    message = soup_of(response).find(id="form-error")
    return " ".join(message.get_text(" ").split()) if message else ""


def allocation(session, identifier: str) -> Allocation:
    found = session.scalars(select(Allocation).where(Allocation.identifier == identifier)).one()
    session.refresh(found)
    return found


def user_id(session, email: str) -> int:
    return session.scalars(select(User.id).where(User.email == email)).one()


def row_counts(session) -> tuple[int, int, int]:
    return (count(session, Allocation), count(session, AllocationYear), count(session, AuditEvent))


def streams_row(response, code: str) -> dict[str, str]:
    row = soup_of(response).find("tr", attrs={"data-stream": code})
    return {
        cell["data-column"]: " ".join(cell.get_text(" ").split())
        for cell in row.find_all("td", attrs={"data-column": True})
    }


def figure(response, name: str) -> str:
    return soup_of(response).find(id=f"figure-{name}").get_text(strip=True)


def events_for(session, item: Allocation) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "allocation", AuditEvent.object_id == item.id)
            .order_by(AuditEvent.id)
        )
    )


def answers(session, org_id: str = "GB-LAE-LBH", **changes) -> dict:
    given = {
        "organisation": str(organisation(session, org_id).id),
        "title": "Support for children affected by sexual abuse",
        "amount": "£1,250.50",
        "awarded_on": ["3", "8", "2020"],
        "planned_start": ["1", "9", "2020"],
        "planned_end": ["31", "3", "2021"],
        "conditions": "Quarterly returns",
        "identifier": "",
    }
    given.update(changes)
    return given


def new_allocation_url(session, code: str) -> str:
    return f"/streams/{stream(session, code).id}/allocations/new"


def create(browser, session, code: str, **changes) -> Allocation:
    """Make an allocation through the form; returns it as stored."""
    response = browser.post(new_allocation_url(session, code), answers(session, **changes))
    assert response.status_code == 302, text_of(response)[:800]
    allocation_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return session.get(Allocation, allocation_id)


def change_status(browser, item: Allocation, action: str, reason: str = ""):
    return browser.post(f"/allocations/{item.id}/status", {"action": action, "reason": reason})


@pytest.fixture
def officer(signed_in):
    return signed_in(OFFICER)


@pytest.fixture
def officer2(signed_in):
    return signed_in(OFFICER_2)


# --- making an allocation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "pence"),
    [("£1,250.50", 125_050), ("1250.5", 125_050), ("1,250", 125_000), (" £ 1250 ", 125_000)],
)
def test_an_officer_makes_an_allocation_and_the_amount_is_stored_in_pence(
    officer, transaction, typed, pence
):
    made = create(officer, transaction, "CSA-STF", amount=typed)
    assert made.amount_pence == pence
    assert made.status == AllocationStatus.DRAFT
    assert made.stream.code == "CSA-STF"
    assert made.organisation.org_id == "GB-LAE-LBH"
    assert made.identifier.startswith("360G-HHT-CSA-STF-")
    assert made.created_by_id == user_id(transaction, OFFICER)
    assert made.approved_by_id is None
    assert [(row.financial_year, row.amount_pence) for row in made.profile] == [(2020, pence)]
    assert made.awarded_on.isoformat() == "2020-08-03"
    assert (made.planned_start.isoformat(), made.planned_end.isoformat()) == (
        "2020-09-01",
        "2021-03-31",
    )


def test_a_new_allocation_shows_on_its_page_and_in_the_streams_totals(officer, transaction):
    made = create(officer, transaction, "CSA-STF", amount="£1,250.50")
    page = officer.get(f"/allocations/{made.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "The allocation to London Borough of Lambeth has been saved as a draft" in text
    assert "Support for children affected by sexual abuse" in text
    assert "£1,250.50" in text
    assert "2020-21: £1,250.50" in text
    assert "Draft" in text

    csa = stream(transaction, "CSA-STF")
    stream_page = officer.get(f"/streams/{csa.id}")
    assert figure(stream_page, "allocated") == "£1,250.50"
    assert figure(stream_page, "remaining") == "£2,798,749.50"
    listed = " ".join(soup_of(stream_page).find("table", id="allocations").get_text(" ").split())
    assert "London Borough of Lambeth" in listed
    assert "£1,250.50" in listed
    assert streams_row(officer.get("/streams"), "CSA-STF") == {
        "budget": "£2,800,000.00",
        "allocated": "£1,250.50",
        "remaining": "£2,798,749.50",
        "percent": "0.0%",
    }
    # The new-allocation form tells the next officer what is left.
    form_page = officer.get(new_allocation_url(transaction, "CSA-STF"))
    assert "£2,798,749.50 of the" in soup_of(form_page).find(id="still-free").get_text()


def test_making_an_allocation_writes_an_audit_event_shown_on_its_page(officer, transaction):
    made = create(officer, transaction, "CSA-STF", amount="10000")
    [event] = events_for(transaction, made)
    assert event.action == "allocation created"
    assert event.actor.email == OFFICER
    assert event.before is None
    assert event.after["amount_pence"] == 10_000_00
    assert event.after["status"] == "draft"
    assert event.after["profile"] == {"2020": 10_000_00}
    [row] = history_rows(officer.get(f"/allocations/{made.id}"))
    assert row["sentence"].startswith(f"{OFFICER_NAME} created the allocation {made.identifier}")
    assert "the amount £10,000," in row["sentence"]


def test_an_allocation_may_take_exactly_what_is_left(officer, transaction):
    made = create(officer, transaction, "TRF", amount="£400,000.00")
    assert made.amount_pence == 400_000_00
    row = streams_row(officer.get("/streams"), "TRF")
    assert row["remaining"] == "£0.00"
    assert row["percent"] == "100.0%"


def test_an_officer_may_give_a_360giving_identifier_of_their_own(officer, transaction):
    made = create(officer, transaction, "CSA-STF", identifier="360G-HO-CSA-2020-001")
    assert made.identifier == "360G-HO-CSA-2020-001"


# --- the over-commitment rule ------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["£400,000.01", "400001", "£3,700,000"])
def test_an_officer_cannot_allocate_more_than_the_stream_has_left(officer, transaction, amount):
    before = row_counts(transaction)
    given = answers(transaction, amount=amount)
    response = officer.post(new_allocation_url(transaction, "TRF"), given)
    assert response.status_code == 200
    message = error_beside(response, "amount")
    assert "The amount must be £400,000.00 or less" in message
    assert "still free in the Trusted Relationship Fund budget" in message
    assert soup_of(response).title.get_text().startswith("Error: ")
    # The officer's answers are kept.
    assert value_of(response, "amount") == amount
    assert value_of(response, "title") == given["title"]
    assert value_of(response, "organisation") == given["organisation"]
    assert value_of(response, "awarded_on-day") == "3"
    # Nothing saved: no allocation, no profile, no audit event.
    assert row_counts(transaction) == before
    assert streams_row(officer.get("/streams"), "TRF")["allocated"] == "£3,300,000.00"


def test_a_draft_holds_its_money_so_the_next_allocation_is_refused(officer, transaction):
    create(officer, transaction, "TRF", amount="300000")
    before = row_counts(transaction)
    response = officer.post(
        new_allocation_url(transaction, "TRF"), answers(transaction, amount="100000.01")
    )
    assert "The amount must be £100,000.00 or less" in error_beside(response, "amount")
    assert row_counts(transaction) == before


def test_an_allocation_cannot_take_more_than_a_financial_year_has_free(officer, transaction):
    # SWIS: £3,250,000 a year; £575,000 of 2020-21 is allocated, so £2,675,000 is free there,
    # although £5,350,000 is free over the two years.
    before = row_counts(transaction)
    response = officer.post(
        new_allocation_url(transaction, "SWIS"),
        answers(
            transaction,
            amount="2,800,000",
            year_2020="2,675,000.01",
            year_2021="124,999.99",
            planned_start=["1", "9", "2020"],
            planned_end=["31", "3", "2022"],
        ),
    )
    assert response.status_code == 200
    assert (
        "The amount for 2020-21 must be £2,675,000.00 or less: that is all that is still free "
        "in the 2020-21 budget" in error_beside(response, "year_2020")
    )
    assert error_beside(response, "amount") == ""
    assert value_of(response, "year_2020") == "2,675,000.01"
    assert value_of(response, "year_2021") == "124,999.99"
    assert row_counts(transaction) == before


def test_an_allocation_in_one_year_is_checked_against_that_years_budget(officer, transaction):
    before = row_counts(transaction)
    # Within 2020-21 only, with no split given: it all falls in 2020-21.
    response = officer.post(
        new_allocation_url(transaction, "SWIS"), answers(transaction, amount="2,700,000")
    )
    assert "The amount for 2020-21 must be £2,675,000.00 or less" in error_beside(
        response, "year_2020"
    )
    assert row_counts(transaction) == before


def test_an_allocation_split_across_years_within_each_years_budget_is_saved(officer, transaction):
    made = create(
        officer,
        transaction,
        "SWIS",
        amount="2,800,000",
        year_2020="2,675,000",
        year_2021="125,000",
        planned_end=["31", "3", "2022"],
    )
    assert {row.financial_year: row.amount_pence for row in made.profile} == {
        2020: 2_675_000_00,
        2021: 125_000_00,
    }
    years = soup_of(officer.get(f"/streams/{made.stream_id}")).find("table", id="budget-by-year")
    remaining = {
        row.th.get_text(strip=True): row.find_all("td")[-1].get_text(strip=True)
        for row in years.tbody.find_all("tr")
    }
    assert remaining == {"2020-21": "£0.00", "2021-22": "£2,550,000.00"}


def test_the_amounts_for_each_year_must_add_up_to_the_amount(officer, transaction):
    before = row_counts(transaction)
    response = officer.post(
        new_allocation_url(transaction, "SWIS"),
        answers(
            transaction,
            amount="100,000",
            year_2020="50,000",
            year_2021="40,000",
            planned_end=["31", "3", "2022"],
        ),
    )
    assert response.status_code == 200
    assert (
        "The amounts for each year add up to £90,000.00; they must add up to the amount, "
        "£100,000.00" in error_beside(response, "year_2020")
    )
    assert row_counts(transaction) == before


def test_an_allocation_over_two_years_must_say_how_much_falls_in_each(officer, transaction):
    before = row_counts(transaction)
    response = officer.post(
        new_allocation_url(transaction, "SWIS"),
        answers(transaction, amount="100,000", planned_end=["31", "3", "2022"]),
    )
    assert "Enter how much of the amount falls in each financial year" in error_beside(
        response, "year_2020"
    )
    assert row_counts(transaction) == before


def test_a_years_amount_outside_the_planned_dates_is_refused(officer, transaction):
    before = row_counts(transaction)
    response = officer.post(
        new_allocation_url(transaction, "SWIS"),
        answers(transaction, amount="100,000", year_2020="50,000", year_2021="50,000"),
    )
    assert "2021-22 is outside the planned dates" in error_beside(response, "year_2021")
    assert row_counts(transaction) == before


# --- dates and other answers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"planned_start": ["1", "9", "2020"], "planned_end": ["31", "8", "2020"]},
            "planned_end",
            "The planned end date must be the same as or after the start date",
        ),
        ({"awarded_on": ["31", "2", "2020"]}, "awarded_on", "The award date must be a real date"),
        (
            {"planned_start": ["30", "2", "2021"]},
            "planned_start",
            "The planned start date must be a real date",
        ),
        ({"awarded_on": ["", "", ""]}, "awarded_on", "Enter the award date"),
        ({"awarded_on": ["3", "", "2020"]}, "awarded_on", "must include a month"),
        ({"awarded_on": ["3", "8", "20"]}, "awarded_on", "must be 4 digits"),
        ({"awarded_on": ["x", "8", "2020"]}, "awarded_on", "must be a real date"),
        ({"awarded_on": ["²", "8", "2020"]}, "awarded_on", "must be a real date, like 27 3 2021"),
        (
            {"planned_start": ["1", "4", "2019"]},
            "planned_start",
            "The planned start date must fall within the stream's years, 2020-21 to 2020-21",
        ),
        (
            {"planned_end": ["30", "4", "2021"]},
            "planned_end",
            "The planned end date must fall within the stream's years, 2020-21 to 2020-21",
        ),
        ({"amount": ""}, "amount", "Enter the amount"),
        ({"amount": "abc"}, "amount", "Enter the amount in pounds, like 1250.50"),
        ({"amount": "-5"}, "amount", "The amount must be £0 or more"),
        ({"amount": "1.234"}, "amount", "The amount must not have more than 2 decimal places"),
        ({"amount": "1,25"}, "amount", "Enter the amount in pounds"),
        ({"title": ""}, "title", "Enter a title for the allocation"),
        ({"title": "T" * 201}, "title", "The title must be 200 characters or fewer"),
        ({"title": "Bad\x00title"}, "title", "Remove the unusual characters"),
        ({"organisation": ""}, "organisation", "Select the organisation"),
        ({"organisation": "999999"}, "organisation", "Not a valid choice"),
        (
            {"identifier": "HHT-0001"},
            "identifier",
            "Enter a 360Giving identifier that starts with 360G-",
        ),
        (
            {"identifier": "360G-HHT-DEMO-TRF-LBH"},
            "identifier",
            "Another allocation already has this 360Giving identifier",
        ),
    ],
    ids=[
        "end before start",
        "31 February",
        "30 February",
        "no award date",
        "no month",
        "two-digit year",
        "letters in a date",
        "superscript digit in a date",
        "before the stream's years",
        "end after the stream's years",
        "no amount",
        "amount abc",
        "amount -5",
        "amount 1.234",
        "amount 1,25",
        "no title",
        "long title",
        "NUL in title",
        "no organisation",
        "unknown organisation",
        "identifier without 360G-",
        "identifier already used",
    ],
)
def test_an_allocation_with_a_bad_answer_is_refused_beside_the_field_and_nothing_is_saved(
    officer, transaction, changes, field, message
):
    if changes.get("identifier") == "360G-HHT-DEMO-TRF-LBH":
        transaction.scalars(
            select(Allocation).where(Allocation.identifier.like("360G-HHT-DEMO-TRF-%"))
        ).first().identifier = "360G-HHT-DEMO-TRF-LBH"
        transaction.commit()  # a savepoint: a refused form rolls back what is uncommitted
    before = row_counts(transaction)
    response = officer.post(
        new_allocation_url(transaction, "CSA-STF"), answers(transaction, **changes)
    )
    assert response.status_code == 200
    assert message in error_beside(response, field)
    assert row_counts(transaction) == before


# --- the second-officer rule and the statuses --------------------------------------------------


def test_an_allocation_of_100000_or_more_cannot_be_offered_by_the_officer_who_drafted_it(
    officer, officer2, transaction
):
    made = create(officer, transaction, "CSA-STF", amount="£100,000.00")
    page = text_of(officer.get(f"/allocations/{made.id}"))
    assert "an officer who neither drafted it nor set or changed its amount must approve it" in page
    events_before = count(transaction, AuditEvent)

    refused = change_status(officer, made, "offer")
    assert refused.status_code == 200
    assert (
        "must be approved by a second officer, not one who drafted it or set or changed its"
        " amount" in error_beside(refused, "action")
    )
    transaction.refresh(made)
    assert made.status == AllocationStatus.DRAFT
    assert made.approved_by_id is None
    assert count(transaction, AuditEvent) == events_before

    offered = change_status(officer2, made, "offer")
    assert offered.status_code == 302, text_of(offered)[:600]
    transaction.refresh(made)
    assert made.status == AllocationStatus.OFFERED
    assert made.created_by_id == user_id(transaction, OFFICER)
    assert made.approved_by_id == user_id(transaction, OFFICER_2)
    event = events_for(transaction, made)[-1]
    assert event.action == "allocation offered"
    assert event.actor.email == OFFICER_2
    assert event.before["status"] == "draft"
    assert event.after["status"] == "offered"
    assert event.before["approved_by_id"] is None
    assert event.after["approved_by_id"] == event.actor_id


def test_an_allocation_under_100000_can_be_offered_by_the_officer_who_drafted_it(
    officer, transaction
):
    made = create(officer, transaction, "CSA-STF", amount="£99,999.99")
    assert "second officer" not in text_of(officer.get(f"/allocations/{made.id}"))
    response = change_status(officer, made, "offer")
    assert response.status_code == 302, text_of(response)[:600]
    transaction.refresh(made)
    assert made.status == AllocationStatus.OFFERED
    assert "The allocation is now offered" in text_of(officer.get(f"/allocations/{made.id}"))


def test_an_allocation_moves_from_draft_to_offered_accepted_active_and_closed(officer, transaction):
    made = create(officer, transaction, "CSA-STF", amount="50,000")
    delivery_service.add_project(actor(transaction, OFFICER), made, title="Support services")
    transaction.commit()
    for action, status in [
        ("offer", "offered"),
        ("accept", "accepted"),
        ("activate", "active"),
        ("close", "closed"),
    ]:
        if action == "accept":  # the grantee's signatory, on the offer page (test_offers.py)
            accept_offer(made)
            transaction.commit()
        elif action == "close":  # through its final return (test_closure.py)
            close_grant(actor(transaction, OFFICER), made)
            transaction.commit()
        else:
            response = change_status(officer, made, action)
            assert response.status_code == 302, (action, text_of(response)[:600])
        transaction.refresh(made)
        assert made.status.value == status
    signatory = signatory_of(made.organisation_id).name

    page = officer.get(f"/allocations/{made.id}")
    assert "Change status" not in text_of(page)
    assert "Change details" not in text_of(page)
    rows = history_rows(page)
    named = f"the allocation {made.identifier} to {made.organisation.name}"
    assert [row["sentence"].split(":")[0].removesuffix(".") for row in rows[:5]] == [
        f"{OFFICER_NAME} closed {named}",
        f"{signatory} submitted the final return of {named}",
        f"{OFFICER_NAME} activated {named}",
        f"{signatory} accepted {named}",
        f"{OFFICER_NAME} offered {named}",
    ]
    assert rows[5]["sentence"].startswith(f"{OFFICER_NAME} created {named}")
    # The money stays allocated once closed.
    assert streams_row(officer.get("/streams"), "CSA-STF")["allocated"] == "£50,000.00"

    events = [e for e in events_for(transaction, made) if e.action.startswith("allocation ")]
    assert [(e.before or {}).get("status") for e in events] == [
        None,
        "draft",
        "offered",
        "accepted",
        "active",
    ]
    assert [e.after["status"] for e in events] == [
        "draft",
        "offered",
        "accepted",
        "active",
        "closed",
    ]

    # Nothing more can be done with a closed allocation.
    status_page = officer.get(f"/allocations/{made.id}/status")
    assert "Nothing more can be done with this allocation" in text_of(status_page)
    events_before = count(transaction, AuditEvent)
    assert change_status(officer, made, "withdraw", "Too late").status_code == 200
    transaction.refresh(made)
    assert made.status == AllocationStatus.CLOSED
    assert count(transaction, AuditEvent) == events_before


@pytest.mark.parametrize("action", ["accept", "activate", "close", "teleport"])
def test_a_draft_cannot_skip_a_step(officer, transaction, action):
    made = create(officer, transaction, "CSA-STF", amount="5,000")
    events_before = count(transaction, AuditEvent)
    response = change_status(officer, made, action)
    assert response.status_code == 200
    assert error_beside(response, "action")
    transaction.refresh(made)
    assert made.status == AllocationStatus.DRAFT
    assert count(transaction, AuditEvent) == events_before


def test_withdrawing_an_allocation_needs_a_reason(officer, transaction):
    active = allocation(transaction, "360G-HHT-DEMO-TRF-BIR")
    assert active.status == AllocationStatus.ACTIVE
    events_before = count(transaction, AuditEvent)
    for reason in ("", "   "):
        response = change_status(officer, active, "withdraw", reason)
        assert response.status_code == 200
        assert "Enter why the allocation is being withdrawn" in error_beside(response, "reason")
    transaction.refresh(active)
    assert active.status == AllocationStatus.ACTIVE
    assert count(transaction, AuditEvent) == events_before


def test_withdrawing_an_allocation_frees_its_money(officer, transaction):
    active = allocation(transaction, "360G-HHT-DEMO-TRF-BIR")
    trf = stream(transaction, "TRF")
    before = officer.get(f"/streams/{trf.id}")
    assert figure(before, "allocated") == "£3,300,000.00"

    response = change_status(officer, active, "withdraw", "The council has stopped the project")
    assert response.status_code == 302, text_of(response)[:600]
    transaction.refresh(active)
    assert active.status == AllocationStatus.WITHDRAWN

    after = officer.get(f"/streams/{trf.id}")
    assert figure(after, "allocated") == "£3,000,000.00"
    assert figure(after, "remaining") == "£700,000.00"
    assert streams_row(officer.get("/streams"), "TRF")["percent"] == "81.1%"

    event = events_for(transaction, active)[-1]
    assert event.action == "allocation withdrawn"
    assert event.before["status"] == "active"
    assert event.after == {
        "status": "withdrawn",
        "approved_by_id": active.approved_by_id,
        "reason": "The council has stopped the project",
    }
    newest = history_rows(officer.get(f"/allocations/{active.id}"))[0]
    assert newest["sentence"].startswith(f"{OFFICER_NAME} withdrew the allocation")
    assert newest["sentence"].endswith(": reason “The council has stopped the project”.")

    # The money freed can be allocated again: £700,000 now fits where £400,000.01 did not.
    create(officer, transaction, "TRF", amount="700,000")
    assert figure(officer.get(f"/streams/{trf.id}"), "remaining") == "£0.00"


# --- changing a draft --------------------------------------------------------------------------


def test_an_officer_changes_a_draft_and_the_history_shows_before_and_after(officer, transaction):
    made = create(officer, transaction, "CSA-STF", amount="20,000")
    form = officer.get(f"/allocations/{made.id}/edit")
    assert form.status_code == 200
    assert value_of(form, "amount") == "20000.00"
    assert value_of(form, "version") == str(made.version)
    assert value_of(form, "awarded_on-day") in ("3", "03")

    response = officer.post(
        f"/allocations/{made.id}/edit",
        answers(transaction, amount="25,000", title="A better title", version=str(made.version)),
    )
    assert response.status_code == 302, text_of(response)[:800]
    transaction.refresh(made)
    assert made.amount_pence == 25_000_00
    assert made.title == "A better title"
    assert [(row.financial_year, row.amount_pence) for row in made.profile] == [(2020, 25_000_00)]
    event = events_for(transaction, made)[-1]
    assert event.action == "allocation changed"
    assert event.before == {
        "title": "Support for children affected by sexual abuse",
        "amount_pence": 20_000_00,
        "profile": {"2020": 20_000_00},
    }
    assert event.after == {
        "title": "A better title",
        "amount_pence": 25_000_00,
        "profile": {"2020": 25_000_00},
    }
    newest = history_rows(officer.get(f"/allocations/{made.id}"))[0]
    assert newest["sentence"].startswith(f"{OFFICER_NAME} changed the allocation")
    assert "the amount from £20,000 to £25,000" in newest["sentence"]
    assert streams_row(officer.get("/streams"), "CSA-STF")["allocated"] == "£25,000.00"


def test_a_changed_draft_must_still_fit_the_budget(officer, transaction):
    made = create(officer, transaction, "TRF", amount="100,000")
    events_before = count(transaction, AuditEvent)
    response = officer.post(
        f"/allocations/{made.id}/edit",
        answers(transaction, amount="400,000.01", version=str(made.version)),
    )
    assert response.status_code == 200
    # The draft's own £100,000 counts as free when it is being changed.
    assert "The amount must be £400,000.00 or less" in error_beside(response, "amount")
    transaction.refresh(made)
    assert made.amount_pence == 100_000_00
    assert count(transaction, AuditEvent) == events_before


def test_only_a_draft_can_be_changed(officer, transaction):
    offered = allocation(transaction, "360G-HHT-DEMO-SWIS-SKP")
    assert offered.status == AllocationStatus.OFFERED
    page_url = f"/allocations/{offered.id}"
    assert "Change details" not in text_of(officer.get(page_url))
    events_before = count(transaction, AuditEvent)

    # Opening the change page sends the officer back to the allocation, saying why.
    shown = officer.get(f"{page_url}/edit")
    assert shown.status_code == 302
    assert shown.headers["Location"].endswith(page_url)
    assert "only a draft can be changed" in text_of(officer.get(page_url))

    # A change posted anyway (from a page opened while it was a draft) is not applied.
    response = officer.post(
        f"{page_url}/edit",
        answers(
            transaction,
            "GB-LAE-SKP",
            amount="1",
            year_2020="1",
            version=str(offered.version),
        ),
        form_page=page_url,
    )
    assert response.status_code == 302
    assert "only a draft can be changed" in text_of(officer.get(page_url))
    transaction.refresh(offered)
    assert offered.amount_pence == 320_000_00
    assert offered.title == "Social workers in Stockport schools (illustrative)"
    assert offered.status == AllocationStatus.OFFERED
    assert count(transaction, AuditEvent) == events_before


def test_a_change_made_from_a_stale_page_is_refused_with_a_reload_message(
    officer, officer2, transaction
):
    made = create(officer, transaction, "CSA-STF", amount="30,000")
    opened_version = value_of(officer.get(f"/allocations/{made.id}/edit"), "version")

    # Meanwhile the second officer changes it.
    first = officer2.post(
        f"/allocations/{made.id}/edit",
        answers(transaction, amount="31,000", version=opened_version),
    )
    assert first.status_code == 302, text_of(first)[:600]
    events_before = count(transaction, AuditEvent)

    stale = officer.post(
        f"/allocations/{made.id}/edit",
        answers(transaction, amount="45,000", title="Mine", version=opened_version),
    )
    assert stale.status_code == 200
    message = error_at_top_of_form(stale)
    assert "Someone else changed this allocation after you opened it" in message
    assert "Reload the page" in message
    assert value_of(stale, "amount") == "45,000"
    transaction.refresh(made)
    assert made.amount_pence == 31_000_00
    assert made.title == "Support for children affected by sexual abuse"
    assert count(transaction, AuditEvent) == events_before


def test_a_change_without_the_version_is_refused(officer, transaction):
    made = create(officer, transaction, "CSA-STF", amount="30,000")
    response = officer.post(
        f"/allocations/{made.id}/edit", answers(transaction, amount="1", version="")
    )
    assert response.status_code == 200
    assert "Reload the page" in error_at_top_of_form(response)
    transaction.refresh(made)
    assert made.amount_pence == 30_000_00


# --- who may do what ---------------------------------------------------------------------------


def test_finance_can_see_allocations_but_not_make_or_change_them(signed_in, transaction):
    finance = signed_in(FINANCE)
    active = allocation(transaction, "360G-HHT-DEMO-SWIS-LBH")
    listing = finance.get("/allocations")
    assert listing.status_code == 200
    assert "London Borough of Lambeth" in text_of(listing)
    page = finance.get(f"/allocations/{active.id}")
    assert page.status_code == 200
    assert "£450,000.00" in text_of(page)
    assert "Change status" not in text_of(page)
    assert history_rows(page)

    before = row_counts(transaction)
    new_url = new_allocation_url(transaction, "CSA-STF")
    assert finance.get(new_url).status_code == 403
    refused = finance.post(
        new_url, answers(transaction, amount="1,000"), form_page=f"/allocations/{active.id}"
    )
    assert refused.status_code == 403
    for url in (f"/allocations/{active.id}/status", f"/allocations/{active.id}/edit"):
        assert finance.get(url).status_code == 403
        assert (
            finance.post(
                url, {"action": "withdraw", "reason": "x"}, form_page="/allocations"
            ).status_code
            == 403
        )
    transaction.refresh(active)
    assert active.status == AllocationStatus.ACTIVE
    assert row_counts(transaction) == before


def test_the_ministers_office_cannot_open_allocations(signed_in, transaction):
    viewer = signed_in(VIEWER)
    active = allocation(transaction, "360G-HHT-DEMO-SWIS-LBH")
    assert viewer.get("/allocations").status_code == 403
    assert viewer.get(f"/allocations/{active.id}").status_code == 403
    assert viewer.get(new_allocation_url(transaction, "CSA-STF")).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/allocations/999999",
        "/allocations/99999999999999999999",
        "/allocations/99999999999999999999/edit",
        "/streams/999999/allocations/new",
        "/streams/2147483648/allocations/new",
    ],
)
def test_an_allocation_or_stream_that_does_not_exist_is_not_found(officer, url):
    assert officer.get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "stream=99999999999999999999",
        "stream=%C2%B2",
        "stream=-1",
        "page=%C2%B2",
        "page=99999999999999999999",
        "status=%00",
        "status=nonsense",
    ],
)
def test_strange_filters_on_the_allocations_list_never_give_a_server_error(officer, query):
    response = officer.get(f"/allocations?{query}")
    assert response.status_code == 200
    assert "allocation" in soup_of(response).find(id="result-count").get_text()
