"""Jinja filters for money, dates and periods, and the navigation every page shares."""

import re
from datetime import date, datetime

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from tracker.domain.money import format_input, format_pounds, percentage
from tracker.domain.periods import FinancialYear
from tracker.services import audit_sentences
from tracker.web.forms import error_summary


def govuk_date(value: date | datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # an ISO date kept in JSON (a variation's end date)
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"


# The service navigation for each role, in order.
NAVIGATION = {
    "officer": [
        ("main.home", "Home"),
        ("dashboards.portfolio", "Dashboards"),
        ("streams.list_streams", "Funding streams"),
        ("allocations.list_allocations", "Allocations"),
        ("returns.queue", "Returns"),
        ("payments.list_payments", "Payments"),
        ("variations.list_variations", "Variations"),
        ("organisations.list_organisations", "Organisations"),
        ("exports.index", "Download data"),
        ("team.team", "Invitations"),
    ],
    "finance": [
        ("main.home", "Home"),
        ("dashboards.portfolio", "Dashboards"),
        ("streams.list_streams", "Funding streams"),
        ("allocations.list_allocations", "Allocations"),
        ("returns.queue", "Returns"),
        ("payments.list_payments", "Payments"),
        ("closure.recoveries", "Recoveries"),
        ("organisations.list_organisations", "Organisations"),
        ("exports.index", "Download data"),
    ],
    "viewer": [
        ("main.home", "Home"),
        ("dashboards.summary", "Summary"),
        ("dashboards.portfolio", "Dashboards"),
        ("streams.list_streams", "Funding streams"),
        ("exports.index", "Download data"),
    ],
    "admin": [
        ("main.home", "Home"),
        ("admin.list_users", "Users"),
        ("team.team", "Invitations"),
        ("admin.audit_log", "Audit trail"),
        ("admin.outbox", "Outbox"),
    ],
    "grantee": [("grantee.overview", "Your organisation"), ("team.team", "Team")],
    "certifier": [("grantee.overview", "Your organisation")],
}


def navigation() -> list[dict]:
    """The role's links; the current one is the page itself or, failing that, its area."""
    if not current_user.is_authenticated:
        return []
    links = [
        (e, t) for e, t in NAVIGATION[current_user.role.value] if e in current_app.view_functions
    ]
    here = request.endpoint or ""
    current = next((e for e, _ in links if e == here), None)
    if current is None:
        # The page's area: its main link where the area has several (the viewer's Summary and
        # Dashboards are both dashboards pages), else the one link of that area.
        area = here.split(".")[0]
        in_area = [e for e, _ in links if e.split(".")[0] == area]
        current = AREA_HOMES.get(area) if AREA_HOMES.get(area) in in_area else None
        current = current or (in_area[0] if in_area else None)
    return [{"href": url_for(e), "text": t, "active": e == current} for e, t in links]


# Where an area has more than one link, the one its other pages sit under.
AREA_HOMES = {"dashboards": "dashboards.portfolio"}


# Where our copy of a source sits in the repository: a note for us, not for the reader.
SOURCE_FILE = re.compile(r"\s*\((?:\.\./)?shared/sources/[^()]*\)")


def citation(text: str | None) -> str:
    """A source as a reader needs it: the publication and its date, without the path of the
    copy kept beside the code."""
    return SOURCE_FILE.sub("", text or "").strip()


def init_app(app: Flask) -> None:
    app.add_template_filter(format_pounds, "pounds")
    app.add_template_filter(lambda pence: format_pounds(pence, whole=True), "whole_pounds")
    app.add_template_filter(format_input, "pounds_input")
    app.add_template_filter(govuk_date, "govuk_date")
    app.add_template_filter(citation, "citation")
    app.add_template_filter(lambda start_year: FinancialYear(start_year).label, "fy")
    app.add_template_global(percentage, "percentage")
    app.add_template_global(error_summary, "error_summary")
    app.add_template_global(audit_sentences.describe, "in_words")

    @app.context_processor
    def shared():
        return {
            "service_name": current_app.config["SERVICE_NAME"],
            "navigation": navigation(),
        }
