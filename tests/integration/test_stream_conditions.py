"""Each stream's standard conditions of grant, as versioned text set on its own page: offers made
from then on carry the latest version, an offer made before keeps what it was made with, and
every version stays readable. A stream with none carries the department's."""

import pytest
from sqlalchemy import select

from tests.conftest import OFFICER, OFFICER_2, text_of
from tests.factories import actor, allocation, make_allocation, move_on, stream
from tests.integration.test_streams import events_for
from tests.reading import count, error_beside, soup_of
from tracker.domain.conditions import STANDARD_CONDITIONS
from tracker.models import AuditEvent, GrantOffer, StreamConditions
from tracker.services import offers as offer_service

STOCKPORT_SWIS = "360G-HHT-DEMO-SWIS-SKP"  # seeded as offered, before any stream conditions
NEW = "Grantees share their safeguarding policy before the first payment.\n\nAnd keep it current."


def versions(session, stream_id: int) -> list[StreamConditions]:
    return list(
        session.scalars(
            select(StreamConditions)
            .where(StreamConditions.stream_id == stream_id)
            .order_by(StreamConditions.version)
        )
    )


def test_a_stream_without_its_own_offers_the_departments_and_the_form_starts_with_them(
    signed_in, transaction
):
    officer = signed_in(OFFICER)
    swis = stream(transaction, "SWIS").id
    page = officer.get(f"/streams/{swis}/conditions")
    assert "has no standard conditions of its own" in text_of(page)
    text = soup_of(page).find(id="conditions").get_text()
    assert text.strip().splitlines() == STANDARD_CONDITIONS[1]
    assert "The department's (version 1)" in text_of(officer.get(f"/streams/{swis}"))


def test_saving_makes_a_new_version_that_new_offers_carry_and_old_offers_never_see(
    signed_in, transaction
):
    swis = stream(transaction, "SWIS")
    stockport = allocation(transaction, STOCKPORT_SWIS)
    (old_offer,) = transaction.scalars(
        select(GrantOffer).where(GrantOffer.allocation_id == stockport.id)
    ).all()
    old_sha = old_offer.terms_sha256

    officer = signed_in(OFFICER)
    response = officer.post(f"/streams/{swis.id}/conditions", {"conditions": NEW})
    assert response.status_code == 302
    (made,) = versions(transaction, swis.id)
    assert made.version == 1
    assert made.conditions == [
        "Grantees share their safeguarding policy before the first payment.",
        "And keep it current.",
    ]
    (event,) = [
        e
        for e in events_for(transaction, "funding_stream", swis.id)
        if e.action == "stream conditions changed"
    ]
    assert event.actor.email == OFFICER
    assert event.before["conditions"]["of"] == "department"
    assert event.after["conditions"]["text"] == made.conditions
    assert "Version 1 of the stream's own" in text_of(officer.get(f"/streams/{swis.id}"))

    # An offer made now carries them; the offer made before keeps its own, to the byte.
    grant = make_allocation(swis, 50_000_00, title="Offered after the change")
    move_on(actor(transaction, OFFICER_2), grant, ["offer"])
    offer = transaction.scalars(
        select(GrantOffer).where(GrantOffer.allocation_id == grant.id)
    ).one()
    assert offer.terms["standard_conditions"] == {
        "of": "stream",
        "version": 1,
        "text": made.conditions,
    }
    transaction.refresh(old_offer)
    assert old_offer.terms_sha256 == old_sha == offer_service.digest(old_offer.terms)
    assert old_offer.terms["standard_conditions"]["text"] == STANDARD_CONDITIONS[1]
    transaction.commit()
    letter = text_of(officer.get(f"/allocations/{grant.id}/offer"))
    assert "The stream's standard conditions (version 1)" in letter
    assert "safeguarding policy" in letter

    # The same text again makes no version; a change makes version 2, and both stay readable.
    officer.post(f"/streams/{swis.id}/conditions", {"conditions": NEW})
    assert len(versions(transaction, swis.id)) == 1
    officer.post(f"/streams/{swis.id}/conditions", {"conditions": NEW + "\nA third."})
    assert [v.version for v in versions(transaction, swis.id)] == [1, 2]
    page = text_of(officer.get(f"/streams/{swis.id}/conditions"))
    assert "version 2 of its standard conditions" in page
    assert "Version 1, saved" in page and "Version 2, saved" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter at least one condition"),
        ("  \n \n", "Enter at least one condition"),
        ("\n".join(f"Condition {n}" for n in range(51)), "Enter 50 conditions or fewer"),
        ("x" * 1_001, "Each condition must be 1,000 characters or fewer"),
    ],
    ids=["empty", "blank-lines", "51-conditions", "1001-characters"],
)
def test_conditions_that_cannot_be_saved_are_refused_beside_the_field(
    signed_in, transaction, typed, message
):
    swis = stream(transaction, "SWIS")
    officer = signed_in(OFFICER)
    events_before = count(transaction, AuditEvent)
    response = officer.post(f"/streams/{swis.id}/conditions", {"conditions": typed})
    assert response.status_code == 200
    assert message in error_beside(response, "conditions")
    if typed.strip():
        assert soup_of(response).find(id="conditions").get_text().strip() == typed.strip()
    assert versions(transaction, swis.id) == []
    assert count(transaction, AuditEvent) == events_before
