"""The read API checked against its own OpenAPI document by a property-based tester
(schemathesis): for every operation, generated queries (limits, cursors, filters, good and
bad) never get a 500, every answer matches the document, and a grantee's token never reads a
row of another organisation. On both databases."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import select

from tests.conftest import LAMBETH_GRANTEE, OFFICER
from tests.factories import actor
from tracker.models import Allocation, Organisation
from tracker.services import api_tokens

pytestmark = pytest.mark.both_databases


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


def token_of(session, email: str) -> str:
    _, token = api_tokens.create(actor(session, email), name="Tester", days=30)
    session.commit()
    return token


@pytest.fixture
def officer_token(transaction):
    return token_of(transaction, OFFICER)


@pytest.fixture
def grantee_reader(transaction):
    """A Lambeth grantee's token, and the allocations Lambeth has."""
    own = set(
        transaction.scalars(
            select(Allocation.identifier)
            .join(Organisation, Organisation.id == Allocation.organisation_id)
            .where(Organisation.org_id == "GB-LAE-LBH")
        )
    )
    return token_of(transaction, LAMBETH_GRANTEE), own


SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


@schema.parametrize()
@SETTINGS
def test_the_api_answers_an_officer_as_its_document_says(case, officer_token):
    response = case.call_and_validate(headers={"Authorization": f"Bearer {officer_token}"})
    assert response.status_code < 500


@schema.parametrize()
@SETTINGS
def test_the_api_answers_a_grantee_as_its_document_says_and_only_with_their_own_rows(
    case, grantee_reader
):
    token, own = grantee_reader
    response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500
    if case.method != "GET" or response.status_code != 200:
        return  # the tester also tries other methods (OPTIONS): they carry no rows
    rows = json.loads(response.text).get("data")
    for row in rows if isinstance(rows, list) else []:
        identifier = row.get("identifier") or row.get("allocation_identifier")
        assert identifier in own, f"{case.path}: a row of another organisation: {row}"
