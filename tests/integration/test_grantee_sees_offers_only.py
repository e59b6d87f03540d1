"""A grantee sees an allocation only once it has been offered to them (issue 14 item 9): a draft,
or a draft withdrawn before any offer, is the department's own work; its page is not found."""

from datetime import date

from sqlalchemy import select

from tests.conftest import LAMBETH_GRANTEE, OFFICER, text_of
from tests.factories import actor, make_allocation, make_stream
from tracker.models import Allocation, FundingStream
from tracker.services import allocations as allocation_service

TITLE = "A draft the grantee must not see yet"


def drafted(session) -> Allocation:
    stream = session.scalar(select(FundingStream).where(FundingStream.code == "DRAFTY"))
    made = make_allocation(
        stream or make_stream("DRAFTY", 500_000_00),
        20_000_00,
        title=TITLE,
        dates={
            "awarded_on": date(2020, 8, 3),
            "planned_start": date(2020, 9, 1),
            "planned_end": date(2021, 3, 31),
        },
    )
    session.commit()
    return made


def move(session, allocation: Allocation, action: str, reason: str = "") -> None:
    allocation_service.change_status(
        actor(session, OFFICER),
        allocation,
        action,
        second_approval_threshold_pence=100_000_00,
        reason=reason,
    )
    session.commit()


def test_a_draft_allocation_is_not_found_by_its_grantee_until_it_is_offered(
    signed_in, transaction
):
    made = drafted(transaction)
    grantee = signed_in(LAMBETH_GRANTEE)

    assert grantee.get(f"/organisation/allocations/{made.id}").status_code == 404
    assert TITLE not in text_of(grantee.get("/organisation"))

    move(transaction, made, "offer")

    page = grantee.get(f"/organisation/allocations/{made.id}")
    assert page.status_code == 200
    assert TITLE in text_of(page)
    assert TITLE in text_of(grantee.get("/organisation"))


def test_a_draft_withdrawn_before_any_offer_stays_hidden_but_a_withdrawn_offer_shows(
    signed_in, transaction
):
    never_offered = drafted(transaction)
    move(transaction, never_offered, "withdraw", "Drafted in error")
    offered = drafted(transaction)
    move(transaction, offered, "offer")
    move(transaction, offered, "withdraw", "The organisation declined")
    grantee = signed_in(LAMBETH_GRANTEE)

    assert grantee.get(f"/organisation/allocations/{never_offered.id}").status_code == 404
    assert grantee.get(f"/organisation/allocations/{offered.id}").status_code == 200
