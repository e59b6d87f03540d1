"""The fingerprint that proves a refused form stored nothing: it gives the last one again when
nothing can have changed, so it must still see every change (an insert, an update, a delete,
through the ORM or in plain SQL) and every rollback."""

from sqlalchemy import select, text, update

from tests.conftest import OFFICER
from tests.hostile.posting import changed_tables, fingerprint
from tracker.models import Organisation, User


def test_the_fingerprint_sees_inserts_updates_deletes_and_rollbacks(transaction):
    session = transaction
    first = fingerprint(session)
    assert not changed_tables(first, fingerprint(session))

    savepoint = session.begin_nested()
    officer = session.scalars(select(User).where(User.email == OFFICER)).one()
    officer.name = "Renamed by the fingerprint test"
    session.flush()
    assert changed_tables(first, fingerprint(session)) == {"app_user": 1}
    savepoint.rollback()
    assert not changed_tables(first, fingerprint(session))

    savepoint = session.begin_nested()
    session.execute(update(Organisation).values(region="Wales"))
    assert changed_tables(first, fingerprint(session)) == {"organisation": 1}
    savepoint.rollback()

    savepoint = session.begin_nested()
    session.execute(text("DELETE FROM sign_in_attempt"))
    session.execute(
        text(
            "INSERT INTO sign_in_attempt (email, remote_address, attempted_at, succeeded) "
            "VALUES ('someone@example.org', '10.0.0.1', '2020-05-21 09:00:00', :no)"
        ),
        {"no": False},
    )
    assert "sign_in_attempt" in changed_tables(first, fingerprint(session))
    savepoint.rollback()
    assert fingerprint(session) == first


def test_the_fingerprint_leaves_out_what_it_is_told_to(transaction):
    session = transaction
    everything = fingerprint(session)
    without_users = fingerprint(session, frozenset({"app_user"}))
    assert "app_user" in everything and "app_user" not in without_users
    assert set(everything) - set(without_users) == {"app_user"}


def test_a_rollback_to_a_later_savepoint_does_not_hide_an_earlier_change(transaction):
    session = transaction
    first = fingerprint(session)
    outer = session.begin_nested()
    session.execute(update(Organisation).values(region="Wales"))
    changed = fingerprint(session)
    inner = session.begin_nested()
    session.execute(update(Organisation).values(region="Scotland"))
    assert fingerprint(session) != changed
    inner.rollback()
    # Back to the state after the first change: the same fingerprint, and still not the first.
    assert fingerprint(session) == changed
    assert changed_tables(first, fingerprint(session)) == {"organisation": 1}
    outer.rollback()
    assert fingerprint(session) == first
