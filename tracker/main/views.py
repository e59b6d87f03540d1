import contextlib

from flask import Blueprint, current_app, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError

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
    return render_template("main/home.html", page=page, totals=page.items if page else [])


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


@bp.get("/accessibility")
@public
def accessibility():
    return render_template("main/accessibility.html")
