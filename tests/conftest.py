"""Shared fixtures: the app on SQLite or PostgreSQL (`--db`), migrated and seeded once per run;
a test client that checks every page it fetches; signed-in clients for the demo users."""

import contextlib
import os
import re
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.engine import make_url

from tests.databases import Databases
from tests.reading import page_read
from tests.reliability import Figures
from tests.session_sign_in import sign_in_with_a_session
from tools.postgres_server import throwaway_postgres

DEMO_PASSWORD = "demo-password-for-tests"
OFFICER = "officer@demo.gov.uk"
OFFICER_NAME = "Olu Officer (demo)"
OFFICER_2 = "officer2@demo.gov.uk"
FINANCE = "finance@demo.gov.uk"
FINANCE_2 = "finance2@demo.gov.uk"
VIEWER = "viewer@demo.gov.uk"
ADMIN = "admin@demo.gov.uk"
LAMBETH_GRANTEE = "grantee@london-borough-of-lambeth.demo.org.uk"
SOUTHAMPTON_GRANTEE = "grantee@southampton-city-council.demo.org.uk"


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=["sqlite", "postgresql"],
        default=os.environ.get("TEST_DB", "sqlite"),
        help="the database the integration tests run against",
    )
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="leave out the tests that run on one database only (unit, browser, bench): what "
        "make test runs on PostgreSQL after the whole suite on SQLite",
    )


_FIGURES = Figures()


@pytest.fixture(scope="session")
def reliability() -> Figures:
    """Where the proof tests record their figures (see tests/reliability.py)."""
    return _FIGURES


def pytest_terminal_summary(terminalreporter, config):
    part_file = os.environ.get("TRACKER_RELIABILITY_FILE")  # set by tests/run_all.py
    path = _FIGURES.write(config.getoption("--db"), Path(part_file) if part_file else None)
    if path is not None:
        terminalreporter.section("reliability figures")
        for line in _FIGURES.lines():
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"written to {path}")


# Tests about signing in sign in through the form, whatever they use (see the `signed_in`
# fixture): the modules whose names say so, and any test marked `sign_in_form`.
ABOUT_SIGNING_IN = re.compile(r"sign_in|session|two_factor|throttle|password")
# What runs on one database only (the SQLite pass of `make test`): what it proves is the same on
# either. Everything else runs on both; a test here that exercises the database is marked
# `both_databases` to run on both too.
ONE_DATABASE_FOLDERS = ("unit", "browser", "bench")


def uses_the_sign_in_form(item) -> bool:
    return bool(ABOUT_SIGNING_IN.search(item.path.stem))


def runs_on_one_database(item) -> bool:
    folder = item.path.parent
    return (
        folder.name in ONE_DATABASE_FOLDERS
        and folder.parent == Path(__file__).parent
        and item.get_closest_marker("both_databases") is None
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if uses_the_sign_in_form(item):
            item.add_marker(pytest.mark.sign_in_form)
        if runs_on_one_database(item):
            item.add_marker(pytest.mark.one_database)
    if config.getoption("--database-tests-only"):
        left_out = [item for item in items if "one_database" in item.keywords]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if "one_database" not in item.keywords]
    if config.getoption("--db") != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL: runs in the --db postgresql pass")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)


# --- databases -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def db_kind(request) -> str:
    return request.config.getoption("--db")


@pytest.fixture(scope="session")
def database_server(db_kind):
    """For PostgreSQL, the server's URL (TEST_DATABASE_URL, or a throwaway one); else None."""
    if db_kind != "postgresql":
        yield None
        return
    given = os.environ.get("TEST_DATABASE_URL")
    with contextlib.nullcontext(given) if given else throwaway_postgres() as url:
        yield make_url(url).set(drivername="postgresql+psycopg")


@pytest.fixture(scope="session")
def databases(database_server, tmp_path_factory) -> Databases:
    """Fresh databases for the run (tests/databases.py), dropped at its end."""
    made = Databases(database_server, tmp_path_factory.mktemp("db"))
    _DATABASES.append(made)
    yield made
    _DATABASES.remove(made)
    made.drop_all()


@pytest.fixture(scope="session")
def make_database(databases):
    """A factory for fresh, empty databases (dropped at the end of the run)."""
    return databases.make


# The run's Databases, for migrate_and_seed (a plain function the tests call) to find.
_DATABASES: list[Databases] = []

# argon2 at its least cost in tests (production keeps argon2's own: test_password_hash_cost.py).
TEST_PASSWORD_HASH_COST = {
    "PASSWORD_HASH_TIME_COST": 1,
    "PASSWORD_HASH_MEMORY_KIB": 8,
    "PASSWORD_HASH_PARALLELISM": 1,
}


def build_app(database_url: str, **overrides):
    from tracker import create_app

    # An app a test builds as production's hashes as production does (it would not start else).
    cost = {} if overrides.get("ENV") == "production" else TEST_PASSWORD_HASH_COST
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "ENV": "test",
            "SERVER_NAME": None,
            **cost,
            **overrides,
        }
    )


def migrate_and_seed(app) -> None:
    """Migrates the app's database and loads the streams and demo data. A fresh database from
    `make_database` gets a copy of the run's template instead, which holds the same rows."""
    if _DATABASES and _DATABASES[-1].copy_into(app, migrate_and_seed_slowly):
        return
    migrate_and_seed_slowly(app)


def migrate_and_seed_slowly(app) -> None:
    from flask_migrate import upgrade

    from tracker.commands.seeding import seed
    from tracker.extensions import db

    with app.app_context():
        upgrade()
        seed(demo=True, password=DEMO_PASSWORD, environment="test")
        db.session.commit()


@pytest.fixture(scope="session")
def app(make_database):
    """The app on a database migrated and seeded (streams and demo data) once for the run."""
    application = build_app(make_database())
    application.test_client_class = PageCheckingClient
    migrate_and_seed(application)
    yield application
    from tracker.extensions import db

    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def transaction(app):
    """Runs the test inside one outer transaction that is rolled back at the end: every commit
    the app makes becomes a savepoint release, so tests never see each other's changes."""
    from tracker.extensions import db

    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # A plain Session bound to our connection: Flask-SQLAlchemy's own Session would pick
        # the engine (a new connection) and wait on the lock this one holds.
        db.session = sa.orm.scoped_session(
            sa.orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def uploads(app, tmp_path, monkeypatch) -> Path:
    """The shared app's upload folder, pointed at an empty folder for this test only."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


# --- the page-checking client ----------------------------------------------------------------


class PageProblem(AssertionError):
    pass


def check_page(response) -> None:
    """What every HTML page must be: one h1 that the title starts with, no duplicate ids, a
    nonce on every inline script, and a label for every field."""
    soup = page_read(response)
    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        raise PageProblem(f"{len(h1s)} h1 elements on {response.request.path}")
    heading = " ".join(h1s[0].get_text().split())
    title = " ".join((soup.title.get_text() if soup.title else "").split())
    if not title.removeprefix("Error: ").startswith(heading):
        raise PageProblem(f"title {title!r} does not start with the h1 {heading!r}")
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    duplicates = [i for i, n in ids.items() if n > 1]
    if duplicates:
        raise PageProblem(f"duplicate ids {duplicates} on {response.request.path}")
    csp = response.headers.get("Content-Security-Policy", "")
    nonce = re.search(r"'nonce-([^']+)'", csp)
    for script in soup.find_all("script"):
        if script.get("src") or script.get("type") == "application/json":
            continue
        if not nonce or script.get("nonce") != nonce.group(1):
            raise PageProblem(
                f"an inline script without the page's nonce on {response.request.path}"
            )
    labelled = {label.get("for") for label in soup.find_all("label")}
    for control in soup.find_all(["input", "select", "textarea"]):
        if control.get("type") in {"hidden", "submit", "button"}:
            continue
        if control.get("id") not in labelled:
            raise PageProblem(f"the field {control.get('name')!r} has no label")
    if soup.find("form", method=re.compile("post", re.I)):
        for form in soup.find_all("form", method=re.compile("post", re.I)):
            if not form.find("input", attrs={"name": "csrf_token"}):
                raise PageProblem(f"a form without a CSRF token on {response.request.path}")


class PageCheckingClient(FlaskClient):
    def open(self, *args, **kwargs):
        # The `transaction` fixture keeps one app context for the whole test, and requests
        # reuse it: empty `g` first, as a new request would find it (Flask-WTF's CSRF token and
        # Flask-Login's user are cached there).
        from flask import g, has_app_context

        if has_app_context():
            g.__dict__.clear()
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
            check_page(response)
        return response


def csrf_token_from(response) -> str:
    match = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)
    ) or re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


class Browser:
    """A test client that behaves like a person: it reads the form's CSRF token from the page
    before it posts, and signs in through the sign-in page."""

    def __init__(self, client: PageCheckingClient):
        self.client = client

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, *, form_page: str | None = None, **kwargs):
        page = self.client.get(form_page or url, follow_redirects=True)
        payload = {"csrf_token": csrf_token_from(page), **(data or {})}
        return self.client.post(url, data=payload, **kwargs)

    def sign_in(self, email: str, password: str = DEMO_PASSWORD):
        return self.post("/sign-in", {"email": email, "password": password})

    def text(self, url: str) -> str:
        return " ".join(page_read(self.get(url)).get_text(" ").split())


@pytest.fixture
def browser(app, transaction):
    return Browser(app.test_client())


@pytest.fixture
def signed_in(app, transaction, request):
    """signed_in(email) gives a Browser signed in as that user: through the sign-in form in the
    tests about signing in (`uses_the_sign_in_form`), and elsewhere with a session started as the
    form would start it (tests/session_sign_in.py), which is much quicker."""
    through_the_form = request.node.get_closest_marker("sign_in_form") is not None

    def make(email: str) -> Browser:
        visitor = Browser(app.test_client())
        if not through_the_form and sign_in_with_a_session(app, visitor.client, email):
            return visitor
        response = visitor.sign_in(email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return visitor

    return make


def text_of(response) -> str:
    return " ".join(page_read(response).get_text(" ").split())


# --- the clock -------------------------------------------------------------------------------


class Clock:
    """A clock the test moves (the app's CLOCK setting): no test waits for real time."""

    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.moment += timedelta(**delta)


@pytest.fixture
def clock(app, monkeypatch) -> Clock:
    from tracker.models.base import utcnow

    moved = Clock(utcnow())
    monkeypatch.setitem(app.config, "CLOCK", moved)
    return moved
