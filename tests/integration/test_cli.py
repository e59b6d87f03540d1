"""The command line: `flask seed` is idempotent and never loads demo data in production;
`flask create-user` adds a user who can sign in, and refuses a short password, an unknown
organisation, a grantee without one, and an email already in use.

Commands commit, so each test runs on a fresh database of its own, never the shared one."""

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_PASSWORD, build_app, csrf_token_from
from tracker.extensions import db
from tracker.models import (
    Allocation,
    AuditEvent,
    Department,
    FundingStream,
    Indicator,
    Milestone,
    Organisation,
    Project,
    Role,
    StreamBudget,
    User,
)
from tracker.services.passwords import verify_password

NED = "ned@demo.gov.uk"
NED_PASSWORD = "a-long-enough-password"
COUNTED = [
    Department,
    FundingStream,
    Indicator,
    StreamBudget,
    Organisation,
    User,
    Allocation,
    Project,
    Milestone,
    AuditEvent,
]


@pytest.fixture
def fresh(make_database):
    """A factory: an app on a new, migrated, empty database, and a CLI runner for it."""
    made = []

    def make(**config):
        app = build_app(make_database(), **config)
        runner = app.test_cli_runner()
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        made.append(app)
        return app, runner

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in COUNTED
        }


def stored_user(app, email: str) -> User | None:
    with app.app_context():
        found = db.session.scalar(select(User).where(User.email == email))
        if found is not None:
            db.session.expunge(found)
        return found


# --- flask seed ------------------------------------------------------------------------------


def test_seed_loads_the_eight_hidden_harms_streams(fresh):
    app, runner = fresh()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "8 streams added" in result.output
    stored = counts(app)
    assert stored["FundingStream"] == 8
    assert stored["Organisation"] == 0  # no demo data without --demo
    assert stored["User"] == 0
    with app.app_context():
        names = set(db.session.scalars(select(FundingStream.name)))
    assert "Social workers in schools" in names
    assert "Trusted Relationship Fund" in names


def test_confirm_org_id_publishes_a_department_once_checked_and_audits_it(fresh):
    from tracker.models import AuditEvent, Department

    app, runner = fresh()
    assert runner.invoke(args=["seed"]).exit_code == 0
    refused = runner.invoke(args=["confirm-org-id", "GB-GOR-D25", "--source", "x"])
    assert refused.exit_code != 0 and "No department has the org-id GB-GOR-D25" in refused.output
    result = runner.invoke(
        args=["confirm-org-id", "gb-gor-d16", "--source", "Checked in the register on a date"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        home_office = db.session.scalar(select(Department).where(Department.name == "Home Office"))
        assert (home_office.org_id, home_office.org_id_confirmed) == ("GB-GOR-D16", True)
        assert home_office.org_id_source == "Checked in the register on a date"
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "department org-id confirmed")
        )
        assert event.after["org_id_confirmed"] is True and event.before["org_id_confirmed"] is False


def test_seeding_twice_adds_nothing_the_second_time(fresh):
    app, runner = fresh()
    assert runner.invoke(args=["seed"]).exit_code == 0
    after_first = counts(app)
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "0 streams added" in second.output
    assert counts(app) == after_first
    assert after_first["FundingStream"] == 8


def test_seeding_the_demo_data_twice_adds_nothing_the_second_time(fresh):
    app, runner = fresh()
    first = runner.invoke(args=["seed", "--demo"])
    assert first.exit_code == 0, first.output
    after_first = counts(app)
    assert after_first["FundingStream"] == 8
    assert after_first["Organisation"] > 0
    assert after_first["User"] > 0
    assert after_first["Allocation"] > 0
    second = runner.invoke(args=["seed", "--demo"])
    assert second.exit_code == 0, second.output
    assert second.output.strip() == (
        "Seeded: 0 streams added, 0 organisations added, 0 users added, 0 allocations added"
    )
    assert counts(app) == after_first


def test_the_demo_users_can_sign_in_with_the_demo_password(fresh):
    app, runner = fresh()
    runner.invoke(args=["seed", "--demo"])
    officer = stored_user(app, "officer@demo.gov.uk")
    assert officer.role == Role.OFFICER
    assert verify_password(officer.password_hash, DEMO_PASSWORD)
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in"))
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": "officer@demo.gov.uk", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302


def test_seeding_demo_data_is_refused_in_production_and_nothing_is_stored(fresh):
    app, runner = fresh(
        ENV="production",
        SECRET_KEY="a-production-secret-key-for-the-test",
        AUDIT_CHAIN_KEY="a-production-audit-chain-key-for-the-test",
    )
    assert app.config["ENV"] == "production"
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 1
    assert "Demo data is never loaded where TRACKER_ENV=production" in result.output
    assert set(counts(app).values()) == {0}


def test_the_streams_can_still_be_seeded_in_production(fresh):
    app, runner = fresh(
        ENV="production",
        SECRET_KEY="a-production-secret-key-for-the-test",
        AUDIT_CHAIN_KEY="a-production-audit-chain-key-for-the-test",
    )
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    stored = counts(app)
    assert stored["FundingStream"] == 8
    assert stored["User"] == 0
    assert stored["Organisation"] == 0


def test_the_app_will_not_start_in_production_without_a_secret_key(make_database):
    with pytest.raises(RuntimeError, match="Set SECRET_KEY"):
        build_app(make_database(), ENV="production", SECRET_KEY="")


def test_demo_data_with_a_short_demo_password_is_refused_and_nothing_is_stored(fresh):
    app, runner = fresh(DEMO_PASSWORD="short")
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 1
    assert "Set TRACKER_DEMO_PASSWORD to 12 characters or more" in result.output
    # One transaction: the streams loaded before the refusal are not kept either.
    assert set(counts(app).values()) == {0}


# --- flask create-user -----------------------------------------------------------------------


def create_user(runner, *extra: str, password: str = NED_PASSWORD):
    return runner.invoke(
        args=["create-user", "--email", NED, "--name", "Ned New", *extra, "--password", password]
    )


def test_create_user_adds_a_user_who_can_sign_in(fresh):
    app, runner = fresh()
    result = create_user(runner, "--role", "finance")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Created ned@demo.gov.uk (Finance officer)"
    ned = stored_user(app, NED)
    assert ned.name == "Ned New"
    assert ned.role == Role.FINANCE
    assert ned.active is True
    assert ned.organisation_id is None
    assert verify_password(ned.password_hash, NED_PASSWORD)
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "user created", AuditEvent.object_id == ned.id
            )
        )
        assert event is not None
        assert event.actor_id is None
        assert event.remote_address == "system"
        assert event.after["role"] == "finance"


def test_create_user_asks_for_the_password_twice_when_not_given(fresh):
    app, runner = fresh()
    result = runner.invoke(
        args=["create-user", "--email", NED, "--name", "Ned New", "--role", "viewer"],
        input=f"{NED_PASSWORD}\n{NED_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert verify_password(stored_user(app, NED).password_hash, NED_PASSWORD)
    assert NED_PASSWORD not in result.output


def test_create_user_refuses_a_password_shorter_than_12_characters(fresh):
    app, runner = fresh()
    result = create_user(runner, "--role", "officer", password="elevenchars")
    assert result.exit_code == 1
    assert "Error: Password must be 12 characters or more" in result.output
    assert stored_user(app, NED) is None


def test_create_user_refuses_an_unknown_organisation(fresh):
    app, runner = fresh()
    runner.invoke(args=["seed", "--demo"])
    result = create_user(runner, "--role", "grantee", "--organisation", "GB-LAE-XXX")
    assert result.exit_code == 1
    assert "Error: No organisation has the identifier GB-LAE-XXX" in result.output
    assert stored_user(app, NED) is None


def test_create_user_adds_a_grantee_to_the_organisation_named_by_its_org_id(fresh):
    app, runner = fresh()
    runner.invoke(args=["seed", "--demo"])
    result = create_user(runner, "--role", "grantee", "--organisation", " gb-lae-lbh ")
    assert result.exit_code == 0, result.output
    ned = stored_user(app, NED)
    with app.app_context():
        lambeth = db.session.scalar(select(Organisation).where(Organisation.org_id == "GB-LAE-LBH"))
        assert ned.organisation_id == lambeth.id


def test_create_user_refuses_a_grantee_without_an_organisation(fresh):
    app, runner = fresh()
    result = create_user(runner, "--role", "grantee")
    assert result.exit_code == 1
    assert "Error: Select the organisation this grantee user belongs to" in result.output
    assert stored_user(app, NED) is None


def test_create_user_refuses_an_email_already_in_use(fresh):
    app, runner = fresh()
    assert create_user(runner, "--role", "officer").exit_code == 0
    again = runner.invoke(
        args=[
            "create-user",
            "--email",
            "NED@demo.gov.uk",
            "--name",
            "Another Ned",
            "--role",
            "admin",
            "--password",
            "another-long-password",
        ]
    )
    assert again.exit_code == 1
    assert "Error: A user with this email address already exists" in again.output
    assert stored_user(app, NED).name == "Ned New"
    assert counts(app)["User"] == 1


def test_create_user_refuses_a_role_that_does_not_exist(fresh):
    app, runner = fresh()
    result = create_user(runner, "--role", "superuser")
    assert result.exit_code == 2
    assert "Invalid value for '--role'" in result.output
    assert stored_user(app, NED) is None


def test_create_user_refuses_a_common_password_whatever_its_case(fresh):
    app, runner = fresh()
    result = create_user(runner, "--role", "officer", password="Qwerty123456")
    assert result.exit_code == 1
    assert "this one is on a list of common passwords" in result.output
    assert stored_user(app, NED) is None


def test_demo_data_with_a_common_demo_password_is_refused_and_nothing_is_stored(fresh):
    """Seeding creates its users through the same rules as everyone else."""
    app, runner = fresh(DEMO_PASSWORD="1q2w3e4r5t6y")
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 1
    assert "on a list of common passwords" in result.output
    assert set(counts(app).values()) == {0}
