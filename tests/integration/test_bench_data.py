"""`python -m bench.data`: the counts its scale names, row for row the same from the same seed,
every budget, payment and status rule the services hold, and a refusal wherever the database may
hold real data (or the schema is not there yet), unless --force.

Each test generates into fresh databases of its own, at a tiny fraction of department scale."""

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from bench.data import sizes_for
from bench.data.cli import bench_data_command
from tests.conftest import DEMO_PASSWORD, Browser, build_app, migrate_and_seed
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AuditEvent,
    FundingStream,
    MilestoneReturn,
    Organisation,
    Payment,
    Project,
    User,
)

TINY = "0.0005"


@pytest.fixture
def fresh(make_database):
    """A factory: an app on a new database (migrated unless told not to) and a CLI runner."""
    made = []

    def make(migrate: bool = True, **config):
        app = build_app(make_database(), **config)
        runner = app.test_cli_runner()
        if migrate:
            result = runner.invoke(args=["db", "upgrade"])
            assert result.exit_code == 0, result.output
        made.append(app)
        return app, runner

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def generate(runner, *args: str, scale: str = TINY):
    return runner.invoke(bench_data_command, ["--scale", scale, *args])


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def scalar(app, sql: str):
    with app.app_context():
        return db.session.execute(sa.text(sql)).scalar()


def test_every_count_of_the_scale_is_met_exactly(fresh):
    app, runner = fresh()
    result = generate(runner)
    assert result.exit_code == 0, result.output
    sizes = sizes_for(float(TINY))
    assert {
        "streams": count(app, FundingStream),
        "organisations": count(app, Organisation),
        "allocations": count(app, Allocation),
        "projects": count(app, Project),
        "returns": count(app, MilestoneReturn),
        "payments": count(app, Payment),
        "audit_events": count(app, AuditEvent),
    } == {
        "streams": sizes.streams,
        "organisations": sizes.organisations,
        "allocations": sizes.allocations,
        "projects": sizes.projects,
        "returns": sizes.returns,
        "payments": sizes.payments,
        "audit_events": sizes.audit_events,
    }
    assert "milestone_return" in result.output  # progress, table by table


def test_small_is_exactly_one_percent_of_department_scale():
    small, department = sizes_for(0.01), sizes_for(1.0)
    assert department.returns == 1_000_000 and department.allocations == 50_000
    for name in ("streams", "organisations", "allocations", "projects", "returns", "payments"):
        assert getattr(small, name) * 100 == getattr(department, name), name


def dump(app) -> dict[str, list]:
    with app.app_context():
        return {
            table.name: [
                tuple(row)
                for row in db.session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def test_the_same_seed_makes_the_same_rows_and_another_seed_others(fresh):
    first, first_runner = fresh()
    second, second_runner = fresh()
    third, third_runner = fresh()
    assert generate(first_runner, "--seed", "7").exit_code == 0
    assert generate(second_runner, "--seed", "7").exit_code == 0
    assert generate(third_runner, "--seed", "8").exit_code == 0
    assert dump(first) == dump(second)
    assert dump(first)["allocation"] != dump(third)["allocation"]


def test_it_refuses_a_database_holding_the_demo_data_unless_forced(fresh):
    app, runner = fresh()
    migrate_and_seed(app)
    users_before = count(app, User)
    refused = generate(runner)
    assert refused.exit_code == 1
    assert "did not make" in refused.output and "--force" in refused.output
    assert count(app, Allocation) == scalar(app, "SELECT COUNT(*) FROM allocation")
    assert scalar(app, "SELECT COUNT(*) FROM allocation WHERE identifier LIKE '%BENCH%'") == 0

    forced = generate(runner, "--force")
    assert forced.exit_code == 0, forced.output
    assert count(app, User) > users_before  # added beside the demo data, which is untouched
    # officer, officer2, finance, finance2, viewer, admin: the demo's, untouched
    assert scalar(app, "SELECT COUNT(*) FROM app_user WHERE email LIKE '%demo.gov.uk'") == 6
    again = generate(runner, "--force")
    assert again.exit_code == 1 and "cannot replace" in again.output


def test_it_refuses_production_even_when_forced(fresh):
    app, runner = fresh(ENV="production", SECRET_KEY="x" * 40, AUDIT_CHAIN_KEY="y" * 40)
    for options in ((), ("--force",)):
        refused = generate(runner, *options)
        assert refused.exit_code == 1 and "production" in refused.output
    assert count(app, Allocation) == 0


def test_the_service_cli_has_no_benchmark_command(fresh):
    """The generator lives in bench/ (`python -m bench.data`); the service's `flask` has none."""
    app, runner = fresh()
    assert "bench-data" not in app.cli.list_commands(None)
    assert runner.invoke(args=["bench-data"]).exit_code != 0


def test_it_asks_for_the_schema_to_be_migrated_first(fresh):
    _, runner = fresh(migrate=False)
    refused = generate(runner)
    assert refused.exit_code == 1 and "flask db upgrade" in refused.output


def test_running_again_replaces_its_own_data(fresh):
    app, runner = fresh()
    assert generate(runner).exit_code == 0
    again = generate(runner, "--scale", "0.001")
    assert again.exit_code == 0, again.output
    assert "Replacing" in again.output
    assert count(app, Allocation) == sizes_for(0.001).allocations


RULES = {
    "a stream's live allocations over its budget in a financial year": """
        SELECT COUNT(*) FROM stream_budget b JOIN (
            SELECT a.stream_id, y.financial_year, SUM(y.amount_pence) AS pence
            FROM allocation_year y JOIN allocation a ON a.id = y.allocation_id
            WHERE a.status <> 'withdrawn' GROUP BY a.stream_id, y.financial_year
        ) s ON s.stream_id = b.stream_id AND s.financial_year = b.financial_year
        WHERE s.pence > b.resource_pence + b.capital_pence""",
    "an allocation's profile not adding up to its amount": """
        SELECT COUNT(*) FROM allocation a JOIN (
            SELECT allocation_id, SUM(amount_pence) AS pence FROM allocation_year
            GROUP BY allocation_id) y ON y.allocation_id = a.id
        WHERE y.pence <> a.amount_pence""",
    "a profile year outside the stream's years": """
        SELECT COUNT(*) FROM allocation_year y JOIN allocation a ON a.id = y.allocation_id
        JOIN funding_stream s ON s.id = a.stream_id
        WHERE y.financial_year NOT BETWEEN s.first_year AND s.last_year""",
    "payments on an allocation adding up to more than it": """
        SELECT COUNT(*) FROM allocation a JOIN (
            SELECT allocation_id, SUM(amount_pence) AS pence FROM payment
            WHERE status <> 'held' GROUP BY allocation_id) p ON p.allocation_id = a.id
        WHERE p.pence > a.amount_pence""",
    "a payment approved by whoever requested it": """
        SELECT COUNT(*) FROM payment WHERE approved_by_id = requested_by_id""",
    "a payment not requested by an officer or approved by a non-finance user": """
        SELECT COUNT(*) FROM payment p JOIN app_user r ON r.id = p.requested_by_id
        LEFT JOIN app_user f ON f.id = p.approved_by_id
        WHERE r.role <> 'officer' OR (p.approved_by_id IS NOT NULL AND f.role <> 'finance')""",
    "a payment for a return that is not approved": """
        SELECT COUNT(*) FROM payment p JOIN milestone_return r ON r.id = p.return_id
        WHERE r.status <> 'approved'""",
    "an approved return without its payment": """
        SELECT COUNT(*) FROM milestone_return r LEFT JOIN payment p ON p.return_id = r.id
        WHERE r.status = 'approved' AND p.id IS NULL""",
    "a payment whose amount is not its return's spend": """
        SELECT COUNT(*) FROM payment p JOIN (
            SELECT return_id, SUM(amount_pence) AS pence FROM return_spend GROUP BY return_id
        ) s ON s.return_id = p.return_id WHERE s.pence <> p.amount_pence""",
    "a payment on another allocation than its return's": """
        SELECT COUNT(*) FROM payment p JOIN milestone_return r ON r.id = p.return_id
        JOIN project j ON j.id = r.project_id WHERE j.allocation_id <> p.allocation_id""",
    "a paid payment without a date and reference, or paid before approval": """
        SELECT COUNT(*) FROM payment WHERE status = 'paid' AND (paid_on IS NULL
        OR payment_reference IS NULL OR approved_at IS NULL)""",
    "a completed milestone carrying money without its payment, or a payment for another": """
        SELECT COUNT(*) FROM milestone m LEFT JOIN payment p ON p.milestone_id = m.id
        WHERE (m.status = 'completed' AND m.payment_pence IS NOT NULL AND p.id IS NULL)
        OR (p.id IS NOT NULL AND (m.status <> 'completed' OR p.amount_pence <> m.payment_pence))
        """,
    "progress reported on a milestone of another project or period": """
        SELECT COUNT(*) FROM return_milestone_progress g
        JOIN milestone m ON m.id = g.milestone_id JOIN milestone_return r ON r.id = g.return_id
        WHERE m.project_id <> r.project_id
        OR m.due_on NOT BETWEEN r.period_start AND r.period_end""",
    "a return of an allocation that never became active": """
        SELECT COUNT(*) FROM milestone_return r JOIN project j ON j.id = r.project_id
        JOIN allocation a ON a.id = j.allocation_id WHERE a.status NOT IN ('active', 'closed')""",
    "a return for a period outside its allocation's dates": """
        SELECT COUNT(*) FROM milestone_return r JOIN project j ON j.id = r.project_id
        JOIN allocation a ON a.id = j.allocation_id
        WHERE r.period_end < a.planned_start OR r.period_start > a.planned_end
        OR r.due_on <= r.period_end""",
    "a submitted or reviewed return without who and when": """
        SELECT COUNT(*) FROM milestone_return WHERE
        (status IN ('submitted', 'approved', 'changes requested', 'awaiting sign-off')
         AND (submitted_at IS NULL OR drafted_by_id IS NULL OR declared_by_name = ''))
        OR (status IN ('approved', 'changes requested')
            AND (reviewed_at IS NULL OR reviewed_at < submitted_at))""",
    "a return drafted or signed off by someone outside its organisation": """
        SELECT COUNT(*) FROM milestone_return r JOIN project j ON j.id = r.project_id
        JOIN allocation a ON a.id = j.allocation_id
        LEFT JOIN app_user d ON d.id = r.drafted_by_id
        LEFT JOIN app_user c ON c.id = r.signed_off_by_id
        WHERE d.organisation_id <> a.organisation_id OR c.organisation_id <> a.organisation_id
        OR r.signed_off_by_id = r.drafted_by_id""",
    "an offered allocation approved by the officer who drafted it": """
        SELECT COUNT(*) FROM allocation WHERE approved_by_id = created_by_id""",
    "a grantee without an organisation, or a civil servant with one": """
        SELECT COUNT(*) FROM app_user WHERE (role IN ('grantee', 'certifier'))
        <> (organisation_id IS NOT NULL)""",
    "a second open variation on one allocation": """
        SELECT COUNT(*) FROM (SELECT allocation_id FROM variation WHERE status = 'requested'
        GROUP BY allocation_id HAVING COUNT(*) > 1) v""",
    "an audit event after the data's day, or out of time order": """
        SELECT COUNT(*) FROM audit_event a JOIN audit_event b ON b.id = a.id + 1
        WHERE b.occurred_at < a.occurred_at OR b.occurred_at >= '2026-10-20'""",
}


def test_the_generated_data_keeps_every_rule_of_the_services(fresh, db_kind):
    app, runner = fresh()
    assert generate(runner, scale="0.001").exit_code == 0
    broken = {rule: n for rule, sql in RULES.items() if (n := scalar(app, sql))}
    assert broken == {}
    if db_kind == "sqlite":
        with app.app_context():
            assert db.session.execute(sa.text("PRAGMA foreign_key_check")).all() == []
    # Review queues, overdue lists and finance's queue all have something in them.
    for status in ("submitted", "draft", "changes requested", "approved", "not started"):
        sql = f"SELECT COUNT(*) FROM milestone_return WHERE status = '{status}'"  # noqa: S608
        assert scalar(app, sql) > 0, status
    assert scalar(app, "SELECT COUNT(*) FROM payment WHERE status <> 'paid'") > 0
    assert scalar(app, "SELECT COUNT(*) FROM organisation WHERE NOT is_illustrative") == 0
    # The generated audit trail is one unbroken hash chain, as the services' own would be.
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "Audit trail intact" in verified.output


def test_generated_users_sign_in_and_new_rows_follow_on(fresh):
    app, runner = fresh(DEMO_PASSWORD=DEMO_PASSWORD)
    assert generate(runner).exit_code == 0
    app.config["SIGN_IN_SLOWDOWN_SECONDS"] = 0
    for email in ("officer-01@department.bench.invalid", "grantee@org-00001.bench.invalid"):
        visitor = Browser(app.test_client())
        response = visitor.sign_in(email)
        assert response.status_code == 302, email
    # Signing in wrote audit events and sign-in attempts: their ids followed on from the
    # generated ones (on PostgreSQL, the sequences were moved past them).
    assert scalar(app, "SELECT MAX(id) FROM audit_event") == sizes_for(float(TINY)).audit_events + 2
