"""Signing a test client in without the sign-in form, for the tests that are not about signing in.

The form costs a page (rendered and checked) and a post (a password hash checked) per test.
This writes what a successful sign-in writes, through the same services the sign-in view calls
(the attempt recorded, `finish_sign_in`'s last-sign-in time and audit event, a new server-side
session from `services.sessions.start`), and gives the client the cookie the view would have
given. Nothing in the app changes: no route, no setting, no flag. The sign-in form itself is
proved by the sign-in, session, two-factor, password and throttle tests, which use the form
(see `uses_the_sign_in_form` in tests/conftest.py), and by the browser tests that sign in.

A user the form would not sign in straight away (unknown, deactivated, or with a second factor
to enter) is signed in through the form instead, so the test sees what it always saw."""

import contextlib

from flask import Flask, current_app, g, has_app_context
from flask.testing import FlaskClient

REMOTE_ADDRESS = "127.0.0.1"  # the test client's, as the view would read it


def sign_in_with_a_session(app: Flask, client: FlaskClient, email: str) -> bool:
    """Signs the client in as `email`; False (and nothing done) for a user the form would not
    sign in in one step."""
    from flask_login import login_user

    from tracker.data import sign_in_throttle
    from tracker.data import users as user_data
    from tracker.extensions import db
    from tracker.infrastructure import clock
    from tracker.services import auth, sessions

    # The test's own app context where it has one (the `transaction` fixture's), so the writes
    # go through the test's session; else one of our own.
    with _app_context(app):
        address = client.environ_base.get("REMOTE_ADDR", REMOTE_ADDRESS)
        user = user_data.user_by_email(email.strip().lower())
        if user is None or not user.active or user.has_two_factor:
            return False
        now = clock.now()
        attempt = sign_in_throttle.add_attempt(user.email, address, now)
        sign_in_throttle.mark_succeeded(attempt)
        auth.finish_sign_in(user, address, now)
        token = sessions.start(user, now)
        db.session.commit()
        # What login_user puts in the cookie (the user, fresh, and the browser's identifier
        # that session protection checks), worked out for this client's address and agent.
        with app.test_request_context(environ_base=client.environ_base) as request_context:
            login_user(user)
            signed_in = dict(request_context.session)
            g.pop("_login_user", None)  # g belongs to the app context, which the test keeps
    with client.session_transaction() as cookie:
        cookie.clear()
        cookie.update(signed_in)
        cookie["sid"] = token
    return True


def _app_context(app: Flask):
    if has_app_context() and current_app._get_current_object() is app:
        return contextlib.nullcontext()
    return app.app_context()
