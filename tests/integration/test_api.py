"""The read API for data teams (issue 16 item 3): personal tokens made and revoked on the
account page (shown once, stored as a hash, audited); JSON pages by cursor; a token reads what
its user reads, a grantee's only their own organisation; 401 and 400 in JSON, never a page."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import FINANCE, LAMBETH_GRANTEE, OFFICER, SOUTHAMPTON_GRANTEE, VIEWER, text_of
from tests.factories import actor
from tests.reading import soup_of
from tracker.models import Allocation, ApiToken, AuditEvent, Organisation
from tracker.services import api_tokens

pytestmark = pytest.mark.both_databases


@pytest.fixture
def client(app, transaction):
    """A program calling the API: no browser session, only what it sends."""
    return app.test_client()


def token_for(session, email: str, days: int = 30) -> str:
    _, text = api_tokens.create(actor(session, email), name="Analysis", days=days)
    session.commit()
    return text


def bearer(text: str) -> dict:
    return {"Authorization": f"Bearer {text}"}


def every_page(client, path: str, token: str, limit: int = 7) -> list[dict]:
    rows, cursor = [], None
    while True:
        joiner = "&" if "?" in path else "?"
        query = f"{joiner}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        answer = client.get(path + query, headers=bearer(token))
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        rows += body["data"]
        cursor = body["next"]
        if cursor is None:
            return rows


def test_a_token_made_on_the_account_page_is_shown_once_stored_hashed_and_audited(
    signed_in, transaction
):
    officer = signed_in(OFFICER)
    made = officer.post("/account/api-tokens", {"name": "Quarterly spend", "days": "90"})
    assert made.status_code == 302
    page = officer.get("/account/api-tokens")
    text = soup_of(page).find(id="token-text").get_text(strip=True)
    assert text.startswith("hht_")
    stored = transaction.scalars(select(ApiToken)).all()
    assert [t.name for t in stored] == ["Quarterly spend"]
    assert stored[0].token_hash == api_tokens.token_hash(text)
    assert text not in str(stored[0].__dict__)
    # Shown once: the next visit lists it, without the token.
    again = officer.get("/account/api-tokens")
    assert soup_of(again).find(id="token-text") is None
    assert "Quarterly spend" in text_of(again) and text not in again.get_data(as_text=True)
    events = transaction.scalars(
        select(AuditEvent).where(AuditEvent.action == "api token created")
    ).all()
    assert len(events) == 1 and text not in str(events[0].after)


def test_bad_token_forms_say_what_is_wrong_beside_the_field(signed_in, transaction):
    officer = signed_in(OFFICER)
    answer = officer.post("/account/api-tokens", {"name": "", "days": "7"})
    assert answer.status_code == 200
    assert "Enter a name for the token" in text_of(answer)
    assert transaction.scalars(select(ApiToken)).all() == []


def test_a_token_reads_pages_by_cursor_and_every_row_once(client, transaction):
    token = token_for(transaction, OFFICER)
    rows = every_page(client, "/api/v1/allocations", token)
    ids = [row["id"] for row in rows]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert len(ids) == transaction.query(Allocation).count()
    first = rows[0]
    assert isinstance(first["amount_pence"], int)
    assert (
        first["amount_pounds"]
        == f"{first['amount_pence'] // 100}.{first['amount_pence'] % 100:02d}"
    )


def test_a_grantees_token_reads_their_own_organisation_only(client, transaction):
    token = token_for(transaction, LAMBETH_GRANTEE)
    lambeth = transaction.scalar(
        select(Organisation.org_id).where(Organisation.org_id == "GB-LAE-LBH")
    )
    for path in ("/api/v1/allocations", "/api/v1/returns", "/api/v1/payments"):
        rows = every_page(client, path, token)
        if path.endswith("allocations"):
            assert rows and {row["organisation_org_id"] for row in rows} == {lambeth}
    theirs = every_page(client, "/api/v1/allocations", token_for(transaction, SOUTHAMPTON_GRANTEE))
    assert not {r["id"] for r in theirs} & {
        r["id"] for r in every_page(client, "/api/v1/allocations", token)
    }
    # Streams and the minister's figures are the department's: refused, in JSON.
    refused = client.get("/api/v1/summary", headers=bearer(token))
    assert refused.status_code == 403 and "error" in refused.get_json()


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Basic abc", "Bearer hht_", "Bearer hht_" + "x" * 43, "Bearer not-a-token"],
)
def test_without_a_usable_token_the_api_answers_401_in_json(client, transaction, header):
    answer = client.get("/api/v1/allocations", headers={"Authorization": header} if header else {})
    assert answer.status_code == 401
    assert answer.mimetype == "application/json"
    assert answer.get_json()["error"]


def test_a_revoked_or_expired_token_is_refused_saying_so(client, signed_in, transaction):
    token = token_for(transaction, FINANCE)
    stored = transaction.scalars(select(ApiToken)).one()
    api_tokens.revoke(actor(transaction, FINANCE), stored)
    transaction.commit()
    answer = client.get("/api/v1/payments", headers=bearer(token))
    assert answer.status_code == 401 and "revoked" in answer.get_json()["error"]

    token = token_for(transaction, FINANCE)
    newest = transaction.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
    newest.expires_at = newest.created_at - timedelta(seconds=1)
    transaction.commit()
    answer = client.get("/api/v1/payments", headers=bearer(token))
    assert answer.status_code == 401 and "expired" in answer.get_json()["error"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=1001",
        "limit=ten",
        "cursor=!!!",
        "cursor=YWJj",
        "stream_id=x",
        "status=lost",
    ],
)
def test_an_absurd_query_is_a_400_saying_why(client, transaction, query):
    token = token_for(transaction, OFFICER)
    answer = client.get(f"/api/v1/allocations?{query}", headers=bearer(token))
    assert answer.status_code == 400
    assert answer.get_json()["error"]


def test_use_is_recorded_and_audited_once_a_day(client, transaction):
    token = token_for(transaction, VIEWER)
    for _ in range(3):
        assert client.get("/api/v1/summary", headers=bearer(token)).status_code == 200
    stored = transaction.scalars(select(ApiToken)).one()
    transaction.refresh(stored)
    assert stored.last_used_at is not None
    used = transaction.scalars(
        select(AuditEvent).where(AuditEvent.action == "api token used")
    ).all()
    assert len(used) == 1


def test_the_openapi_document_is_valid_openapi_3_1(client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_summary_and_the_returns_filter_as_their_pages_do(client, transaction):
    token = token_for(transaction, OFFICER)
    every = client.get("/api/v1/summary", headers=bearer(token)).get_json()["data"]
    one_year = client.get(
        "/api/v1/summary?financial_year=2020&region=London", headers=bearer(token)
    ).get_json()["data"]
    assert one_year["committed_pence"] < every["committed_pence"]
    red = every_page(client, "/api/v1/returns?rag=red", token)
    assert {row["self_rag"] for row in red} <= {"red"}
    for query in ("financial_year=1066", "region=Atlantis", "funder_id=x", "rag=purple"):
        path = "/api/v1/returns" if query.startswith("rag") else "/api/v1/summary"
        answer = client.get(f"{path}?{query}", headers=bearer(token))
        assert answer.status_code == 400, query
        assert answer.get_json()["error"]
