from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import login_user, logout_user

from tracker.auth.forms import ForgottenPasswordForm, SignInForm
from tracker.data import users as user_data
from tracker.domain.statuses import SessionEndReason
from tracker.infrastructure import clock
from tracker.services import audit, password_reset, sessions, sign_in_throttle
from tracker.services.auth import MustWait, SignInRefused, finish_sign_in, sign_in_with_code
from tracker.services.auth import sign_in as check_sign_in
from tracker.services.errors import RuleBroken
from tracker.web import known_browser
from tracker.web.access import EVERYONE_SIGNED_IN, current_actor, public, requires_role
from tracker.web.forms import CodeForm, NewPasswordForm
from tracker.web.pages import show_rule_broken
from tracker.web.session_guard import current_session
from tracker.web.transactions import commits

if TYPE_CHECKING:  # annotations only: blueprints never import the models
    from tracker.models import User

bp = Blueprint("auth", __name__)

# Between a right password and a right code: who, since when, and where they were going.
WAITING_FOR_CODE = "waiting_for_code"


def _rules() -> sign_in_throttle.Rules:
    return sign_in_throttle.rules_from(current_app.config)


def too_many_attempts(wait: MustWait, now: datetime, again: str):
    """Answered at once, never by sleeping: when to try again, and where."""
    seconds = max(1, round((wait.until - now).total_seconds())) if wait.until else 60
    page = render_template(
        "auth/too_many_attempts.html",
        try_again=sign_in_throttle.try_again(wait.until, now),
        again=again,
    )
    return page, 429, {"Retry-After": str(seconds)}


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect, and never a control character (a line
    break cannot go in the Location header: it was a 500 after a correct password)."""
    if target and any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return url_for("main.home")
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.home")


def _address() -> str:
    return request.remote_addr or "unknown"


def _start_session(user: User, next_page: str, now: datetime):
    """Signed in: a brand-new session id, whatever the browser sent, and nothing carried over
    from before in the cookie."""
    finish_sign_in(user, _address(), now)
    token = sessions.start(user, now)
    session.clear()
    login_user(user)
    session["sid"] = token
    return known_browser.remember(redirect(next_page), user.email)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@commits(keep_refusals=True)
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        now = clock.now()
        try:
            user = check_sign_in(
                form.email.data,
                form.password.data,
                _address(),
                _rules(),
                now,
                known_browser=known_browser.known_to(form.email.data),
            )
        except MustWait as wait:
            return too_many_attempts(wait, now, request.full_path.rstrip("?"))
        except SignInRefused as refusal:
            form.form_errors.append(refusal.message)
        else:
            next_page = _safe_next(request.args.get("next"))
            # A session this browser still had ends now: it is replaced, never reused.
            sessions.end_token(session.get("sid"), SessionEndReason.REPLACED, now)
            if not user.has_two_factor:
                return _start_session(user, next_page, now)
            session.clear()
            session[WAITING_FOR_CODE] = {
                "user_id": user.id,
                "since": now.isoformat(),
                "next": next_page,
            }
            return redirect(url_for("auth.two_factor"))
    return render_template("auth/sign_in.html", form=form)


def _waiting_user(now: datetime) -> User | None:
    waiting = session.get(WAITING_FOR_CODE)
    if not isinstance(waiting, dict):
        return None
    try:
        since = datetime.fromisoformat(waiting["since"])
    except (KeyError, TypeError, ValueError):
        return None
    if now - since > timedelta(minutes=current_app.config["SIGN_IN_CODE_MINUTES"]):
        return None
    user_id = waiting.get("user_id")
    user = user_data.user_by_id(user_id) if isinstance(user_id, int) else None
    return user if user is not None and user.active and user.has_two_factor else None


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
@public
@commits(keep_refusals=True)
def two_factor():
    """The second step of signing in. Nobody is signed in until the code is right."""
    now = clock.now()
    user = _waiting_user(now)
    if user is None:
        if session.pop(WAITING_FOR_CODE, None) is not None:
            minutes = current_app.config["SIGN_IN_CODE_MINUTES"]
            flash(f"Sign in again: the code must be entered within {minutes} minutes", "info")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            user = sign_in_with_code(
                user,
                form.code.data,
                _address(),
                _rules(),
                now,
                known_browser=known_browser.known_to(user.email),
            )
        except MustWait as wait:
            return too_many_attempts(wait, now, url_for("auth.two_factor"))
        except SignInRefused as refusal:
            form.code.errors.append(refusal.message)
        else:
            next_page = session[WAITING_FOR_CODE].get("next") or url_for("main.home")
            return _start_session(user, _safe_next(next_page), now)
    return render_template("auth/two_factor.html", form=form)


@bp.post("/sign-out")
@requires_role(*EVERYONE_SIGNED_IN)
@commits
def sign_out():
    actor = current_actor()
    live = current_session()
    if live is not None:
        sessions.end(live, SessionEndReason.SIGNED_OUT, clock.now())
    audit.record(actor, "signed out", actor.user)
    logout_user()
    session.clear()
    flash("You have been signed out")
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-in/forgotten-password", methods=["GET", "POST"])
@public
@commits(keep_refusals=True)  # a throttled request still counts
def forgotten_password():
    """The same answer whether or not the address has an account."""
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        now = clock.now()
        try:
            password_reset.request_reset(
                form.email.data,
                _address(),
                now,
                lambda token: url_for("auth.reset_password", token=token, _external=True),
            )
        except MustWait as wait:
            return too_many_attempts(wait, now, url_for("auth.forgotten_password"))
        return redirect(url_for("auth.reset_link_sent"))
    return render_template("auth/forgotten_password.html", form=form)


@bp.get("/sign-in/forgotten-password/sent")
@public
def reset_link_sent():
    return render_template("auth/reset_link_sent.html")


def _link_not_usable():
    return render_template("auth/reset_link_not_usable.html"), 404


@bp.route("/sign-in/reset-password", methods=["GET", "POST"])
@public
@commits(keep_refusals=True)  # the new password is hashed before the chain's lock is taken
def reset_password():
    """The link's token is in the query string: `?token=...`."""
    token = request.args.get("token", "")
    now = clock.now()
    try:
        password_reset.usable_reset(token, now)
    except password_reset.LinkNotUsable:
        return _link_not_usable()
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.reset_password(token, form.new_password.data, _address(), now)
        except password_reset.LinkNotUsable:
            return _link_not_usable()
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            session.clear()
            flash("Your password has been reset. Sign in with your new password.")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)
