
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.domain.statuses import OrganisationType
from tracker.models.base import Base, Timestamped, status_enum


class Organisation(Timestamped, Base):
    """A grantee."""

    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(200), index=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[OrganisationType] = mapped_column(
        status_enum(OrganisationType, "organisation_type")
    )
    org_id: Mapped[str] = mapped_column(String(60), unique=True)
    region: Mapped[str] = mapped_column(String(60), default="")
    local_authority_code: Mapped[str] = mapped_column(String(9), default="")
    is_illustrative: Mapped[bool] = mapped_column(default=False)
