"""Every page runs a fixed number of SQL statements, whatever the size of the data: each kind of
user fetches every GET page (those without an id, and one of each kind with an id) on generated
benchmark data at two sizes, 10 times apart, and each page must issue the same statements at
both. A page whose count grows with the data (a query per row, an unpaginated list) fails here.

The pages with an id are filled in with the same choice at each size: the allocation with the
most returns, its approved return with the most reviews, its first payment and milestone, its
stream and organisation, and the first officer."""

import re
from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from bench.data.cli import bench_data_command
from tests.conftest import Browser, build_app
from tracker.extensions import db

# Ten times apart: every list holds a different number of rows at each size (the small size's
# 25 allocations, the large's 250 fill more than a page), so a query per row shows as a
# difference; a larger large size only makes its exports slower to read to the end.
SIZES = ("0.0005", "0.005")
ROLES = {
    "officer": "officer-01@department.bench.invalid",
    "finance": "finance-01@department.bench.invalid",
    "viewer": "viewer@department.bench.invalid",
    "admin": "admin@department.bench.invalid",
    "grantee": "grantee@{slug}.bench.invalid",
    "certifier": "certifier@{slug}.bench.invalid",
}
SKIPPED_ENDPOINTS = {"static", "main.health"}


def _chosen(app) -> dict[str, int]:
    """The ids each page with an id is fetched with (see the module's docstring)."""
    queries = {
        "allocation_id": """SELECT j.allocation_id FROM milestone_return r
            JOIN project j ON j.id = r.project_id GROUP BY j.allocation_id
            ORDER BY COUNT(*) DESC, j.allocation_id LIMIT 1""",
        "return_id": """SELECT r.id FROM milestone_return r JOIN project j ON j.id = r.project_id
            LEFT JOIN return_review v ON v.return_id = r.id
            WHERE j.allocation_id = :allocation_id AND r.status = 'approved'
            GROUP BY r.id ORDER BY COUNT(v.id) DESC, r.id LIMIT 1""",
        "payment_id": "SELECT MIN(id) FROM payment WHERE allocation_id = :allocation_id",
        "milestone_id": """SELECT MIN(m.id) FROM milestone m JOIN project j ON j.id = m.project_id
            WHERE j.allocation_id = :allocation_id""",
        "stream_id": "SELECT stream_id FROM allocation WHERE id = :allocation_id",
        "organisation_id": "SELECT organisation_id FROM allocation WHERE id = :allocation_id",
        "user_id": "SELECT id FROM app_user WHERE email = 'officer-01@department.bench.invalid'",
    }
    chosen: dict[str, int] = {}
    with app.app_context():
        for name, sql in queries.items():
            chosen[name] = db.session.execute(text(sql), chosen).scalar()
    return chosen


def _urls(app, chosen: dict[str, int]) -> dict[str, str]:
    """Page kind (the rule) -> a URL: every GET rule whose arguments we can fill in."""
    urls = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        if not set(rule.arguments) <= set(chosen):
            continue  # outbox messages, evidence files and imports: none are generated
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:\w+:)?{name}>", str(chosen[name]), url)
        urls[rule.rule] = url
    return urls


@contextmanager
def counting(engine):
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _counts_at(make_database, scale: str) -> tuple[dict, dict]:
    # A session's last-seen time is written at most once a minute: real time could bring that
    # write inside one size's count and not the other's, so it is put off past the test.
    app = build_app(make_database(), SESSION_TOUCH_SECONDS=10**9)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(bench_data_command, ["--scale", scale])
    assert result.exit_code == 0, result.output
    chosen = _chosen(app)
    with app.app_context():
        slug = db.session.execute(
            text("SELECT slug FROM organisation WHERE id = :o"), {"o": chosen["organisation_id"]}
        ).scalar()
    urls = _urls(app, chosen)
    counts: dict[tuple[str, str], list[str]] = {}
    statuses: dict[tuple[str, str], int] = {}
    with app.app_context():
        engine = db.engine
    for role, email in ROLES.items():
        visitor = Browser(app.test_client())
        email = email.format(slug=slug.removeprefix("bench-"))
        assert visitor.sign_in(email).status_code == 302, email
        for kind, url in urls.items():
            with counting(engine) as statements:
                response = visitor.get(url)
                response.get_data()  # a streamed export runs its queries as it is read
            counts[role, kind] = statements
            statuses[role, kind] = response.status_code
    with app.app_context():
        db.engine.dispose()
    return counts, statuses


@pytest.fixture(scope="module")
def measured(make_database):
    return {scale: _counts_at(make_database, scale) for scale in SIZES}


def test_every_page_runs_the_same_number_of_queries_at_both_sizes(measured):
    (small, small_status), (large, large_status) = measured[SIZES[0]], measured[SIZES[1]]
    grew = {
        f"{role} {kind}": (len(small[role, kind]), len(large[role, kind]))
        for role, kind in small
        if len(small[role, kind]) != len(large[role, kind])
    }
    if grew:  # name the statements that differ, to find the query per row
        role, kind = next((r, k) for r, k in small if f"{r} {k}" in grew)
        extra = Counter(large[role, kind])
        extra.subtract(Counter(small[role, kind]))
        extra = {statement: n for statement, n in extra.items() if n}
        pytest.fail(f"queries per page (small, large) differ: {grew}; for {role} {kind}: {extra}")
    assert small_status == large_status


def test_the_pages_were_really_seen(measured):
    counts, statuses = measured[SIZES[1]]
    for role, kind in [
        ("officer", "/allocations"),
        ("officer", "/allocations/<int:allocation_id>"),
        ("officer", "/returns/<int:return_id>"),
        ("finance", "/payments"),
        ("admin", "/admin/audit"),
        ("grantee", "/organisation"),
        ("grantee", "/organisation/allocations/<int:allocation_id>"),
    ]:
        assert statuses[role, kind] == 200, (role, kind)
        assert len(counts[role, kind]) > 1
