from sqlalchemy import Boolean, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, Timestamped


class Department(Timestamped, Base):
    """A funder: a government department, with its org-id (for example GB-GOR-D6).

    An org-id goes into the 360Giving data for every grant the department funds, so it is
    published only once someone has checked it against the Government Organisation Register:
    `org_id_confirmed`, with `org_id_source` saying where it was checked. Until then the
    department's grants are kept out of the 360Giving package."""

    __tablename__ = "department"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    org_id: Mapped[str] = mapped_column(String(60), unique=True)
    org_id_confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    org_id_source: Mapped[str] = mapped_column(Text, default="", server_default="")
