"""The database unavailable (issue 6, part 5): a GOV.UK "Sorry, there is a problem with the
service" page with status 503 and Retry-After, never a stack trace; /health says 503 too; and
when the database is back the service recovers by itself, without restarting anything.

PostgreSQL: a server of the test's own (never the session's shared one), stopped with
`pg_ctl stop -m fast` under a running gunicorn. SQLite: the folder holding the database file
goes missing (storage unmounted) and comes back."""

import pytest
from bs4 import BeautifulSoup

from tests.conftest import OFFICER, Browser, PageCheckingClient, build_app, migrate_and_seed
from tests.live.clients import WebClient, csrf_token, page_text
from tests.live.restartable_postgres import restartable_postgres
from tracker.extensions import db

PAGES_WHILE_DOWN = ["/home", "/streams", "/allocations", "/payments", "/returns"]


def assert_sorry_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Content-Type"].startswith("text/html")
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.h1.get_text(strip=True) == "Sorry, there is a problem with the service"
    assert soup.title.get_text(strip=True).startswith("Sorry, there is a problem with the service")
    text = page_text(response)
    assert "Try again later." in text
    for leak in ("Traceback", "OperationalError", "psycopg", "sqlite3", "connection failed"):
        assert leak not in response.text
    # The GOV.UK template, with its assets, not a bare error.
    assert soup.find("header", class_="govuk-template__header") is not None
    assert soup.find(class_="govuk-footer") is not None
    # Drawn as nobody signed in: loading the user would have needed the database.
    assert "Signed in as" not in text


@pytest.mark.postgres_only
def test_postgresql_stopping_gives_503_pages_and_the_service_recovers_by_itself(
    serve, reliability, tmp_path
):
    with restartable_postgres() as postgres:
        app = build_app(postgres.url)
        migrate_and_seed(app)
        with app.app_context():
            db.engine.dispose()
        server = serve(app, workers=2)
        officer = WebClient(server.url, OFFICER)
        try:
            officer.sign_in()
            home = officer.get("/home")
            assert home.status_code == 200
            workers_before = server.worker_pids()

            postgres.stop("fast")
            while_down = [officer.get(url) for url in PAGES_WHILE_DOWN]
            health_down = officer.get("/health")
            # A form posted while it is down is not saved, and says so; so is a page that
            # is not found or a form that has expired, for someone signed in.
            form_post = officer.post("/sign-out", {"csrf_token": csrf_token(home)})
            not_found = officer.get("/allocations/999999")
            expired = officer.post("/sign-out", {"csrf_token": "expired"})

            postgres.start()
            after = officer.get("/home")
            health_after = officer.get("/health")
            workers_after = server.worker_pids()
        finally:
            officer.close()

    for response in [*while_down, form_post, not_found, expired]:
        assert_sorry_page(response)
    assert health_down.status_code == 503, health_down.text[:500]
    assert health_down.json() == {"status": "unavailable", "database": "unavailable"}
    # Back: the same client, still signed in, with no restart of gunicorn or its workers.
    assert after.status_code == 200, page_text(after)[:300]
    assert "Signed in as" in page_text(after)
    assert health_after.status_code == 200 and health_after.json() == {"status": "ok"}
    assert workers_after == workers_before
    assert "Traceback" not in server.log_text()
    reliability.record("faults", "database stopped (PostgreSQL)", 1)
    reliability.record("faults", "requests answered 503", len(while_down) + 4)
    reliability.record("faults", "recovered without restart", "yes")


def test_a_missing_sqlite_database_gives_503_pages_and_the_service_recovers_by_itself(
    tmp_path, db_kind, reliability
):
    if db_kind != "sqlite":
        pytest.skip("the SQLite outage runs in the --db sqlite pass")
    storage = tmp_path / "storage"
    storage.mkdir()
    url = f"sqlite:///{storage / 'tracker.db'}"
    setup = build_app(url)
    migrate_and_seed(setup)
    with setup.app_context():
        db.engine.dispose()

    # The folder holding the database goes away (storage not mounted) before the app (or a
    # restarted worker) first connects: SQLite cannot open the file.
    storage.rename(tmp_path / "away")
    app = build_app(url)
    app.test_client_class = PageCheckingClient
    visitor = Browser(app.test_client())
    signing_in = visitor.sign_in(OFFICER)
    health = visitor.get("/health")

    (tmp_path / "away").rename(storage)
    signed_in = visitor.sign_in(OFFICER)
    home = visitor.get("/home")
    health_after = visitor.get("/health")
    with app.app_context():
        db.engine.dispose()

    assert signing_in.status_code == 503
    assert signing_in.headers["Retry-After"] == "30"
    text = " ".join(BeautifulSoup(signing_in.get_data(as_text=True), "html.parser").text.split())
    assert "Sorry, there is a problem with the service Try again later." in text
    assert "Traceback" not in signing_in.get_data(as_text=True)
    assert health.status_code == 503
    assert health.get_json() == {"status": "unavailable", "database": "unavailable"}
    assert not (tmp_path / "away").exists() and (storage / "tracker.db").exists()
    assert signed_in.status_code == 302
    assert home.status_code == 200
    assert health_after.status_code == 200
    reliability.record("faults", "database file missing (SQLite)", 1)
    reliability.record("faults", "requests answered 503", 2)
    reliability.record("faults", "recovered without restart", "yes")
