"""The read API described in OpenAPI 3.1 (served at /api/v1/openapi.json): what each route
takes and gives, checked by the tests against the document's own schema and against the
running service (schemathesis)."""

from tracker.domain.regions import REGIONS
from tracker.domain.statuses import AllocationStatus, PaymentStatus, Rag, ReturnStatus

POUNDS = {"type": "string", "pattern": r"^-?\d+\.\d\d$", "description": "Pounds, to the penny"}
PENCE = {"type": "integer", "description": "Pence"}
DATE = {"type": "string", "format": "date"}
MAYBE_DATE = {"type": ["string", "null"], "format": "date"}
MAYBE_MOMENT = {"type": ["string", "null"], "format": "date-time"}


def _money(*names: str) -> dict:
    out = {}
    for name in names:
        out[f"{name}_pence"] = PENCE
        out[f"{name}_pounds"] = POUNDS
    return out


def _object(properties: dict) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }


def _values(kind) -> dict:
    return {"type": "string", "enum": [member.value for member in kind]}


def _maybe(kind) -> dict:
    return {"type": ["string", "null"], "enum": [member.value for member in kind] + [None]}


SCHEMAS = {
    "Error": _object({"error": {"type": "string"}}),
    "Stream": _object(
        {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string"},
            **_money("announced"),
            "first_year": {"type": "integer"},
            "last_year": {"type": "integer"},
        }
    ),
    "Allocation": _object(
        {
            "id": {"type": "integer"},
            "identifier": {"type": "string"},
            "title": {"type": "string"},
            "stream_code": {"type": "string"},
            "organisation_org_id": {"type": "string"},
            "organisation_name": {"type": "string"},
            "status": _values(AllocationStatus),
            **_money("amount"),
            "awarded_on": DATE,
            "planned_start": DATE,
            "planned_end": DATE,
        }
    ),
    "Return": _object(
        {
            "id": {"type": "integer"},
            "allocation_identifier": {"type": "string"},
            "project_title": {"type": "string"},
            "period_start": DATE,
            "period_end": DATE,
            "due_on": DATE,
            "status": _values(ReturnStatus),
            **_money("spend"),
            "self_rag": _maybe(Rag),
            "reviewer_rag": _maybe(Rag),
        }
    ),
    "Payment": _object(
        {
            "id": {"type": "integer"},
            "allocation_identifier": {"type": "string"},
            **_money("amount"),
            "status": _values(PaymentStatus),
            "requested_at": MAYBE_MOMENT,
            "approved_at": MAYBE_MOMENT,
            "paid_on": MAYBE_DATE,
        }
    ),
    "Summary": _object(
        _money(
            "announced",
            "budget",
            "in_draft",
            "offered",
            "committed",
            "paid",
            "reported",
            "recovered",
        )
    ),
}


def _page_of(name: str) -> dict:
    return _object(
        {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "next": {
                "type": ["string", "null"],
                "description": "The cursor of the next page; null on the last",
            },
        }
    )


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


PAGING = [
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
    },
    {
        "name": "cursor",
        "in": "query",
        "description": "The `next` of the page before: the page starts after it",
        "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
    },
]
ID = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
STREAM = {"name": "stream_id", "in": "query", "schema": ID}


def _status(kind) -> dict:
    return {"name": "status", "in": "query", "schema": _values(kind)}


def _list(summary: str, name: str, parameters: list) -> dict:
    return {
        "get": {
            "summary": summary,
            "operationId": f"list{name}s",
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": f"A page of {name.lower()}s",
                    "content": {"application/json": {"schema": _page_of(name)}},
                },
                "400": _error("A filter, limit or cursor this API cannot read"),
                "401": _error("No API token, or one that is unknown, expired or revoked"),
                "403": _error("The token's user may not read this"),
            },
        }
    }


def document(base_path: str) -> dict:
    """The OpenAPI 3.1 document, its server at `base_path` (/api/v1)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hidden Harms grant tracker: read API",
            "version": "1.0.0",
            "description": (
                "Read-only. Authenticate with a personal API token from your account page: "
                "`Authorization: Bearer hht_…`. A token reads what its user may read; a "
                "grantee's, their own organisation only. Money is given as pence (an integer) "
                "and as pounds (text, to the penny), never as a float."
            ),
        },
        "servers": [{"url": base_path}],
        "security": [{"token": []}],
        "paths": {
            "/streams": _list("Funding streams", "Stream", PAGING),
            "/allocations": _list(
                "Allocations (grants)", "Allocation", [*PAGING, STREAM, _status(AllocationStatus)]
            ),
            "/returns": _list(
                "Milestone returns' figures",
                "Return",
                [
                    *PAGING,
                    STREAM,
                    _status(ReturnStatus),
                    {"name": "rag", "in": "query", "schema": _values(Rag)},
                ],
            ),
            "/payments": _list("Payments", "Payment", [*PAGING, STREAM, _status(PaymentStatus)]),
            "/summary": {
                "get": {
                    "summary": "The minister's summary's headline figures",
                    "operationId": "summary",
                    "parameters": [
                        STREAM,
                        {
                            "name": "financial_year",
                            "in": "query",
                            "description": "The year it starts in: 2020 is 2020-21",
                            "schema": {"type": "integer", "minimum": 1990, "maximum": 2099},
                        },
                        {
                            "name": "funder_id",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 0},
                        },
                        {
                            "name": "region",
                            "in": "query",
                            "schema": {"type": "string", "enum": REGIONS},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The figures",
                            "content": {
                                "application/json": {
                                    "schema": _object(
                                        {"data": {"$ref": "#/components/schemas/Summary"}}
                                    )
                                }
                            },
                        },
                        "400": _error("A filter this API cannot read"),
                        "401": _error("No API token, or one that is unknown, expired or revoked"),
                        "403": _error("The token's user may not read this"),
                    },
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }
