"""Jinja filters for money, dates and periods, and the navigation every page shares."""

from datetime import date, datetime

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from tracker.money import format_input, format_pounds, percentage
from tracker.periods import FinancialYear


def govuk_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def navigation() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    links = [("main.home", "Home")]
    if current_user.role.value in {"officer", "finance", "viewer"}:
        links.append(("streams.list_streams", "Funding streams"))
    if current_user.role.value in {"officer", "finance"}:
        links += [
            ("allocations.list_allocations", "Allocations"),
            ("organisations.list_organisations", "Organisations"),
        ]
    if current_user.role.value == "admin":
        links += [("admin.list_users", "Users"), ("admin.audit_log", "Audit trail")]
    return [
        {
            "href": url_for(endpoint),
            "text": text,
            "active": request.endpoint is not None
            and request.endpoint.split(".")[0] == endpoint.split(".")[0],
        }
        for endpoint, text in links
    ]


def init_app(app: Flask) -> None:
    app.add_template_filter(format_pounds, "pounds")
    app.add_template_filter(lambda pence: format_pounds(pence, whole=True), "whole_pounds")
    app.add_template_filter(format_input, "pounds_input")
    app.add_template_filter(govuk_date, "govuk_date")
    app.add_template_filter(lambda start_year: FinancialYear(start_year).label, "fy")
    app.add_template_global(percentage, "percentage")

    @app.context_processor
    def shared():
        return {
            "service_name": current_app.config["SERVICE_NAME"],
            "navigation": navigation(),
        }
