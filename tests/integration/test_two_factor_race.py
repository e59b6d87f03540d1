"""One code, many requests at once: exactly one is accepted. Real threads, each with its own
app context and connection, on a fresh database that really commits (the rolled-back
`transaction` fixture cannot race with itself), started together by a barrier."""

import threading

import pytest
from sqlalchemy import select

from tests.conftest import OFFICER, PageCheckingClient, build_app, migrate_and_seed
from tracker.extensions import db
from tracker.models import User
from tracker.models.base import utcnow
from tracker.services import two_factor
from tracker.services.errors import RuleBroken

THREADS = 12
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(scope="module")
def racing_app(make_database):
    app = build_app(
        make_database(),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": THREADS + 5},
    )
    app.test_client_class = PageCheckingClient
    migrate_and_seed(app)
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.email == OFFICER))
        officer.totp_secret = SECRET
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_code_sent_by_many_requests_at_once_is_accepted_once(racing_app, reliability):
    now = utcnow()
    code = two_factor.code_at(SECRET, now)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        with racing_app.app_context():
            officer = db.session.scalar(select(User).where(User.email == OFFICER))
            # End the read before waiting: on SQLite it holds the write lock (BEGIN IMMEDIATE).
            db.session.commit()
            barrier.wait(timeout=60)
            try:
                two_factor.accept_code(officer, code, now)
                db.session.commit()
                outcome = "accepted"
            except RuleBroken as refusal:
                db.session.rollback()
                outcome = refusal.message
            finally:
                db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert outcomes.count("accepted") == 1, outcomes
    assert outcomes.count(two_factor.USED_CODE) == THREADS - 1, outcomes
    reliability.record("sessions and passwords", "requests racing with one code", THREADS)
    reliability.record("sessions and passwords", "of them accepted", outcomes.count("accepted"))
