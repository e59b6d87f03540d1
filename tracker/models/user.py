from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.roles import Role
from tracker.models.base import Base, Timestamped, status_enum
from tracker.models.organisation import Organisation


class User(UserMixin, Timestamped, Base):
    __tablename__ = "app_user"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(status_enum(Role, "role"))
    # Grantees belong to exactly one organisation; nobody else belongs to any (service rule).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # A grantee organisation's lead (set by an officer) invites and removes colleagues in their
    # own organisation.
    is_lead: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    last_signed_in_at: Mapped[datetime | None]
    # A second factor (TOTP, RFC 6238): the shared secret once set up, and the last time-step
    # whose code was accepted, so that no code is accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    organisation: Mapped[Organisation | None] = relationship()

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active


class SignInAttempt(Base):
    """Every sign-in attempt (a password, a second-factor code, or the current password on
    changing it), stored before it is checked: `succeeded` is set once it is right; `refused`
    says it was not checked at all, because the account, browser or address had to wait."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    remote_address: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(index=True)
    succeeded: Mapped[bool]
    refused: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class SignInThrottle(Base):
    """One counter of failed sign-ins: for an account, for one browser's tries at an account, or
    for an address (`key` says which). Counted with one conditional UPDATE, so that attempts
    racing each other are all counted (tracker/services/sign_in_throttle.py)."""

    __tablename__ = "sign_in_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]
    # No attempt is checked before this time (none while it is in the future).
    wait_until: Mapped[datetime | None]
