"""The key that signs sessions is never one written in the code (issue 14, item 3): the service
will not start without SECRET_KEY (or SECRET_KEY_FILE) except in tests, which make a random one,
and `make run`, which makes a random one once and keeps it in instance/secret_key, readable by
its owner only. A session forged with the development key that once was the default is worth
nothing."""

import stat
import subprocess
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import FINANCE, build_app
from tracker import config
from tracker.models import User

ROOT = Path(__file__).resolve().parent.parent.parent
OLD_DEVELOPMENT_KEY = "development-only-not-secret"  # what anyone could read in config.py


@pytest.fixture
def no_key_given(monkeypatch, tmp_path):
    """Nothing in the environment, and an instance folder with no key kept in it."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    monkeypatch.setattr(config, "INSTANCE_PATH", tmp_path / "instance")
    # The audit chain's key is given (its own test is test_audit_chain_key.py): these are about
    # SECRET_KEY.
    monkeypatch.setenv("AUDIT_CHAIN_KEY", config.TEST_AUDIT_CHAIN_KEY)
    return tmp_path / "instance"


@pytest.mark.parametrize("environment", ["development", "test", "production"])
def test_the_service_will_not_start_without_a_secret_key(
    make_database, no_key_given, environment
):
    with pytest.raises(RuntimeError, match="Set SECRET_KEY"):
        build_app(make_database(), ENV=environment, TESTING=False)


def test_each_test_app_makes_a_random_key_of_its_own(make_database, no_key_given):
    first, second = build_app(make_database()), build_app(make_database())
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert OLD_DEVELOPMENT_KEY not in {first.config["SECRET_KEY"], second.config["SECRET_KEY"]}


def forged_session(key: str, contents: dict) -> str:
    """A session cookie signed with `key`, as Flask signs its own."""
    forger = Flask("forger")
    forger.secret_key = key
    return forger.session_interface.get_signing_serializer(forger).dumps(contents)


def test_a_session_forged_with_the_old_development_key_skips_nothing(app, transaction):
    """With the known key, anyone could forge "this browser gave the right password" for any
    user with a second factor, and skip the password."""
    finance = transaction.query(User).filter_by(email=FINANCE).one()
    finance.totp_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    transaction.flush()
    visitor = app.test_client()
    visitor.get("/sign-in")
    waiting = {"user_id": finance.id, "since": "2999-01-01T00:00:00", "next": "/home"}
    cookie = forged_session(OLD_DEVELOPMENT_KEY, {"waiting_for_code": waiting})
    visitor.set_cookie("session", cookie)
    response = visitor.get("/sign-in/two-factor")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"


def test_make_run_makes_a_key_once_readable_by_its_owner_only(tmp_path):
    kept = tmp_path / "instance" / "secret_key"
    subprocess.run([ROOT / "bin" / "make-secret-key", kept], check=True, capture_output=True)
    key = kept.read_text().strip()
    assert len(key) >= 64
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    subprocess.run([ROOT / "bin" / "make-secret-key", kept], check=True, capture_output=True)
    assert kept.read_text().strip() == key  # kept: sessions survive a restart


def test_the_service_reads_the_key_make_run_kept(make_database, no_key_given):
    subprocess.run(
        [ROOT / "bin" / "make-secret-key", no_key_given / "secret_key"],
        check=True,
        capture_output=True,
    )
    app = build_app(make_database(), ENV="development", TESTING=False)
    assert app.config["SECRET_KEY"] == (no_key_given / "secret_key").read_text().strip()


def test_a_kept_key_others_can_read_is_refused(make_database, no_key_given):
    no_key_given.mkdir()
    (no_key_given / "secret_key").write_text("x" * 64)
    (no_key_given / "secret_key").chmod(0o644)
    with pytest.raises(RuntimeError, match="can be read by others"):
        build_app(make_database(), ENV="development", TESTING=False)


def test_production_never_falls_back_to_the_kept_key(make_database, no_key_given):
    subprocess.run(
        [ROOT / "bin" / "make-secret-key", no_key_given / "secret_key"],
        check=True,
        capture_output=True,
    )
    with pytest.raises(RuntimeError, match="Set SECRET_KEY"):
        build_app(make_database(), ENV="production", TESTING=False)


def test_a_key_file_can_be_named_instead(make_database, no_key_given, tmp_path, monkeypatch):
    mounted = tmp_path / "mounted-secret"
    mounted.write_text("a-key-from-a-secrets-manager-" + "k" * 40 + "\n")
    mounted.chmod(0o600)
    monkeypatch.setenv("SECRET_KEY_FILE", str(mounted))
    app = build_app(make_database(), ENV="production", TESTING=False)
    assert app.config["SECRET_KEY"] == "a-key-from-a-secrets-manager-" + "k" * 40
