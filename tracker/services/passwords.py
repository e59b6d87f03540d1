"""Password hashing with argon2id, at the cost the app's settings give (PASSWORD_HASH_*).

The settings default to argon2-cffi's own (RFC 9106's low-memory profile: 3 passes over 64 MiB
with 4 lanes), and the app refuses to start in production with anything cheaper. Only the tests
lower them, so that making and checking a password is not most of a test's time. A hash carries
its own parameters, so it verifies whatever cost the app checking it is set to."""

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, has_app_context

_EXTENSION = "password_hasher"


@dataclass(frozen=True)
class HashCost:
    time_cost: int  # passes over the memory
    memory_kib: int
    parallelism: int  # lanes


# argon2-cffi's PasswordHasher() defaults (RFC 9106, low memory).
STRONG = HashCost(time_cost=3, memory_kib=65536, parallelism=4)


class _Hasher:
    """One cost's hasher, and the hash an unknown account is checked against (made at that cost
    on first use, so an unknown email takes as long as a known one)."""

    def __init__(self, cost: HashCost):
        self.cost = cost
        self.hasher = PasswordHasher(
            time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism
        )
        self._dummy: str | None = None

    @property
    def dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self.hasher.hash("not-a-real-password-used-for-timing-only")
        return self._dummy


_STRONG_HASHER = _Hasher(STRONG)


def cost_from(config) -> HashCost:
    """The argon2 cost the app's settings ask for."""
    return HashCost(
        time_cost=config["PASSWORD_HASH_TIME_COST"],
        memory_kib=config["PASSWORD_HASH_MEMORY_KIB"],
        parallelism=config["PASSWORD_HASH_PARALLELISM"],
    )


def weaker_than_strong(cost: HashCost) -> bool:
    """Whether a cost is below the production cost in any dimension (allowed only in tests)."""
    return (
        cost.time_cost < STRONG.time_cost
        or cost.memory_kib < STRONG.memory_kib
        or cost.parallelism < STRONG.parallelism
    )


def init_app(app: Flask) -> None:
    """The app's hasher, at the cost its settings give. Production never hashes below STRONG:
    the app will not start there with a cheaper setting."""
    cost = cost_from(app.config)
    if app.config["ENV"] == "production" and weaker_than_strong(cost):
        raise RuntimeError(
            "PASSWORD_HASH_* are below argon2's recommended cost: the service will not start "
            "in production with them"
        )
    app.extensions[_EXTENSION] = _STRONG_HASHER if cost == STRONG else _Hasher(cost)


def _hasher() -> _Hasher:
    """The current app's hasher; the strong one outside an app (or an app that set none)."""
    if has_app_context():
        return current_app.extensions.get(_EXTENSION, _STRONG_HASHER)
    return _STRONG_HASHER


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A fresh random salt unless one is given (the benchmark generator gives one from its
    seed, so the same seed makes the same rows)."""
    return _hasher().hasher.hash(password, salt=salt)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True only for the password this hash was made from; an unknown account (no hash) is
    checked against a dummy hash first, so it takes as long as a known one."""
    hashing = _hasher()
    try:
        return (
            hashing.hasher.verify(password_hash or hashing.dummy_hash, password)
            and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False
