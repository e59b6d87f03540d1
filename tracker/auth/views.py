import secrets
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

from tracker.access import EVERYONE_SIGNED_IN, current_actor, public, requires_role
from tracker.auth.forms import SignInForm
from tracker.services import audit
from tracker.services.auth import SignInRefused, Throttle
from tracker.services.auth import sign_in as check_sign_in
from tracker.transactions import commits

bp = Blueprint("auth", __name__)


def _throttle() -> Throttle:
    config = current_app.config
    return Throttle(
        window_minutes=config["SIGN_IN_WINDOW_MINUTES"],
        slow_after=config["SIGN_IN_SLOW_AFTER"],
        slowdown_seconds=config["SIGN_IN_SLOWDOWN_SECONDS"],
        max_per_account=config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"],
        max_per_address=config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"],
    )


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


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@commits(keep_refusals=True)
def sign_in():
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = check_sign_in(
                form.email.data, form.password.data, request.remote_addr or "unknown", _throttle()
            )
        except SignInRefused as refusal:
            form.form_errors.append(refusal.message)
            status = 429 if refusal.throttled else 200
        else:
            next_page = _safe_next(request.args.get("next"))
            session.clear()  # a new session at sign-in: nothing carried over from before
            login_user(user)
            session["sid"] = secrets.token_urlsafe(16)
            return redirect(next_page)
    return render_template("auth/sign_in.html", form=form), status


@bp.post("/sign-out")
@requires_role(*EVERYONE_SIGNED_IN)
@commits
def sign_out():
    actor = current_actor()
    audit.record(actor, "signed out", actor.user)
    logout_user()
    session.clear()
    flash("You have been signed out")
    return redirect(url_for("auth.sign_in"))
