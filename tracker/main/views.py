import contextlib
from datetime import date

from flask import Blueprint, current_app, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError

from tracker.data import queues as queue_data
from tracker.data import streams as stream_data
from tracker.extensions import db, login_manager
from tracker.web.access import EVERYONE_SIGNED_IN, public, requires_role
from tracker.web.outage import RETRY_AFTER_SECONDS, database_unavailable

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return render_template("main/index.html")


@bp.get("/home")
@requires_role(*EVERYONE_SIGNED_IN)
def home():
    if current_user.role.is_grantee and "grantee.overview" in current_app.view_functions:
        return redirect(url_for("grantee.overview"))
    page = stream_data.stream_totals(1) if not current_user.role.is_grantee else None
    queues = queue_data.queues_for(
        current_user,
        date.today(),
        threshold_pence=current_app.config["SECOND_APPROVAL_THRESHOLD_PENCE"],
    )
    return render_template(
        "main/home.html", page=page, totals=page.items if page else [], queues=queues
    )


@bp.get("/health")
@public
def health():
    """For the load balancer: 200 when the database answers, 503 when it is unavailable (so
    this machine is taken out of service until it is back)."""
    try:
        db.session.execute(text("SELECT 1"))
    except (OperationalError, InterfaceError) as error:
        if not database_unavailable(error):
            raise
        with contextlib.suppress(OperationalError, InterfaceError):
            db.session.rollback()
        # The response's headers depend on whether someone is signed in; loading them would
        # need the database, so answer as if no one were.
        g._login_user = login_manager.anonymous_user()
        return (
            {"status": "unavailable", "database": "unavailable"},
            503,
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return {"status": "ok"}


# When the public-information pages were written and last checked against the service. Change
# these when a page is reviewed (GOV.UK's model accessibility statement asks for both dates).
STATEMENT_PREPARED = date(2026, 12, 4)
STATEMENT_REVIEWED = date(2026, 12, 4)


def _information_page(template: str):
    config = current_app.config
    return render_template(
        template,
        department=config["THREE_SIXTY_GIVING_PUBLISHER_NAME"],
        contact_email=config.get("SERVICE_CONTACT_EMAIL", ""),
        prepared_on=STATEMENT_PREPARED,
        reviewed_on=STATEMENT_REVIEWED,
        idle_minutes=config["SESSION_IDLE_MINUTES"],
        max_hours=config["SESSION_MAX_HOURS"],
    )


@bp.get("/accessibility")
@public
def accessibility():
    return _information_page("main/accessibility.html")


@bp.get("/favicon.ico")
@public
def favicon():
    """Where browsers look for an icon when a document names none (a JSON document opened in
    a tab, say): GOV.UK's, rather than a 404 for every such look."""
    return redirect(url_for("static", filename="images/favicon.ico"))


@bp.get("/privacy")
@public
def privacy():
    return _information_page("main/privacy.html")


@bp.get("/cookies")
@public
def cookies():
    return _information_page("main/cookies.html")
