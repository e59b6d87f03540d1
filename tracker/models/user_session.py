from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.statuses import SessionEndReason
from tracker.models.base import Base, status_enum
from tracker.models.user import User


class UserSession(Base):
    """A signed-in session. The browser's cookie carries a random id; only its SHA-256 is kept
    here, so a copy of the database opens no session. A row that has ended never lives again."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[SessionEndReason | None] = mapped_column(
        status_enum(SessionEndReason, "session_end_reason")
    )

    user: Mapped[User] = relationship()

    @property
    def live(self) -> bool:
        return self.ended_at is None
