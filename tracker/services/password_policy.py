"""What a password must be, following the NCSC's guidance: long enough, not one of the
passwords attackers try first, and nothing else (no rules about digits, symbols or case, which
only make people choose predictable ones). The same rules apply wherever a password is set:
an administrator adding a user, `flask create-user`, the demo seed, and "Change your password".
"""

import gzip
from functools import cache
from pathlib import Path

from tracker.services.errors import RuleBroken

MIN_LENGTH = 12
# Long enough for any passphrase or password manager; short enough that hashing it is cheap.
MAX_LENGTH = 256
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "passwords" / "common-passwords.txt.gz"


@cache
def common_passwords() -> frozenset[str]:
    """The 20,000 common passwords no one may choose, lower-cased (read from the packaged list)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def check_password(password: str, *, email: str | None = None, field: str = "password") -> None:
    """Refuses (RuleBroken on `field`) a password that is too short, too long, common, or the
    user's own email address. A password is kept exactly as typed, but spaces around it do not
    count towards its length: eleven spaces and an x is not a 12-character password."""
    if len(password.strip()) < MIN_LENGTH:
        raise RuleBroken(f"Password must be {MIN_LENGTH} characters or more", field)
    if len(password) > MAX_LENGTH:
        raise RuleBroken(f"Password must be {MAX_LENGTH} characters or fewer", field)
    folded = password.strip().lower()
    if email and folded == email.strip().lower():
        raise RuleBroken("Password must not be the email address", field)
    if folded in common_passwords():
        raise RuleBroken(
            "Choose a password that is harder to guess: this one is on a list of common passwords",
            field,
        )
