"""Real parallel clients over HTTP (issue 6, part 4): the app under gunicorn with several sync
workers (separate processes, each with its own connections), and one httpx client per person,
each signed in through the sign-in page with its own cookies, all released at once by a barrier.

- officers racing for the last £100,000 of a stream: over-commitments must be 0;
- grantees submitting at once (each double-clicking): lost submissions must be 0, and no return
  is submitted twice;
- finance officers double-clicking "approve" and "mark as paid", and two finance officers
  approving the same payment at once: duplicate payments must be 0.

On PostgreSQL with the issue's numbers; on SQLite (where writers queue) with fewer clients."""

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import FINANCE
from tests.live import counts
from tests.live.cast import (
    add_users,
    grantees_with_drafted_returns,
    new_stream,
    requested_payments,
    returns_awaiting_sign_off,
)
from tests.live.clients import (
    WebClient,
    csrf_token,
    hidden_value,
    in_parallel,
    page_text,
    run_together,
)
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AllocationStatus,
    MilestoneReturn,
    Organisation,
    Payment,
    PaymentStatus,
    ReturnReview,
    ReturnStatus,
    ReviewDecision,
    Role,
)

FINANCE_2 = "finance2@race.test.gov.uk"
PAYER = "finance3@race.test.gov.uk"
SIZES = {
    "postgresql": {"officers": 50, "grantees": 200, "certifiers": 40, "payments": 20},
    "sqlite": {"officers": 15, "grantees": 20, "certifiers": 10, "payments": 4},
}


@dataclass
class Live:
    app: object
    url: str
    officers: list[str]
    drafted: list[tuple[str, int]]
    waiting: list[tuple[str, int]]
    payments: list[int]


@pytest.fixture(scope="module")
def live(fresh_app, serve, db_kind):
    size = SIZES[db_kind]
    with fresh_app.app_context():
        officers = [f"officer{n}@race.test.gov.uk" for n in range(size["officers"])]
        add_users(Role.OFFICER, officers)
        add_users(Role.FINANCE, [FINANCE_2, PAYER])
        drafted = grantees_with_drafted_returns(size["grantees"])
        waiting = returns_awaiting_sign_off(size["certifiers"])
        payments = requested_payments(size["payments"])
    server = serve(fresh_app, workers=4)
    return Live(fresh_app, server.url, officers, drafted, waiting, payments)


def signed_in(live: Live, emails: list[str]) -> list[WebClient]:
    def sign_in(email: str) -> WebClient:
        client = WebClient(live.url, email)
        client.sign_in()
        return client

    return in_parallel(sign_in, [(email,) for email in emails])


def close_all(clients) -> None:
    for client in clients:
        client.close()


# --- officers racing for the last £100,000 -----------------------------------------------------


def allocation_answers(form, organisation_id: int, pounds: str, n: int) -> dict:
    return {
        "csrf_token": csrf_token(form),
        "organisation": str(organisation_id),
        "title": f"Raced for £{pounds} by officer {n}",
        "amount": pounds,
        "awarded_on": ["15", "6", "2020"],
        "planned_start": ["1", "7", "2020"],
        "planned_end": ["30", "9", "2020"],
        "conditions": "",
        "identifier": "",
        "version": "",
    }


def live_allocations(stream_id: int) -> tuple[int, int]:
    rows = db.session.scalars(
        select(Allocation).where(
            Allocation.stream_id == stream_id, Allocation.status != AllocationStatus.WITHDRAWN
        )
    ).all()
    return sum(a.amount_pence for a in rows), len(rows)


@pytest.mark.parametrize(
    ("ask_pounds", "winners"),
    [("10000", 10), ("100000", 1)],
    ids=["each-asks-10000", "each-asks-100000"],
)
def test_officers_racing_for_the_last_100000_of_a_stream_never_over_commit_it(
    live, reliability, db_kind, ask_pounds, winners
):
    code = f"LIVE-RACE-{ask_pounds}"
    with live.app.app_context():
        # £1,000,000 budget with £900,000 already allocated: exactly £100,000 is left.
        stream_id = new_stream(code, 1_000_000_00, already_allocated_pence=900_000_00)
        lambeth = db.session.scalars(
            select(Organisation.id).where(Organisation.org_id == "GB-LAE-LBH")
        ).one()
    url = f"/streams/{stream_id}/allocations/new"
    officers = signed_in(live, live.officers)
    try:
        forms = in_parallel(lambda client: client.get(url), [(c,) for c in officers])
        assert all("£100,000.00 of the" in page_text(form) for form in forms)
        answers = [allocation_answers(form, lambeth, ask_pounds, n) for n, form in enumerate(forms)]

        responses = run_together(
            lambda client, data: client.post(url, data),
            list(zip(officers, answers, strict=True)),
        )
    finally:
        close_all(officers)

    errors = [r for r in responses if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    made = [r for r in responses if r.status_code == 302]
    refused = [r for r in responses if r.status_code != 302]
    assert len(made) == winners
    assert {r.status_code for r in refused} == {200}
    for response in refused:
        text = page_text(response)
        assert "There is a problem" in text
        assert (
            f"The amount must be £0.00 or less: that is all that is still free in the "
            f"Live test stream {code} budget" in text
        )
    with live.app.app_context():
        assert live_allocations(stream_id) == (1_000_000_00, 1 + winners)
        over = counts.over_commitments()
    assert over == 0
    reliability.record(
        "concurrency", f"officers racing for the last £100,000 (£{ask_pounds} each)", len(officers)
    )
    reliability.record("concurrency", "over-commitments", over)


# --- grantees submitting at once ---------------------------------------------------------------


def test_grantees_submitting_at_once_each_double_clicking_lose_nothing_and_submit_once(
    live, reliability
):
    emails = [email for email, _ in live.drafted]
    return_ids = [return_id for _, return_id in live.drafted]
    grantees = signed_in(live, emails)
    prepared = []
    try:

        def prepare(client: WebClient, return_id: int):
            page = client.get(f"/returns/{return_id}/check-answers")
            assert page.status_code == 200, page_text(page)[:300]
            data = {
                "csrf_token": csrf_token(page),
                "version": hidden_value(page, "version"),
                "declared_by_name": f"Declared by {client.email}",
                "confirm": "y",
            }
            return client, client.twin(), f"/returns/{return_id}/check-answers", data

        prepared = in_parallel(prepare, list(zip(grantees, return_ids, strict=True)))
        posts = [(c, url, data) for c, _, url, data in prepared] + [
            (twin, url, data) for _, twin, url, data in prepared
        ]
        responses = run_together(lambda client, url, data: client.post(url, data), posts)
    finally:
        close_all(grantees)
        close_all(twin for _, twin, _, _ in prepared)

    errors = [r for r in responses if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    first, second = responses[: len(return_ids)], responses[len(return_ids) :]
    for one, other in zip(first, second, strict=True):
        # One click submits; the other finds it submitted (a redirect to the return) or, having
        # read it before the first committed, is asked to reload: never a second submission.
        codes = sorted([one.status_code, other.status_code])
        assert codes in ([200, 302], [302, 302]), codes
        for response in (one, other):
            if response.status_code == 200:
                assert "Someone else saved this return after you opened it" in page_text(response)
    with live.app.app_context():
        lost = counts.lost_submissions(return_ids)
        twice = counts.returns_submitted_more_than_once(return_ids)
        submitted = counts.events_per_object("return submitted", "milestone_return", return_ids)
        statuses = set(
            db.session.scalars(
                select(MilestoneReturn.status).where(MilestoneReturn.id.in_(return_ids))
            )
        )
    assert lost == 0
    assert twice == 0
    assert set(submitted.values()) == {1}
    assert statuses == {ReturnStatus.SUBMITTED}
    reliability.record(
        "concurrency", "grantees submitting at once (each clicking twice)", len(return_ids)
    )
    reliability.record("concurrency", "lost submissions", lost)
    reliability.record("concurrency", "returns submitted twice", twice)


def test_certifiers_signing_off_at_once_each_double_clicking_sign_off_once(live, reliability):
    emails = [email for email, _ in live.waiting]
    return_ids = [return_id for _, return_id in live.waiting]
    certifiers = signed_in(live, emails)
    prepared = []
    try:

        def prepare(client: WebClient, return_id: int):
            url = f"/returns/{return_id}/sign-off"
            page = client.get(url)
            assert page.status_code == 200, page_text(page)[:300]
            data = {
                "csrf_token": csrf_token(page),
                "version": hidden_value(page, "version"),
                "decision": "sign-off",
                "reason": "",
            }
            return client, client.twin(), url, data

        prepared = in_parallel(prepare, list(zip(certifiers, return_ids, strict=True)))
        posts = [(c, url, data) for c, _, url, data in prepared] + [
            (twin, url, data) for _, twin, url, data in prepared
        ]
        responses = run_together(lambda client, url, data: client.post(url, data), posts)
    finally:
        close_all(certifiers)
        close_all(twin for _, twin, _, _ in prepared)

    assert not [r for r in responses if isinstance(r, BaseException)]
    half = len(return_ids)
    for one, other in zip(responses[:half], responses[half:], strict=True):
        codes = sorted([one.status_code, other.status_code])
        assert codes in ([200, 302], [302, 302]), codes
        for response in (one, other):
            if response.status_code == 200:
                assert "Someone else saved this return after you opened it" in page_text(response)
    with live.app.app_context():
        lost = counts.lost_submissions(return_ids)
        signed = counts.events_per_object("return signed off", "milestone_return", return_ids)
        reviews = dict(
            db.session.execute(
                select(ReturnReview.return_id, func.count(ReturnReview.id))
                .where(
                    ReturnReview.return_id.in_(return_ids),
                    ReturnReview.decision == ReviewDecision.SIGNED_OFF,
                )
                .group_by(ReturnReview.return_id)
            ).all()
        )
    assert lost == 0
    assert set(signed.values()) == {1}
    assert reviews == {return_id: 1 for return_id in return_ids}
    twice = sum(1 for n in signed.values() if n > 1)
    reliability.record(
        "concurrency", "certifiers signing off at once (each clicking twice)", len(return_ids)
    )
    reliability.record("concurrency", "lost submissions", lost)
    reliability.record("concurrency", "returns submitted twice", twice)


# --- double-clicked payment approvals --------------------------------------------------------


def test_double_clicked_and_doubly_approved_payments_are_approved_and_paid_once(live, reliability):
    # Requester, approver and payer are three people: a third finance officer records the payments.
    finance, finance_2, payer = signed_in(live, [FINANCE, FINANCE_2, PAYER])
    twins = []
    try:
        half = len(live.payments) // 2
        posts = []
        for n, payment_id in enumerate(live.payments):
            page = finance.get(f"/payments/{payment_id}/approve")
            data = {"csrf_token": csrf_token(page), "version": hidden_value(page, "version")}
            url = f"/payments/{payment_id}/approve"
            if n < half:  # the same finance officer double-clicks
                twin = finance.twin()
                twins.append(twin)
                posts += [(finance, url, data), (twin, url, data)]
            else:  # two finance officers approve it at the same moment
                other = finance_2.get(f"/payments/{payment_id}/approve")
                other_data = {"csrf_token": csrf_token(other), "version": data["version"]}
                posts += [(finance, url, data), (finance_2, url, other_data)]

        approvals = run_together(lambda client, url, data: client.post(url, data), posts)

        today = date.today()
        paid_posts = []
        for n, payment_id in enumerate(live.payments):
            page = payer.get(f"/payments/{payment_id}/paid")
            data = {
                "csrf_token": csrf_token(page),
                "version": hidden_value(page, "version"),
                "paid_on": [str(today.day), str(today.month), str(today.year)],
                "reference": f"BACS-{n:04d}",
                "confirmed": "yes",
            }
            twin = payer.twin()
            twins.append(twin)
            url = f"/payments/{payment_id}/paid"
            paid_posts += [(payer, url, data), (twin, url, data)]

        payments = run_together(lambda client, url, data: client.post(url, data), paid_posts)
    finally:
        close_all([finance, finance_2, payer, *twins])

    assert not [r for r in approvals + payments if isinstance(r, BaseException)]
    # The approve button always answers with the payment's page, saying what happened.
    assert {r.status_code for r in approvals} == {302}
    for one, other in zip(payments[::2], payments[1::2], strict=True):
        assert sorted([one.status_code, other.status_code]) == [200, 302]
        refused = page_text(one if one.status_code == 200 else other)
        assert (
            "This payment has already been paid: nothing was changed" in refused
            or "This payment changed after you opened it. Reload the page." in refused
        ), refused[:400]
    ids = live.payments
    with live.app.app_context():
        duplicates = counts.duplicate_payments()
        approved_twice = counts.recorded_twice("payment approved", ids)
        paid_twice = counts.recorded_twice("payment paid", ids)
        approved = counts.events_per_object("payment approved", "payment", ids)
        paid = counts.events_per_object("payment paid", "payment", ids)
        stored = db.session.scalars(select(Payment).where(Payment.id.in_(ids))).all()
        references = sorted(p.payment_reference for p in stored)
        assert {p.status for p in stored} == {PaymentStatus.PAID}
        assert {p.version for p in stored} == {3}  # requested -> approved -> paid, once each
    assert set(approved.values()) == {1}
    assert set(paid.values()) == {1}
    assert references == [f"BACS-{n:04d}" for n in range(len(ids))]
    assert duplicates == approved_twice == paid_twice == 0
    reliability.record("concurrency", "payments double-approved and double-paid at once", len(ids))
    reliability.record(
        "concurrency", "duplicate payments", duplicates + approved_twice + paid_twice
    )
