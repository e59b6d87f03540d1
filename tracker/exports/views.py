"""Download data: allocations, returns and payments as CSV or Excel, and the grants awarded as a
360Giving data package, each honouring the filters in the query string and streamed so that
memory stays flat however many rows there are."""

import tempfile
from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from tracker.data import exports as export_data
from tracker.data import streams as stream_data
from tracker.data.exports import FUNDER_NOT_STATED, ExportFilters
from tracker.domain.roles import Role
from tracker.exports.forms import (
    ExportFilterForm,
    FilterUnreadable,
    filters_from,
    query_of,
    year_text,
)
from tracker.exports.tables import TABLES, Table, sees_personal_data
from tracker.services import three_sixty_giving
from tracker.web.access import requires_role
from tracker.web.downloads import csv_chunks, write_workbook

bp = Blueprint("exports", __name__, url_prefix="/exports")

READERS = (Role.OFFICER, Role.FINANCE, Role.VIEWER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters() -> ExportFilters:
    """A download's filters; one it cannot read is a 400, never a file without that filter."""
    try:
        return filters_from(request.args)
    except FilterUnreadable as error:
        abort(400, description=error.message)


def _described(filters: ExportFilters) -> list[tuple[str, str]]:
    described = []
    if filters.year is not None:
        described.append(("Financial year", year_text(filters.year)))
    if filters.stream_id is not None:
        stream = stream_data.stream_by_id(filters.stream_id)
        described.append(("Stream", stream.name if stream else "No such stream"))
    if filters.funder == FUNDER_NOT_STATED:
        described.append(("Funder", "Not stated in the source"))
    elif filters.funder is not None:
        department = stream_data.department_by_id(filters.funder)
        described.append(("Funder", department.name if department else "No such department"))
    if filters.region is not None:
        described.append(("Region", filters.region))
    return described


def _generated_at() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _file_name(name: str, generated_at: datetime, extension: str) -> str:
    return f"hidden-harms-{name}-as-at-{generated_at:%Y-%m-%dT%H%M%SZ}.{extension}"


def _table(name: str, filters: ExportFilters) -> Table:
    return TABLES[name](filters, personal=sees_personal_data(current_user.role), today=date.today())


def _csv(name: str) -> Response:
    filters = _filters()
    generated_at = _generated_at()
    table = _table(name, filters)
    response = Response(
        stream_with_context(csv_chunks(table)), content_type="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_file_name(name, generated_at, "csv")}"'
    )
    return response


def _xlsx(name: str) -> Response:
    filters = _filters()
    generated_at = _generated_at()
    table = _table(name, filters)
    about = [
        ("Data", table.title),
        ("As at", f"{generated_at:%Y-%m-%d %H:%M:%S} UTC"),
        *([("Filters", "None: every row")] if filters.is_empty else []),
        *((f"Filter: {name.lower()}", value) for name, value in _described(filters)),
        ("Money", "In pounds, to the penny"),
        ("Illustrative", "Rows marked Illustrative are demo data, made up for demonstration"),
    ]
    if not sees_personal_data(current_user.role):
        about.append(("Left out", "People's names, and the narrative and risks of returns"))
    # Rows go straight from the database cursor into openpyxl's write-only sheet (which keeps
    # them in its own temporary file) and the workbook into this one: nothing is held whole.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes (and so deletes) it
    try:
        write_workbook(table, about, spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return send_file(
        spool,
        mimetype=XLSX,
        as_attachment=True,
        download_name=_file_name(name, generated_at, "xlsx"),
        max_age=0,
    )


@bp.get("")
@requires_role(*READERS)
def index():
    choices = export_data.filter_choices()
    form = ExportFilterForm(request.args)
    form.offer(choices)
    filters = filters_from(request.args, strict=False)
    query = query_of(filters)
    counts = {
        "allocations": export_data.count_allocations(filters),
        "returns": export_data.count_returns(filters),
        "payments": export_data.count_payments(filters),
        "grants": export_data.count_awarded_allocations(filters),
        "grants_held_back": export_data.count_awarded_allocations_held_back(filters),
    }
    return render_template(
        "exports/index.html",
        filters_form=form,
        filters=filters,
        query=query,
        counts=counts,
        personal=sees_personal_data(current_user.role),
        described=_described(filters),
    )


@bp.get("/allocations.csv")
@requires_role(*READERS)
def allocations_csv():
    return _csv("allocations")


@bp.get("/allocations.xlsx")
@requires_role(*READERS)
def allocations_xlsx():
    return _xlsx("allocations")


@bp.get("/returns.csv")
@requires_role(*READERS)
def returns_csv():
    return _csv("returns")


@bp.get("/returns.xlsx")
@requires_role(*READERS)
def returns_xlsx():
    return _xlsx("returns")


@bp.get("/payments.csv")
@requires_role(*READERS)
def payments_csv():
    return _csv("payments")


@bp.get("/payments.xlsx")
@requires_role(*READERS)
def payments_xlsx():
    return _xlsx("payments")


@bp.get("/360giving.json")
@requires_role(*READERS)
def three_sixty_giving_package():
    """Every awarded allocation the filters admit, as a 360Giving data package."""
    filters = _filters()
    generated_at = _generated_at()
    publisher = three_sixty_giving.publisher_from(current_app.config)
    here = url_for("exports.three_sixty_giving_package", _external=True, **query_of(filters))
    metadata = three_sixty_giving.package_metadata(
        publisher=publisher,
        generated_at=generated_at,
        download_url=here,
        filters_text="; ".join(f"{name.lower()}: {value}" for name, value in _described(filters)),
    )
    grants = (
        three_sixty_giving.grant(row, publisher=publisher, data_source=here)
        for row in export_data.awarded_allocation_rows(filters)
    )
    response = Response(
        stream_with_context(three_sixty_giving.stream_package(metadata, grants)),
        content_type="application/json; charset=utf-8",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_file_name("360giving", generated_at, "json")}"'
    )
    return response
