"""Your account: every signed-in user can see it and change their password; civil servants can
set up a second factor here."""

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from tracker.account.forms import ApiTokenForm, ChangePasswordForm
from tracker.data import api_tokens as token_data
from tracker.data import outbox as outbox_data
from tracker.data import sessions as session_data
from tracker.domain.roles import TWO_FACTOR_ROLES
from tracker.domain.statuses import SessionEndReason
from tracker.infrastructure import clock
from tracker.services import api_tokens, audit, sessions, sign_in_throttle, two_factor
from tracker.services import users as user_service
from tracker.services.errors import RuleBroken
from tracker.web import known_browser
from tracker.web.access import EVERYONE_SIGNED_IN, current_actor, requires_role
from tracker.web.forms import CodeForm, TrackerForm
from tracker.web.pages import page_number, show_rule_broken
from tracker.web.session_guard import current_session
from tracker.web.transactions import commits

bp = Blueprint("account", __name__, url_prefix="/account")

# The secret being set up waits in the (signed) session cookie until a right code proves the
# app holds it; the page shows it to the user anyway.
SETTING_UP = "two_factor_secret"


@bp.get("")
@requires_role(*EVERYONE_SIGNED_IN)
def your_account():
    return render_template(
        "account/account.html", offers_two_factor=two_factor.offered_to(current_user)
    )


# A message ends with the address of the page to act on (BASE_URL and a path): the inbox links
# to the path, on this service, whatever BASE_URL says.
_PAGE_AT_END = re.compile(r"(?:https?://[^\s/]+)?(/[A-Za-z0-9/_-]+)\s*$")


def message_link(body: str) -> str | None:
    found = _PAGE_AT_END.search(body or "")
    return found.group(1) if found else None


@bp.get("/messages")
@requires_role(*EVERYONE_SIGNED_IN)
def your_messages():
    """The emails the service has sent you (or will send, when the mail server answers)."""
    return render_template(
        "account/messages.html",
        message_link=message_link,
        messages=outbox_data.messages_to(
            current_user.email,
            page_number(),
            after=request.args.get("after"),
            before=request.args.get("before"),
        ),
    )


JUST_MADE = "new_api_token"  # the token just made, shown once on the next page, then gone


@bp.route("/api-tokens", methods=["GET", "POST"])
@requires_role(*EVERYONE_SIGNED_IN)
@commits
def api_tokens_page():
    """Your personal tokens for the read API: make one (shown once), see when each was last
    used, revoke any."""
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            token, text = api_tokens.create(
                current_actor(), name=form.name.data or "", days=int(form.days.data)
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            session[JUST_MADE] = {"id": token.id, "text": text}
            return redirect(url_for("account.api_tokens_page"))
    new = session.pop(JUST_MADE, None) if request.method == "GET" else None
    return render_template(
        "account/api_tokens.html",
        form=form,
        tokens=token_data.tokens_of(current_user.id),
        new=new,
        now=clock.now(),
    )


@bp.post("/api-tokens/<int:token_id>/revoke")
@requires_role(*EVERYONE_SIGNED_IN)
@commits
def revoke_api_token(token_id: int):
    token = token_data.token_of(current_user.id, token_id)
    if token is None:
        abort(404)
    form = TrackerForm()  # its CSRF token only
    if form.validate_on_submit():
        try:
            api_tokens.revoke(current_actor(), token)
        except RuleBroken as error:
            flash(error.message, "info")
        else:
            flash(f"The token ‘{token.name}’ is revoked: it no longer works")
    return redirect(url_for("account.api_tokens_page"))


@bp.route("/password", methods=["GET", "POST"])
@requires_role(*EVERYONE_SIGNED_IN)
@commits(keep_refusals=True)  # a wrong current password is kept: it counts as a failed sign-in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user_service.change_own_password(
                current_actor(),
                current_password=form.current_password.data,
                new_password=form.new_password.data,
                rules=sign_in_throttle.rules_from(current_app.config),
                now=clock.now(),
                keep=current_session(),
                known_browser=known_browser.known_to(current_user.email),
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("Your password has been changed. You have been signed out everywhere else.")
            return redirect(url_for("account.your_account"))
    return render_template("account/password.html", form=form)


@bp.route("/two-factor", methods=["GET", "POST"])
@requires_role(*TWO_FACTOR_ROLES)
@commits
def set_up_two_factor():
    if current_user.has_two_factor:
        session.pop(SETTING_UP, None)
        flash("Two-factor authentication is already on for your account", "info")
        return redirect(url_for("account.your_account"))
    secret = session.get(SETTING_UP)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[SETTING_UP] = two_factor.new_secret()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            two_factor.turn_on(current_actor(), secret, form.code.data, clock.now())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            session.pop(SETTING_UP, None)
            flash(
                "Two-factor authentication is on. "
                "You will be asked for a code each time you sign in."
            )
            return redirect(url_for("account.your_account"))
    return render_template(
        "account/two_factor.html",
        form=form,
        secret=secret,
        qr_code=two_factor.qr_code_data_uri(secret, current_user.email),
    )


@bp.get("/sessions")
@requires_role(*EVERYONE_SIGNED_IN)
def your_sessions():
    return render_template(
        "account/sessions.html",
        live=session_data.live_sessions_of(current_user.id),
        this_one=current_session(),
    )


@bp.post("/sessions/sign-out-everywhere")
@requires_role(*EVERYONE_SIGNED_IN)
@commits
def sign_out_everywhere():
    """Ends every session of the user, the one in use too."""
    actor = current_actor()
    ended = sessions.end_all(actor.user, SessionEndReason.SIGNED_OUT, clock.now())
    audit.record(actor, "signed out everywhere", actor.user, after={"sessions_ended": ended})
    logout_user()
    session.clear()
    flash("You have been signed out everywhere")
    return redirect(url_for("auth.sign_in"))
