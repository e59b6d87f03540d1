"""Jinja filters for money, dates and periods, and the navigation every page shares."""

from datetime import date, datetime

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from tracker.forms import error_summary
from tracker.money import format_input, format_pounds, percentage
from tracker.periods import FinancialYear


def govuk_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"


# The service navigation for each role, in order.
NAVIGATION = {
    "officer": [
        ("main.home", "Home"),
        ("streams.list_streams", "Funding streams"),
        ("allocations.list_allocations", "Allocations"),
        ("returns.queue", "Returns"),
        ("payments.list_payments", "Payments"),
        ("variations.list_variations", "Variations"),
        ("organisations.list_organisations", "Organisations"),
    ],
    "finance": [
        ("main.home", "Home"),
        ("streams.list_streams", "Funding streams"),
        ("allocations.list_allocations", "Allocations"),
        ("returns.queue", "Returns"),
        ("payments.list_payments", "Payments"),
        ("organisations.list_organisations", "Organisations"),
    ],
    "viewer": [("main.home", "Home"), ("streams.list_streams", "Funding streams")],
    "admin": [
        ("main.home", "Home"),
        ("admin.list_users", "Users"),
        ("admin.audit_log", "Audit trail"),
        ("admin.outbox", "Outbox"),
    ],
    "grantee": [("grantee.overview", "Your organisation")],
    "certifier": [("grantee.overview", "Your organisation")],
}


def navigation() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    current = (request.endpoint or "").split(".")[0]
    return [
        {"href": url_for(endpoint), "text": text, "active": current == endpoint.split(".")[0]}
        for endpoint, text in NAVIGATION[current_user.role.value]
        if endpoint in current_app.view_functions
    ]


def init_app(app: Flask) -> None:
    app.add_template_filter(format_pounds, "pounds")
    app.add_template_filter(lambda pence: format_pounds(pence, whole=True), "whole_pounds")
    app.add_template_filter(format_input, "pounds_input")
    app.add_template_filter(govuk_date, "govuk_date")
    app.add_template_filter(lambda start_year: FinancialYear(start_year).label, "fy")
    app.add_template_global(percentage, "percentage")
    app.add_template_global(error_summary, "error_summary")

    @app.context_processor
    def shared():
        return {
            "service_name": current_app.config["SERVICE_NAME"],
            "navigation": navigation(),
        }
