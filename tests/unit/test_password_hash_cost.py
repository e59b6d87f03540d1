"""Passwords are hashed with argon2id at argon2-cffi's own cost (RFC 9106's low-memory profile)
everywhere but the tests, which lower it so that making and checking a password is not most of
their time. Production cannot be given less: the app will not start."""

import argon2
import pytest
from argon2.profiles import RFC_9106_LOW_MEMORY

from tests.conftest import TEST_PASSWORD_HASH_COST, build_app
from tracker import create_app
from tracker.config import Config
from tracker.services.passwords import STRONG, hash_password, verify_password

PASSWORD = "a pass phrase long enough"


def parameters_of(password_hash: str) -> argon2.Parameters:
    return argon2.extract_parameters(password_hash)


def app_with(tmp_path, **settings):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.db'}",
            "AUDIT_CHAIN_KEY": "an-audit-chain-key-for-this-test-only",
            **settings,
        }
    )


def test_the_strong_cost_is_argon2s_own_recommendation():
    assert STRONG.time_cost == RFC_9106_LOW_MEMORY.time_cost == 3
    assert STRONG.memory_kib == RFC_9106_LOW_MEMORY.memory_cost == 65536
    assert STRONG.parallelism == RFC_9106_LOW_MEMORY.parallelism == 4
    hasher = argon2.PasswordHasher()
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 65536, 4)


def test_production_settings_keep_the_strong_cost_and_the_environment_cannot_lower_it(
    monkeypatch,
):
    for name in (
        "PASSWORD_HASH_TIME_COST",
        "PASSWORD_HASH_MEMORY_KIB",
        "PASSWORD_HASH_PARALLELISM",
    ):
        monkeypatch.setenv(name, "1")
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-secret-for-this-test-only")
    monkeypatch.setenv("AUDIT_CHAIN_KEY", "an-audit-chain-key-for-this-test-only")
    settings = Config()
    assert settings.ENV == "production"
    assert settings.PASSWORD_HASH_TIME_COST == 3
    assert settings.PASSWORD_HASH_MEMORY_KIB == 65536
    assert settings.PASSWORD_HASH_PARALLELISM == 4


@pytest.mark.parametrize("environment", ["production", "development"])
def test_a_password_set_outside_the_tests_is_hashed_at_the_strong_cost(tmp_path, environment):
    app = app_with(tmp_path, ENV=environment, SECRET_KEY="a-secret-for-this-test-only")
    with app.app_context():
        made = hash_password(PASSWORD)
        assert verify_password(made, PASSWORD)
        assert not verify_password(made, PASSWORD + "!")
        assert not verify_password(None, PASSWORD)
    found = parameters_of(made)
    assert found.type is argon2.Type.ID
    assert (found.time_cost, found.memory_cost, found.parallelism) == (3, 65536, 4)


def test_without_an_app_a_password_is_hashed_at_the_strong_cost():
    found = parameters_of(hash_password(PASSWORD))
    assert (found.time_cost, found.memory_cost, found.parallelism) == (3, 65536, 4)


@pytest.mark.parametrize(
    "weaker",
    [
        {"PASSWORD_HASH_TIME_COST": 2},
        {"PASSWORD_HASH_MEMORY_KIB": 65535},
        {"PASSWORD_HASH_PARALLELISM": 1},
        TEST_PASSWORD_HASH_COST,
    ],
)
def test_the_app_will_not_start_in_production_with_a_cheaper_hash(tmp_path, weaker):
    with pytest.raises(RuntimeError, match="PASSWORD_HASH_"):
        app_with(tmp_path, ENV="production", SECRET_KEY="a-secret-for-this-test-only", **weaker)


def test_the_tests_hash_cheaply_and_still_check_a_strong_hash(tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'unused.db'}")
    strong = hash_password(PASSWORD)  # outside the app: the strong cost
    with app.app_context():
        cheap = hash_password(PASSWORD)
        # A hash carries its own parameters: either verifies whatever the app's cost.
        assert verify_password(cheap, PASSWORD) and verify_password(strong, PASSWORD)
        assert not verify_password(cheap, "another pass phrase")
        assert not verify_password(None, PASSWORD)
    found = parameters_of(cheap)
    assert (found.time_cost, found.memory_cost, found.parallelism) == (1, 8, 1)
