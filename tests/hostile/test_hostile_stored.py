"""Markup stored in every name and text people write (a stream, an organisation, a grant, a
project, a milestone, an indicator, a user, a return's narrative), then every page read by
every role: nothing runs. A payload must come back as text, never as markup, on the page that
shows it or on any other (lists, dashboards and their chart JSON, the minister's summary)."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from tests.conftest import ADMIN, FINANCE, LAMBETH_GRANTEE, OFFICER, VIEWER
from tests.hostile.posting import example_savepoint
from tests.hostile.things import LAMBETH_CERTIFIER, LAMBETH_SWIS, allocation, first_return, user
from tracker.models import Milestone, Project, Role
from tracker.web.access import declared_access

PAYLOADS = [
    "</script><script>alert('hh-stored')</script>",
    '"><img src=x onerror=alert("hh-stored")>',
    "</textarea><svg onload=alert('hh-stored')>",
    "{{ config }}",
]
ROLE_OF = {
    OFFICER: Role.OFFICER,
    FINANCE: Role.FINANCE,
    VIEWER: Role.VIEWER,
    ADMIN: Role.ADMIN,
    LAMBETH_GRANTEE: Role.GRANTEE,
    LAMBETH_CERTIFIER: Role.CERTIFIER,
}


def store_payloads(session, payload: str) -> dict[str, int]:
    """Puts the payload into every name and text of Lambeth's grant and its stream."""
    grant = allocation(session, LAMBETH_SWIS)
    grant.title = f"Grant {payload}"
    grant.conditions = f"Conditions {payload}"
    grant.organisation.name = f"Lambeth {payload}"
    grant.stream.name = f"Stream {payload}"
    grant.stream.description = f"Description {payload}"
    grant.stream.funder_note = f"Funder {payload}"[:300]
    for indicator in grant.stream.indicators:
        indicator.name = f"Indicator {payload}"[:200]
    project = session.scalars(select(Project).where(Project.allocation_id == grant.id)).first()
    project.title = f"Project {payload}"
    for milestone in session.scalars(select(Milestone).where(Milestone.project_id == project.id)):
        milestone.title = f"Milestone {payload}"[:200]
    milestone_return = first_return(session)
    milestone_return.narrative = f"Narrative {payload}"
    milestone_return.risks = f"Risks {payload}"
    user(session, LAMBETH_GRANTEE).name = f"Gail {payload}"
    session.commit()
    return {
        "allocation_id": grant.id,
        "stream_id": grant.stream_id,
        "organisation_id": grant.organisation_id,
        "return_id": milestone_return.id,
        "user_id": user(session, LAMBETH_GRANTEE).id,
        "project_id": project.id,
    }


def pages_for(app, role: Role, ids: dict[str, int]) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in {"static", "main.health"}:
            continue
        admitted = declared_access(app.view_functions[rule.endpoint])
        if admitted and role not in admitted:
            continue
        if not set(rule.arguments) <= ids.keys():
            continue
        paths.append(rule.build({name: ids[name] for name in rule.arguments})[1])
    return sorted(paths)


def injected(html: str, payload: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    # Markup must come back escaped; a template's braces may come back as they are (as text,
    # never evaluated: the test looks for what {{ config }} would show).
    found = [f"raw {payload!r}"] if "<" in payload and payload in html else []
    for tag in soup.find_all(True):
        found += [f"<{tag.name} {a}>" for a in tag.attrs if a.lower().startswith("on")]
    return found


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("email", sorted(ROLE_OF))
def test_markup_stored_in_every_name_never_runs_on_any_page(
    app, signed_in, transaction, reliability, email, payload
):
    visitor = signed_in(email)
    with example_savepoint(transaction):
        ids = store_payloads(transaction, payload)
        checked = 0
        for path in pages_for(app, ROLE_OF[email], ids):
            response = visitor.get(path)
            response.get_data()  # read a streamed download to its end, then let it go
            response.close()
            assert response.status_code < 500, f"{email} GET {path}: {response.status_code}"
            if response.mimetype == "text/html":
                html = response.get_data(as_text=True)
                assert not injected(html, payload), f"{email} GET {path}: {injected(html, payload)}"
                assert "SECRET_KEY" not in html
                checked += 1
        assert checked >= 5
        reliability.record("hostile input", "pages read with stored markup", checked)
