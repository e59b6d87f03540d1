"""Real concurrency: officers racing for the last of a budget, on a database that commits.

These tests do not use the rolled-back `transaction` fixture (one connection cannot race with
itself). They run against a fresh database, migrated and seeded, with real threads that each
have their own app context, session and connection, started together by a barrier. They run on
SQLite (where every transaction begins IMMEDIATE, so writers queue) and on PostgreSQL (where an
allocation locks its stream's row before it reads what is left)."""

import re
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import (
    OFFICER,
    OFFICER_2,
    Browser,
    PageCheckingClient,
    build_app,
    csrf_token_from,
    migrate_and_seed,
    text_of,
)
from tests.factories import make_allocation, make_stream
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationStatus,
    AuditEvent,
    FundingStream,
    Organisation,
    User,
)
from tracker.services import allocations as allocation_service
from tracker.services.audit import Actor
from tracker.services.errors import RuleBroken

THREADS = 20
TIMEOUT = 120  # seconds: a thread still running after this is a hang, not a slow test


@pytest.fixture(scope="module")
def racing_app(make_database):
    """The app on its own fresh database: everything here is really committed."""
    app = build_app(
        make_database(),
        # Enough connections for every thread to hold one at once, so they truly contend.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": THREADS + 5},
    )
    app.test_client_class = PageCheckingClient
    migrate_and_seed(app)
    yield app
    with app.app_context():
        db.engine.dispose()


_streams_made = iter(range(1, 10_000))


def new_stream(app, budget_pence: int, *, already_allocated_pence: int = 0) -> int:
    """A one-year stream (2020-21) with the given budget, committed; optionally with part of
    it already allocated. Returns its id."""
    with app.app_context():
        code = f"RACE-{next(_streams_made)}"
        stream = make_stream(code, budget_pence, name=f"Race test stream {code}")
        if already_allocated_pence:
            make_allocation(stream, already_allocated_pence, dates=DATES)
        db.session.commit()
        return stream.id


DATES = {
    "awarded_on": date(2020, 8, 3),
    "planned_start": date(2020, 9, 1),
    "planned_end": date(2021, 3, 31),
}


def actor(email: str) -> Actor:
    return Actor(db.session.scalars(select(User).where(User.email == email)).one(), "test")


def lambeth() -> Organisation:
    return db.session.scalars(select(Organisation).where(Organisation.org_id == "GB-LAE-LBH")).one()


def allocated_to(app, stream_id: int) -> tuple[int, int]:
    """(pence allocated, number of live allocations) as committed, read afresh."""
    with app.app_context():
        live = (Allocation.stream_id == stream_id) & (
            Allocation.status != AllocationStatus.WITHDRAWN
        )
        total = db.session.scalar(
            select(func.coalesce(func.sum(Allocation.amount_pence), 0)).where(live)
        )
        number = db.session.scalar(select(func.count(Allocation.id)).where(live))
        return int(total), int(number)


def run_together(target, arguments: list[tuple]) -> list:
    """Runs target(barrier, *args) in one thread per entry; returns what each returned (or the
    exception it raised), in order. Every thread must finish."""
    barrier = threading.Barrier(len(arguments), timeout=TIMEOUT)
    results: list = [None] * len(arguments)

    def run(index: int, args: tuple) -> None:
        try:
            results[index] = target(barrier, *args)
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            results[index] = error

    threads = [
        threading.Thread(target=run, args=(i, args), daemon=True)
        for i, args in enumerate(arguments)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a racing thread never finished"
    return results


def allocate(barrier, app, stream_id: int, email: str, pence: int) -> str:
    """One officer allocating from a stream, in a thread: its own app context and session.
    Commits if the allocation is made, rolls back if a rule says no."""
    with app.app_context():
        who = actor(email)
        organisation = lambeth()
        stream = db.session.get(FundingStream, stream_id)
        # End the read (on SQLite it holds the write lock from its BEGIN IMMEDIATE) so that
        # every thread reaches the barrier; the race starts with the next statement.
        db.session.commit()
        barrier.wait()
        try:
            allocation_service.create_allocation(
                who,
                stream=stream,
                organisation=organisation,
                title=f"Raced by {email}",
                amount_pence=pence,
                **DATES,
            )
            db.session.commit()
            return "made"
        except RuleBroken as refusal:
            db.session.rollback()
            return f"refused: {refusal.message}"
        except BaseException:
            db.session.rollback()
            raise


# --- (a) two officers, the last of a budget ----------------------------------------------------


@pytest.mark.parametrize("round_", range(5))
def test_two_officers_racing_for_the_last_of_a_budget_cannot_both_win(racing_app, round_):
    # £1,000 budget, £600 already allocated: £400 is left and both ask for all of it.
    stream_id = new_stream(racing_app, 1_000_00, already_allocated_pence=600_00)

    results = run_together(
        allocate,
        [
            (racing_app, stream_id, OFFICER, 400_00),
            (racing_app, stream_id, OFFICER_2, 400_00),
        ],
    )

    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert sorted(r.split(":")[0] for r in results) == ["made", "refused"], results
    [refusal] = [r for r in results if r.startswith("refused")]
    assert "The amount must be £0.00 or less" in refusal
    assert allocated_to(racing_app, stream_id) == (1_000_00, 2)


# --- (b) twenty officers, £10 each from £100 ---------------------------------------------------


def test_twenty_officers_allocating_ten_pounds_each_from_a_hundred_allocate_exactly_a_hundred(
    racing_app,
):
    stream_id = new_stream(racing_app, 100_00)

    results = run_together(
        allocate,
        [(racing_app, stream_id, OFFICER if n % 2 else OFFICER_2, 10_00) for n in range(THREADS)],
    )

    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert results.count("made") == 10, results
    refusals = [r for r in results if r != "made"]
    assert len(refusals) == 10
    assert all("The amount must be £0.00 or less" in r for r in refusals), refusals
    assert allocated_to(racing_app, stream_id) == (100_00, 10)


def test_racing_allocations_of_different_sizes_never_exceed_the_budget(racing_app):
    stream_id = new_stream(racing_app, 100_00)
    amounts = [7_00, 13_00, 25_00, 31_00, 9_99, 40_00, 1_01, 50_00, 3_33, 20_00] * 2

    results = run_together(
        allocate,
        [(racing_app, stream_id, OFFICER, pence) for pence in amounts],
    )

    assert not [r for r in results if isinstance(r, BaseException)], results
    made = [pence for pence, r in zip(amounts, results, strict=True) if r == "made"]
    total, number = allocated_to(racing_app, stream_id)
    assert total == sum(made) <= 100_00
    assert number == len(made)
    # Whatever was refused would not have fitted in what the others left.
    refused = [pence for pence, r in zip(amounts, results, strict=True) if r != "made"]
    assert refused
    assert all(pence > 100_00 - total for pence in refused)


# --- (a) again, through the web pages ----------------------------------------------------------


def signed_in_browser(app, email: str) -> Browser:
    visitor = Browser(app.test_client())
    response = visitor.sign_in(email)
    assert response.status_code == 302, text_of(response)[:400]
    return visitor


def post_when_ready(barrier, visitor: Browser, url: str, data: dict):
    """Post a form whose page (and CSRF token) was fetched beforehand, once all are ready."""
    barrier.wait()
    return visitor.client.post(url, data=data)


@pytest.mark.parametrize("round_", range(3))
def test_two_officers_posting_the_allocation_form_at_once_cannot_overcommit(racing_app, round_):
    stream_id = new_stream(racing_app, 1_000_00, already_allocated_pence=500_00)
    url = f"/streams/{stream_id}/allocations/new"
    with racing_app.app_context():
        organisation_id = str(lambeth().id)
    officers = [signed_in_browser(racing_app, OFFICER), signed_in_browser(racing_app, OFFICER_2)]
    forms = [officer.get(url) for officer in officers]
    assert all(form.status_code == 200 for form in forms)
    # Both pages say £500 is free; one officer asks for £400, the other for £300.
    assert all("£500.00 of the" in text_of(form) for form in forms)

    def answers(form, pounds: str) -> dict:
        return {
            "csrf_token": csrf_token_from(form),
            "organisation": organisation_id,
            "title": f"Raced for £{pounds}",
            "amount": pounds,
            "awarded_on": ["3", "8", "2020"],
            "planned_start": ["1", "9", "2020"],
            "planned_end": ["31", "3", "2021"],
            "conditions": "",
            "identifier": "",
            "version": "",
        }

    responses = run_together(
        post_when_ready,
        [
            (officers[0], url, answers(forms[0], "400")),
            (officers[1], url, answers(forms[1], "300")),
        ],
    )

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    codes = sorted(response.status_code for response in responses)
    assert codes == [200, 302], codes
    won = next(r for r in responses if r.status_code == 302)
    lost = next(r for r in responses if r.status_code == 200)
    winner_asked = 400_00 if won is responses[0] else 300_00
    # The loser is told what the winner left.
    left = 500_00 - winner_asked
    assert f"The amount must be £{left // 100:,}.00 or less" in text_of(lost)
    assert allocated_to(racing_app, stream_id) == (500_00 + winner_asked, 2)


# --- status changes racing on the same allocation ----------------------------------------------


def change_status_when_ready(barrier, app, allocation_id: int, email: str, action: str):
    """An officer moving an allocation on, in a thread. On PostgreSQL both threads read the
    allocation before either writes (a read takes no lock); on SQLite a transaction holds the
    write lock from its start, so the second reads only once the first has committed."""
    with app.app_context():
        reads_first = db.engine.dialect.name != "sqlite"
        if not reads_first:
            barrier.wait()
        who = actor(email)
        allocation = db.session.get(Allocation, allocation_id)
        if reads_first:
            barrier.wait()
        try:
            allocation_service.change_status(
                who,
                allocation,
                action,
                reason="Raced" if action == "withdraw" else "",
                second_approval_threshold_pence=100_000_00,
            )
            db.session.commit()
            return "done"
        except RuleBroken as refusal:
            db.session.rollback()
            return f"refused: {refusal.message}"
        except BaseException:
            db.session.rollback()
            raise


@pytest.mark.parametrize("round_", range(3))
def test_two_officers_approving_one_draft_at_once_one_is_told_not_given_an_error(
    racing_app, round_
):
    stream_id = new_stream(racing_app, 1_000_00, already_allocated_pence=500_00)
    with racing_app.app_context():
        allocation_id = db.session.scalars(
            select(Allocation.id).where(Allocation.stream_id == stream_id)
        ).one()

    results = run_together(
        change_status_when_ready,
        [
            (racing_app, allocation_id, OFFICER_2, "offer"),
            (racing_app, allocation_id, OFFICER, "offer"),
        ],
    )

    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, [repr(e) for e in errors]
    assert sorted(r.split(":")[0] for r in results) == ["done", "refused"], results
    [refusal] = [r for r in results if r.startswith("refused")]
    # Either it read the other's change (SQLite queues them) or it lost the race to write.
    assert (
        "This allocation is offered, so you cannot approve and offer it now" in refusal
        or "Someone else changed this allocation at the same time" in refusal
    ), refusal
    winner = OFFICER_2 if results[0] == "done" else OFFICER
    with racing_app.app_context():
        stored = db.session.get(Allocation, allocation_id)
        assert stored.status == AllocationStatus.OFFERED
        assert stored.approved_by_id == actor(winner).user_id
        offers = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == "allocation",
                AuditEvent.object_id == allocation_id,
                AuditEvent.action == "allocation offered",
            )
        ).all()
        assert [event.actor_id for event in offers] == [stored.approved_by_id]


@pytest.mark.parametrize("round_", range(3))
def test_two_officers_saving_one_draft_at_once_one_is_asked_to_reload(racing_app, round_):
    stream_id = new_stream(racing_app, 1_000_00, already_allocated_pence=100_00)
    with racing_app.app_context():
        allocation = db.session.scalars(
            select(Allocation).where(Allocation.stream_id == stream_id)
        ).one()
        allocation_id, organisation_id = allocation.id, str(allocation.organisation_id)
    url = f"/allocations/{allocation_id}/edit"
    officers = [signed_in_browser(racing_app, OFFICER), signed_in_browser(racing_app, OFFICER_2)]
    forms = [officer.get(url) for officer in officers]
    assert all(form.status_code == 200 for form in forms)

    def answers(form, pounds: str) -> dict:
        return {
            "csrf_token": csrf_token_from(form),
            "version": re.search(r'name="version" type="hidden" value="(\d+)"', form.text)[1],
            "organisation": organisation_id,
            "title": f"Changed to £{pounds}",
            "amount": pounds,
            "awarded_on": ["3", "8", "2020"],
            "planned_start": ["1", "9", "2020"],
            "planned_end": ["31", "3", "2021"],
            "conditions": "",
        }

    responses = run_together(
        post_when_ready,
        [
            (officers[0], url, answers(forms[0], "150")),
            (officers[1], url, answers(forms[1], "250")),
        ],
    )

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(response.status_code for response in responses) == [200, 302]
    won = next(r for r in responses if r.status_code == 302)
    lost = next(r for r in responses if r.status_code == 200)
    assert "Reload the page" in text_of(lost)
    expected = 150_00 if won is responses[0] else 250_00
    assert allocated_to(racing_app, stream_id) == (expected, 1)
    with racing_app.app_context():
        stored = db.session.get(Allocation, allocation_id)
        assert stored.title == f"Changed to £{expected // 100}"
        assert stored.version == 2
