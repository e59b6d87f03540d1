"""The tests' quick sign-in (tests/session_sign_in.py, what the `signed_in` fixture uses outside
the tests about signing in) leaves exactly what the sign-in form leaves: the attempt recorded,
the audit event, the last-sign-in time, a live server-side session, and the same cookie; and it
leaves to the form whoever the form would not sign in in one step."""

from sqlalchemy import func, select

from tests.conftest import FINANCE, OFFICER, Browser, uses_the_sign_in_form
from tests.reading import user_audit_events
from tests.session_sign_in import sign_in_with_a_session
from tracker.models import SignInAttempt, User, UserSession


def traces(session, email: str) -> dict:
    """What signing in leaves in the database for one user."""
    session.expire_all()
    person = session.scalars(select(User).where(User.email == email)).one()
    return {
        "attempts that succeeded": session.scalar(
            select(func.count(SignInAttempt.id)).where(
                SignInAttempt.email == email, SignInAttempt.succeeded.is_(True)
            )
        ),
        "signed in events": len(user_audit_events(session, "signed in", person.id)),
        "live sessions": session.scalar(
            select(func.count(UserSession.id)).where(
                UserSession.user_id == person.id, UserSession.ended_at.is_(None)
            )
        ),
        "last signed in": person.last_signed_in_at,
    }


def cookie_of(visitor: Browser) -> dict:
    with visitor.client.session_transaction() as cookie:
        return dict(cookie)


def is_signed_in(visitor: Browser) -> bool:
    return visitor.get("/home").status_code == 200


def test_the_quick_sign_in_leaves_what_the_sign_in_form_leaves(app, transaction, clock):
    before = traces(transaction, OFFICER)
    through_the_form = Browser(app.test_client())
    assert through_the_form.sign_in(OFFICER).status_code == 302
    after_the_form = traces(transaction, OFFICER)

    clock.advance(minutes=1)
    quick = Browser(app.test_client())
    assert sign_in_with_a_session(app, quick.client, OFFICER)
    after_both = traces(transaction, OFFICER)

    for trace in ("attempts that succeeded", "signed in events", "live sessions"):
        by_form = after_the_form[trace] - before[trace]
        assert by_form == 1, trace
        assert after_both[trace] - after_the_form[trace] == by_form, trace
    assert after_the_form["last signed in"] is not None
    assert after_both["last signed in"] == clock()

    form_cookie, quick_cookie = cookie_of(through_the_form), cookie_of(quick)
    assert set(quick_cookie) == set(form_cookie)
    for same in ("_user_id", "_fresh", "_id"):
        assert quick_cookie[same] == form_cookie[same], same
    assert quick_cookie["sid"] != form_cookie["sid"]

    assert is_signed_in(through_the_form) and is_signed_in(quick)
    assert quick.post("/sign-out", form_page="/home").status_code == 302
    assert not is_signed_in(quick)
    assert is_signed_in(through_the_form)
    assert traces(transaction, OFFICER)["live sessions"] == after_both["live sessions"] - 1


def test_whoever_the_form_would_not_sign_in_at_once_is_left_to_the_form(app, transaction):
    officer = transaction.scalars(select(User).where(User.email == OFFICER)).one()
    officer.totp_secret = "JBSWY3DPEHPK3PXP"  # a second factor: the form asks for a code
    finance = transaction.scalars(select(User).where(User.email == FINANCE)).one()
    finance.active = False
    transaction.flush()
    before = {email: traces(transaction, email) for email in (OFFICER, FINANCE)}
    for email in (OFFICER, FINANCE, "nobody@demo.gov.uk"):
        visitor = Browser(app.test_client())
        assert not sign_in_with_a_session(app, visitor.client, email)
        assert cookie_of(visitor) == {}
        assert not is_signed_in(visitor)
    assert {email: traces(transaction, email) for email in (OFFICER, FINANCE)} == before


def test_the_tests_about_signing_in_use_the_form(request, signed_in):
    assert request.node.get_closest_marker("sign_in_form") is not None
    for module, through_the_form in {
        "test_sign_in": True,
        "test_smoke_sign_in": True,
        "test_sessions": True,
        "test_two_factor": True,
        "test_two_factor_race": True,
        "test_passwords": True,
        "test_sign_in_throttle": True,
        "test_returns": False,
        "test_access": False,
        "test_hostile_forms": False,
    }.items():

        class Item:
            path = request.node.path.with_name(f"{module}.py")

        assert uses_the_sign_in_form(Item) == through_the_form, module
    # Here, then, the fixture signs in through the form: a page and a post, as a person would.
    visitor = signed_in(OFFICER)
    assert is_signed_in(visitor)
