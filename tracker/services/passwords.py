"""Password hashing with argon2id."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the email is unknown, so an unknown account takes as long as a known one.
_DUMMY_HASH = _hasher.hash("not-a-real-password-used-for-timing-only")

MIN_LENGTH = 12


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A fresh random salt unless one is given (the benchmark generator gives one from its
    seed, so the same seed makes the same rows)."""
    return _hasher.hash(password, salt=salt)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
