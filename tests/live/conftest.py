"""Fixtures for the live tests: the real app under gunicorn against its own fresh database."""

from pathlib import Path

import pytest

from tests.conftest import build_app, migrate_and_seed
from tests.live.server import app_environment, gunicorn_serving


@pytest.fixture(scope="module")
def fresh_app(make_database):
    """The app (in this process, for setting up and counting) on a fresh database, migrated and
    seeded; the live server is started on the same database by the test's own fixture."""
    from tracker.extensions import db

    url = make_database()
    app = build_app(url)
    migrate_and_seed(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    """serve(app, workers=4, **env) starts gunicorn on the app's database; stopped at the end
    of the module whatever happens."""
    import contextlib

    stack = contextlib.ExitStack()

    def start(app, *, workers: int = 4, instance: Path | None = None, **extra_env: str):
        instance = instance or tmp_path_factory.mktemp("live-instance")
        env = app_environment(app.config["SQLALCHEMY_DATABASE_URI"], instance, **extra_env)
        return stack.enter_context(
            gunicorn_serving(env, workers=workers, log=instance / "gunicorn.log")
        )

    with stack:
        yield start
