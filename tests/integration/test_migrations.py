"""Migration hygiene: the migrations build exactly the schema the models describe (no drift),
they run down to nothing and up again, and they form one line of history."""

import io

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from tests.conftest import build_app
from tracker.extensions import db


@pytest.fixture
def fresh(make_database):
    """An app on a new, empty database (not migrated), and a CLI runner for it."""
    app = build_app(make_database())
    yield app, app.test_cli_runner()
    with app.app_context():
        db.engine.dispose()


def flask_db(runner, *args: str) -> str:
    result = runner.invoke(args=["db", *args])
    assert result.exit_code == 0, f"flask db {' '.join(args)} failed: {result.output}"
    return result.output


def drift(app) -> list:
    """What autogenerate would put in a new migration, compared as `flask db check` does."""
    options = app.extensions["migrate"].configure_args
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": options.get("compare_type", True),
                "render_as_batch": options.get("render_as_batch", False),
                "target_metadata": db.metadata,
            },
        )
        return compare_metadata(context, db.metadata)


def tables(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def current_revision(app) -> str | None:
    with app.app_context(), db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(app) -> str:
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        return ScriptDirectory.from_config(config).get_current_head()


def test_the_migrations_have_one_head(fresh):
    app, _ = fresh
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"the migrations have branched: {heads}; merge them"


def test_upgrading_an_empty_database_builds_every_table_of_the_models(fresh):
    app, runner = fresh
    assert tables(app) == set()
    flask_db(runner, "upgrade")
    assert tables(app) == set(db.metadata.tables) | {"alembic_version"}
    assert current_revision(app) == head_revision(app)


def test_the_migrated_schema_matches_the_models_with_no_drift(fresh):
    app, runner = fresh
    flask_db(runner, "upgrade")
    differences = drift(app)
    assert differences == [], f"the models and migrations differ: {differences}"


def test_flask_db_check_finds_no_new_upgrade_operations(fresh):
    app, runner = fresh
    flask_db(runner, "upgrade")
    # `flask db check` exits 1 on drift (and prints to alembic's own stdout, which the runner
    # cannot see), so run it for its exit code, then run alembic's check for its message.
    flask_db(runner, "check")
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        config.stdout = io.StringIO()
        command.check(config)
    assert "No new upgrade operations detected" in config.stdout.getvalue()


def test_downgrading_to_base_removes_every_table_and_upgrading_again_rebuilds_them(fresh):
    app, runner = fresh
    flask_db(runner, "upgrade")
    flask_db(runner, "downgrade", "base")
    assert tables(app) - {"alembic_version"} == set()
    assert current_revision(app) is None
    flask_db(runner, "upgrade")
    assert tables(app) == set(db.metadata.tables) | {"alembic_version"}
    assert current_revision(app) == head_revision(app)
    assert drift(app) == []


def test_every_migration_steps_down_and_up_again_one_at_a_time(fresh):
    app, runner = fresh
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        revisions = list(ScriptDirectory.from_config(config).walk_revisions("base", "heads"))
    flask_db(runner, "upgrade")
    for revision in revisions:  # newest first
        flask_db(runner, "downgrade", revision.down_revision or "base")
        assert current_revision(app) == revision.down_revision
    assert tables(app) - {"alembic_version"} == set()
    for revision in reversed(revisions):
        flask_db(runner, "upgrade", revision.revision)
        assert current_revision(app) == revision.revision
    assert drift(app) == []


def test_a_migrated_database_takes_the_seed_data(fresh):
    app, runner = fresh
    flask_db(runner, "upgrade")
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    assert "8 streams added" in result.output
