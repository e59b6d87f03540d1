from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from tracker.access import EVERYONE_SIGNED_IN, public, requires_role
from tracker.data import streams as stream_data
from tracker.extensions import db

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
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/accessibility")
@public
def accessibility():
    return render_template("main/accessibility.html")
