from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.statuses import PayeeStatus
from tracker.models.base import Base, Timestamped, status_enum
from tracker.models.organisation import Organisation


class PayeeAccount(Timestamped, Base):
    """The bank account a grantee organisation is paid into. A change is proposed by one person
    and confirmed by another, who retypes the sort code and account number; once confirmed,
    payments to the organisation are held until `holds_payments_until`."""

    __tablename__ = "payee_account"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    account_name: Mapped[str] = mapped_column(String(200))
    sort_code: Mapped[str] = mapped_column(String(6))  # six digits, no dashes
    account_number: Mapped[str] = mapped_column(String(8))  # eight digits
    status: Mapped[PayeeStatus] = mapped_column(
        status_enum(PayeeStatus, "payee_status"), default=PayeeStatus.PROPOSED
    )
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    proposed_at: Mapped[datetime]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    confirmed_at: Mapped[datetime | None]
    holds_payments_until: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()

    @property
    def masked_sort_code(self) -> str:
        return f"**-**-{self.sort_code[4:]}"

    @property
    def masked_account_number(self) -> str:
        return f"****{self.account_number[4:]}"

    @property
    def masked(self) -> str:
        """What the screen shows: never the whole sort code or account number."""
        return (
            f"{self.account_name}, sort code {self.masked_sort_code}, "
            f"account {self.masked_account_number}"
        )
