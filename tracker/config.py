"""Settings, read from the environment once at start-up. SQLite in instance/ by default."""

import os
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


@dataclass
class Config:
    """Every setting the service reads; the README lists them."""

    ENV: str = field(default_factory=lambda: os.environ.get("TRACKER_ENV", "development"))
    SECRET_KEY: str = field(default_factory=lambda: os.environ.get("SECRET_KEY", ""))
    SQLALCHEMY_DATABASE_URI: str = field(default_factory=_database_url)
    SQLALCHEMY_ENGINE_OPTIONS: dict = field(default_factory=lambda: {"pool_pre_ping": True})
    SERVICE_NAME: str = "Track Hidden Harms grants"
    # Sign-in throttling: failures counted in the database, so it holds across gunicorn workers.
    SIGN_IN_WINDOW_MINUTES: int = field(default_factory=lambda: _int("SIGN_IN_WINDOW_MINUTES", 15))
    SIGN_IN_SLOW_AFTER: int = field(default_factory=lambda: _int("SIGN_IN_SLOW_AFTER", 3))
    SIGN_IN_SLOWDOWN_SECONDS: float = field(
        default_factory=lambda: float(os.environ.get("SIGN_IN_SLOWDOWN_SECONDS", "1"))
    )
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT: int = field(
        default_factory=lambda: _int("SIGN_IN_MAX_FAILURES_PER_ACCOUNT", 10)
    )
    SIGN_IN_MAX_FAILURES_PER_ADDRESS: int = field(
        default_factory=lambda: _int("SIGN_IN_MAX_FAILURES_PER_ADDRESS", 30)
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
    # Tests set a callable returning the time (naive UTC) to move the clock: see tracker/clock.py.
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
    # A quarterly return is due this many working days after its period ends.
    RETURN_DUE_WORKING_DAYS: int = field(
        default_factory=lambda: _int("RETURN_DUE_WORKING_DAYS", 20)
    )
    DEMO_PASSWORD: str = field(default_factory=lambda: os.environ.get("TRACKER_DEMO_PASSWORD", ""))
    TESTING: bool = False

    def __post_init__(self) -> None:
        # Bodies much bigger than an upload may be are refused before they are read (413).
        self.MAX_CONTENT_LENGTH = self.UPLOAD_MAX_BYTES + 1024 * 1024
        if self.ENV == "production":
            self.SESSION_COOKIE_SECURE = True
            if not self.SECRET_KEY:
                raise RuntimeError(
                    "Set SECRET_KEY: the service will not start in production without it"
                )
        elif not self.SECRET_KEY:
            self.SECRET_KEY = "development-only-not-secret"  # noqa: S105
        if self.ENV != "development":
            self.SESSION_COOKIE_SECURE = True

    def as_dict(self) -> dict:
        return dict(self.__dict__)
