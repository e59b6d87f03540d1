"""Settings, read from the environment once at start-up. SQLite in instance/ by default."""

import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

INSTANCE_PATH = Path(
    os.environ.get("TRACKER_INSTANCE_PATH", Path(__file__).parent.parent / "instance")
)


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_PATH / 'tracker.db'}")
    # Heroku-style URLs name the old driver; we use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# Only for apps built with TESTING outside production (never a service's key).
TEST_AUDIT_CHAIN_KEY = "audit-chain-key-for-tests-only"


def secret_setting(name: str, *, environment: str) -> str:
    """A secret the service must be given and never has a default for (SECRET_KEY): the
    environment variable `name`; or else the file that `name`_FILE names (as a secrets manager
    mounts one); or else, outside production, instance/<name in lower case>, which `make run`
    makes (bin/make-secret-key) and only its owner may read. Empty when there is none: the
    caller refuses to start. Never a value written in the code."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    given = os.environ.get(f"{name}_FILE")
    kept = INSTANCE_PATH / name.lower()
    path = Path(given) if given else (kept if environment != "production" else None)
    if path is None or not path.is_file():
        if given:
            raise RuntimeError(f"{name}_FILE names {given}, which is not a file")
        return ""
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise RuntimeError(f"{path} can be read by others: chmod 600 it ({name} is a secret)")
    return path.read_text().strip()


@dataclass
class Config:
    """Every setting the service reads; the README lists them."""

    ENV: str = field(default_factory=lambda: os.environ.get("TRACKER_ENV", "development"))
    # Signs session cookies and CSRF tokens: from secret_setting(), or the app will not start.
    SECRET_KEY: str = ""
    # Keys the audit trail's hash chain (HMAC): from secret_setting(), or the app will not start.
    AUDIT_CHAIN_KEY: str = ""
    SQLALCHEMY_DATABASE_URI: str = field(default_factory=_database_url)
    SQLALCHEMY_ENGINE_OPTIONS: dict = field(default_factory=lambda: {"pool_pre_ping": True})
    SERVICE_NAME: str = "Track Hidden Harms grants"
    # Sign-in throttling (tracker/services/sign_in_throttle.py), counted in the database so it
    # holds across gunicorn workers. An account's failures (from browsers that have not signed
    # in to it; each browser that has gets a counter of its own): this many free, then a wait
    # that starts here and doubles up to the longest; forgotten this long after the last one.
    SIGN_IN_FREE_FAILURES: int = field(default_factory=lambda: _int("SIGN_IN_FREE_FAILURES", 5))
    SIGN_IN_FIRST_WAIT_SECONDS: int = field(
        default_factory=lambda: _int("SIGN_IN_FIRST_WAIT_SECONDS", 30)
    )
    SIGN_IN_LONGEST_WAIT_MINUTES: int = field(
        default_factory=lambda: _int("SIGN_IN_LONGEST_WAIT_MINUTES", 15)
    )
    SIGN_IN_FORGET_HOURS: int = field(default_factory=lambda: _int("SIGN_IN_FORGET_HOURS", 24))
    # One address's failures (browsers unknown to the account they try): free, then waits from
    # 2 seconds doubling up to this (forgotten after 15 minutes without one).
    SIGN_IN_ADDRESS_FREE_FAILURES: int = field(
        default_factory=lambda: _int("SIGN_IN_ADDRESS_FREE_FAILURES", 5)
    )
    SIGN_IN_ADDRESS_LONGEST_WAIT_SECONDS: int = field(
        default_factory=lambda: _int("SIGN_IN_ADDRESS_LONGEST_WAIT_SECONDS", 60)
    )
    # Sessions live on the server (user_session): they end after this long without a request,
    # and this long after sign-in whatever happens; last-seen is written at most this often.
    SESSION_IDLE_MINUTES: int = field(default_factory=lambda: _int("SESSION_IDLE_MINUTES", 30))
    SESSION_MAX_HOURS: int = field(default_factory=lambda: _int("SESSION_MAX_HOURS", 12))
    SESSION_TOUCH_SECONDS: int = field(default_factory=lambda: _int("SESSION_TOUCH_SECONDS", 60))
    # Between a right password and a right code the visitor is not signed in; that half-way
    # state ends after this long.
    SIGN_IN_CODE_MINUTES: int = field(default_factory=lambda: _int("SIGN_IN_CODE_MINUTES", 5))
    # Civil servants must set up a second factor before they can use the service.
    REQUIRE_TWO_FACTOR: bool = field(default_factory=lambda: _bool("REQUIRE_TWO_FACTOR", False))
    # Tests set a callable returning the time (naive UTC) to move the clock: see
    # tracker/infrastructure/clock.py.
    CLOCK: object = None
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    SESSION_COOKIE_SECURE: bool = field(
        default_factory=lambda: _bool("SESSION_COOKIE_SECURE", False)
    )
    REMEMBER_COOKIE_HTTPONLY: bool = True
    WTF_CSRF_TIME_LIMIT: int = 3600 * 12
    # argon2id's cost (tracker/services/passwords.py): argon2-cffi's defaults, never lower in
    # production (the app will not start); only the tests lower them, and not from the
    # environment.
    PASSWORD_HASH_TIME_COST: int = 3
    PASSWORD_HASH_MEMORY_KIB: int = 65536
    PASSWORD_HASH_PARALLELISM: int = 4
    PROXY_FIX_HOPS: int = field(default_factory=lambda: _int("PROXY_FIX_HOPS", 0))
    # £100,000 or more needs a second officer's approval (grants functional standard).
    SECOND_APPROVAL_THRESHOLD_PENCE: int = 100_000_00
    # Evidence files: where they are kept (outside the web root) and how big one may be.
    UPLOAD_FOLDER: str = field(
        default_factory=lambda: os.environ.get("UPLOAD_FOLDER", str(INSTANCE_PATH / "uploads"))
    )
    UPLOAD_MAX_BYTES: int = field(
        default_factory=lambda: _int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
    )
    # Email: with no MAIL_SERVER, messages are kept in the outbox only (the embedded default).
    MAIL_SERVER: str = field(default_factory=lambda: os.environ.get("MAIL_SERVER", ""))
    MAIL_PORT: int = field(default_factory=lambda: _int("MAIL_PORT", 25))
    MAIL_USE_TLS: bool = field(default_factory=lambda: _bool("MAIL_USE_TLS", False))
    MAIL_USERNAME: str = field(default_factory=lambda: os.environ.get("MAIL_USERNAME", ""))
    MAIL_PASSWORD: str = field(default_factory=lambda: os.environ.get("MAIL_PASSWORD", ""))
    MAIL_FROM: str = field(
        default_factory=lambda: os.environ.get("MAIL_FROM", "noreply@hidden-harms.service.gov.uk")
    )
    BASE_URL: str = field(default_factory=lambda: os.environ.get("BASE_URL", ""))
    # Where users ask for another format, report an accessibility problem or ask about their
    # personal data (the accessibility statement and the privacy notice give it).
    SERVICE_CONTACT_EMAIL: str = field(
        default_factory=lambda: os.environ.get("SERVICE_CONTACT_EMAIL", "")
    )
    # Uploaded allocation files wait here between their preview and their import.
    IMPORT_FOLDER: str = field(
        default_factory=lambda: os.environ.get("IMPORT_FOLDER", str(INSTANCE_PATH / "imports"))
    )
    # The publisher named in the 360Giving data package (a department's org-id and name).
    THREE_SIXTY_GIVING_PUBLISHER_ID: str = field(
        default_factory=lambda: os.environ.get("THREE_SIXTY_GIVING_PUBLISHER_ID", "GB-GOR-D6")
    )
    THREE_SIXTY_GIVING_PUBLISHER_NAME: str = field(
        default_factory=lambda: os.environ.get(
            "THREE_SIXTY_GIVING_PUBLISHER_NAME", "Department for Education"
        )
    )
    # A confirmed change to an organisation's bank account holds payments to it this long.
    PAYEE_CHANGE_HOLD_DAYS: int = field(default_factory=lambda: _int("PAYEE_CHANGE_HOLD_DAYS", 5))
    # A quarterly return is due this many working days after its period ends.
    RETURN_DUE_WORKING_DAYS: int = field(
        default_factory=lambda: _int("RETURN_DUE_WORKING_DAYS", 20)
    )
    DEMO_PASSWORD: str = field(default_factory=lambda: os.environ.get("TRACKER_DEMO_PASSWORD", ""))
    TESTING: bool = False

    def __post_init__(self) -> None:
        # Bodies much bigger than an upload may be are refused before they are read (413).
        self.MAX_CONTENT_LENGTH = self.UPLOAD_MAX_BYTES + 1024 * 1024
        self.SECRET_KEY = self.SECRET_KEY or secret_setting("SECRET_KEY", environment=self.ENV)
        if not self.SECRET_KEY:
            if not self.TESTING or self.ENV == "production":
                raise RuntimeError(
                    "Set SECRET_KEY (or SECRET_KEY_FILE): the service will not start without "
                    "it. `make run` makes one for a local service in instance/secret_key."
                )
            # Each test app its own random key: a key anyone can read is a key anyone can use.
            self.SECRET_KEY = secrets.token_urlsafe(48)
        self.AUDIT_CHAIN_KEY = self.AUDIT_CHAIN_KEY or secret_setting(
            "AUDIT_CHAIN_KEY", environment=self.ENV
        )
        if not self.AUDIT_CHAIN_KEY:
            if not self.TESTING or self.ENV == "production":
                raise RuntimeError(
                    "Set AUDIT_CHAIN_KEY (or AUDIT_CHAIN_KEY_FILE): the audit trail's hashes are "
                    "keyed with it and the service will not start without it. `make run` makes "
                    "one for a local service in instance/audit_chain_key."
                )
            # Every test app shares one, as they share databases copied from one template.
            self.AUDIT_CHAIN_KEY = TEST_AUDIT_CHAIN_KEY
        if self.ENV != "development":
            self.SESSION_COOKIE_SECURE = True

    def as_dict(self) -> dict:
        return dict(self.__dict__)
