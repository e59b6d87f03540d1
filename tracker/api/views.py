"""The read API for data teams (/api/v1/): streams, allocations, returns (their figures, never
their evidence or narrative), payments and the minister's summary, as JSON. Read-only. Every
list pages by cursor: `limit` (1 to 1,000, 100 if not given) and the `next` cursor of the page
before; filters as the pages have them. A grantee's token reads their organisation only."""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from flask import Blueprint, jsonify, request, url_for

from tracker.api.openapi import document
from tracker.data import api as api_data
from tracker.data.reporting import Filters
from tracker.domain.money import to_pounds
from tracker.domain.periods import FIRST_YEAR, LAST_YEAR
from tracker.domain.regions import REGIONS
from tracker.domain.roles import Role
from tracker.domain.statuses import AllocationStatus, PaymentStatus, Rag, ReturnStatus
from tracker.services import summary as summary_service
from tracker.web.access import public
from tracker.web.api_access import api_requires_role, api_user, json_error

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEPARTMENT = (Role.OFFICER, Role.FINANCE)
READERS_OF_FIGURES = (Role.OFFICER, Role.FINANCE, Role.VIEWER)
OWN_ORGANISATION = (Role.OFFICER, Role.FINANCE, Role.GRANTEE, Role.CERTIFIER)
MOST = 1000
# Ids are 32-bit on PostgreSQL: a filter past that is refused; a cursor past it ends the list.
LARGEST_ID = 2**31 - 1


class BadQuery(ValueError):
    pass


def _cursor(text: str | None) -> int:
    """The cursor is the id the page starts after, as the `next` of the page before gave it."""
    if text is None:
        return 0
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise BadQuery("The cursor is not one this API gave: use the `next` of a page")
    return min(int(text), LARGEST_ID)


def _next_cursor(last_id: int) -> str:
    return str(last_id)


def _limit() -> int:
    text = request.args.get("limit", "100")
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MOST:
        raise BadQuery(f"limit must be a whole number from 1 to {MOST:,}")
    return int(text)


def _number(name: str) -> int | None:
    text = request.args.get(name)
    if text is None:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 12 or int(text) > LARGEST_ID:
        raise BadQuery(f"{name} must be a whole number from 0 to {LARGEST_ID:,}")
    return int(text)


def _enum(name: str, kind: type[Enum]):
    text = request.args.get(name)
    if text is None:
        return None
    for member in kind:
        if member.value == text:
            return member
    raise BadQuery(f"{name} must be one of: {', '.join(m.value for m in kind)}")


def _year() -> int | None:
    """A financial year by the year it starts in: 2020 is 2020-21."""
    year = _number("financial_year")
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadQuery(f"financial_year must be from {FIRST_YEAR} to {LAST_YEAR}")
    return year


def _region() -> str | None:
    text = request.args.get("region")
    if text is None:
        return None
    if text not in REGIONS:
        raise BadQuery(f"region must be one of: {', '.join(REGIONS)}")
    return text


def _plain(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _item(row: dict) -> dict:
    """Money as pence (an integer) and as pounds (text, to the penny): never a float."""
    out = {}
    for key, value in row.items():
        if key.endswith("_pence") and value is not None:
            value = int(value)  # a sum is a Decimal on PostgreSQL
        out[key] = _plain(value)
        if key.endswith("_pence") and value is not None:
            out[key.removesuffix("_pence") + "_pounds"] = str(to_pounds(int(value)))
    return out


def _listing(read) -> object:
    try:
        limit = _limit()
        rows = read(after=_cursor(request.args.get("cursor")), limit=limit)
    except BadQuery as bad:
        return json_error(400, str(bad))
    more = len(rows) > limit
    rows = rows[:limit]
    return jsonify(
        {
            "data": [_item(row) for row in rows],
            "next": _next_cursor(rows[-1]["id"]) if more else None,
        }
    )


def _filtered(read, status_kind, **more):
    def with_filters(*, after, limit):
        return read(
            api_user(),
            after=after,
            limit=limit,
            stream_id=_number("stream_id"),
            status=_enum("status", status_kind),
            **{name: given() for name, given in more.items()},
        )

    return _listing(with_filters)


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(document(url_for("api.streams", _external=False).removesuffix("/streams")))


@bp.get("/streams")
@api_requires_role(*READERS_OF_FIGURES)
def streams():
    return _listing(api_data.streams)


@bp.get("/allocations")
@api_requires_role(*OWN_ORGANISATION)
def allocations():
    return _filtered(api_data.allocations, AllocationStatus)


@bp.get("/returns")
@api_requires_role(*OWN_ORGANISATION)
def returns():
    return _filtered(api_data.returns, ReturnStatus, rag=lambda: _enum("rag", Rag))


@bp.get("/payments")
@api_requires_role(*OWN_ORGANISATION)
def payments():
    return _filtered(api_data.payments, PaymentStatus)


@bp.get("/summary")
@api_requires_role(*READERS_OF_FIGURES)
def summary():
    """The minister's summary's headline figures, in the money vocabulary's terms."""
    try:
        filters = Filters(
            financial_year=_year(),
            stream_id=_number("stream_id"),
            department_id=_number("funder_id"),
            region=_region(),
        )
    except BadQuery as bad:
        return json_error(400, str(bad))
    built = summary_service.build(filters, date.today())
    figures = {
        "announced_pence": built.announced_pence,
        "budget_pence": built.budget_pence,
        "in_draft_pence": built.in_draft_pence,
        "offered_pence": built.offered_pence,
        "committed_pence": built.committed_pence,
        "paid_pence": built.paid_pence,
        "reported_pence": built.reported_pence,
        "recovered_pence": built.recovered_pence,
    }
    return jsonify({"data": _item(figures)})
