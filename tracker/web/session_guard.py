"""Every request from a signed-in browser is checked against its server-side session before
the view runs: a session that has ended (signed out, replaced, user deactivated, password
changed) signs the browser out; one idle or too old is ended and the user is sent to sign in
again with a message saying why. Where REQUIRE_TWO_FACTOR is set, a civil servant without a
second factor can reach only the page that sets one up."""

from datetime import timedelta

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import logout_user

from tracker.infrastructure import clock
from tracker.models import TWO_FACTOR_ROLES, SessionEndReason, User
from tracker.services import sessions
from tracker.web.access import PUBLIC, declared_access
from tracker.web.transactions import committed_at_once

# Pages a user who must still set up a second factor may reach.
BEFORE_TWO_FACTOR = {
    "account.set_up_two_factor",
    "auth.sign_out",
    "auth.sign_in",
    "main.accessibility",
    "main.cookies",
    "main.health",
    "main.privacy",
    "static",
}


def limits(config) -> sessions.Limits:
    return sessions.Limits(
        idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        most=timedelta(hours=config["SESSION_MAX_HOURS"]),
        touch_every=timedelta(seconds=config["SESSION_TOUCH_SECONDS"]),
    )


def timed_out_message(reason: SessionEndReason, config) -> str:
    if reason == SessionEndReason.IDLE:
        minutes = config["SESSION_IDLE_MINUTES"]
        return f"You have been signed out because you were inactive for {minutes} minutes"
    hours = config["SESSION_MAX_HOURS"]
    return f"You have been signed out because you have been signed in for {hours} hours"


def init_app(app: Flask) -> None:
    @app.before_request
    def check_session():
        # The health check answers for the database itself: it must not need it to answer.
        if request.endpoint in {"static", "main.health"} or session.get("_user_id") is None:
            return None
        now = clock.now()

        def checked(write: bool) -> sessions.Verdict:
            return sessions.check(
                session.get("sid"),
                session.get("_user_id"),
                now,
                limits(app.config),
                remote_address=request.remote_addr,
                write=write,
            )

        verdict = checked(write=False)
        if verdict.wrote:
            # Once a minute (or when it ends): in a write transaction of its own, where the
            # session is read again, as another request may have touched or ended it since.
            with committed_at_once():
                verdict = checked(write=True)
        if verdict.session is not None:
            g.user_session = verdict.session
            return _two_factor_gate(app, verdict.session.user)
        logout_user()
        session.clear()
        if verdict.reason in {SessionEndReason.IDLE, SessionEndReason.EXPIRED}:
            flash(timed_out_message(verdict.reason, app.config), "info")
            if not _is_public():
                target = request.full_path.rstrip("?") if request.method == "GET" else request.path
                return redirect(url_for("auth.sign_in", next=target))
        return None


def _is_public() -> bool:
    function = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return function is not None and declared_access(function) == PUBLIC


def _two_factor_gate(app: Flask, user: User):
    if (
        app.config["REQUIRE_TWO_FACTOR"]
        and user.role in TWO_FACTOR_ROLES
        and not user.has_two_factor
        and request.endpoint not in BEFORE_TWO_FACTOR
    ):
        return redirect(url_for("account.set_up_two_factor"))
    return None


def current_session():
    """The signed-in request's session row (None when not signed in)."""
    return g.get("user_session")
