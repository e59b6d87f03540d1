"""Dashboards: one page each, the same filters on all of them (in the URL, so a view can be
shared), and a CSV of the figures behind every chart."""

import csv
import io
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request

from tracker.dashboards.forms import FilterForm
from tracker.domain.roles import Role
from tracker.infrastructure import clock
from tracker.services import dashboards, outturn
from tracker.services import summary as summary_service
from tracker.web.access import CIVIL_SERVANTS, requires_role
from tracker.web.downloads import formula_safe

bp = Blueprint("dashboards", __name__)
READERS = (*CIVIL_SERVANTS, Role.VIEWER)


def endpoint_of(name: str) -> str:
    return "dashboards." + name.replace("-", "_")


def _filters():
    form = FilterForm(request.args)
    form.fill_choices()
    return form, form.filters()


def _page(name: str):
    form, filters = _filters()
    title, build = dashboards.DASHBOARDS[name]
    return render_template(
        "dashboards/dashboard.html",
        title=title,
        name=name,
        filters_form=form,
        panels=build(filters, clock.today()),
        dashboards=dashboards.DASHBOARDS,
        endpoint_of=endpoint_of,
        as_at=datetime.now(UTC),
    )


@bp.get("/dashboards")
@requires_role(*READERS)
def portfolio():
    return _page("portfolio")


@bp.get("/dashboards/spend-over-time")
@requires_role(*READERS)
def spend_over_time():
    return _page("spend-over-time")


@bp.get("/dashboards/grantees")
@requires_role(*READERS)
def grantees():
    return _page("grantees")


@bp.get("/dashboards/returns")
@requires_role(*READERS)
def returns():
    return _page("returns")


@bp.get("/dashboards/outputs")
@requires_role(*READERS)
def outputs():
    return _page("outputs")


@bp.get("/dashboards/regions")
@requires_role(*READERS)
def regions():
    return _page("regions")


@bp.get("/dashboards/evidence")
@requires_role(*READERS)
def evidence():
    return _page("evidence")


@bp.get("/dashboards/year-end")
@requires_role(*READERS)
def year_end():
    return _page("year-end")


@bp.get("/dashboards/figures.csv")
@requires_role(*READERS)
def figures_csv():
    """The figures of one chart (?dashboard=...&panel=..., by default the dashboard's first)
    as CSV, with the page's filters."""
    name = request.args.get("dashboard", "portfolio")
    if name not in dashboards.DASHBOARDS:
        abort(404)
    _, filters = _filters()
    _, build = dashboards.DASHBOARDS[name]
    built = build(filters, clock.today())
    panels = {panel.slug: panel for panel in built}
    panel = panels.get(request.args.get("panel", "")) if "panel" in request.args else built[0]
    if panel is None:
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out)
    for row in panel.csv_rows():
        # Names come from people (a stream, a grantee): never let one run as a formula.
        writer.writerow([formula_safe(c) if isinstance(c, str) else c for c in row])
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%MZ")
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}-{panel.slug}-as-at-{stamp}.csv"'
        },
    )


@bp.get("/summary")
@requires_role(*READERS)
def summary():
    form, filters = _filters()
    return render_template(
        "dashboards/summary.html",
        filters_form=form,
        summary=summary_service.build(filters, clock.today()),
        as_at=datetime.now(UTC),
        rating_rule=dashboards.RATING_RULE,
        outturn_words=outturn.difference_words,
    )
