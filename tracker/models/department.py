from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, Timestamped


class Department(Timestamped, Base):
    """A funder: a government department, with its org-id (for example GB-GOR-D6)."""

    __tablename__ = "department"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    org_id: Mapped[str] = mapped_column(String(60), unique=True)
