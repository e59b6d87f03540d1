"""The grants behind a stream's year-end outturn, read from the live rows (not the running
totals: the flag and the weekly email ask it of one stream at a time), and who to ask."""

from dataclasses import dataclass

from sqlalchemy import select

from tracker.domain.periods import FinancialYear
from tracker.extensions import db
from tracker.models import Allocation, Organisation, Role, User
from tracker.totals import contributions


@dataclass(frozen=True)
class GrantOutturn:
    allocation_id: int
    title: str
    organisation: str
    profile_pence: int
    outturn_pence: int

    @property
    def difference_pence(self) -> int:
        """Forecast outturn less the year's profile: negative is an underspend."""
        return self.outturn_pence - self.profile_pence


def driving(stream_id: int, year: FinancialYear, under: bool, limit: int) -> list[GrantOutturn]:
    """The `limit` committed grants of a stream whose forecast outturn for the year is furthest
    below (`under`) or above their profile: the grants that drive the stream's."""
    grants = contributions.outturn_of_stream(db.session.connection(), stream_id, year)
    way = -1 if under else 1
    grants = sorted(
        (g for g in grants if g.difference_pence * way > 0),
        key=lambda g: (-abs(g.difference_pence), g.allocation_id),
    )[:limit]
    names = {
        row.id: (row.title, row.name)
        for row in db.session.execute(
            select(Allocation.id, Allocation.title, Organisation.name)
            .join(Organisation, Organisation.id == Allocation.organisation_id)
            .where(Allocation.id.in_([g.allocation_id for g in grants]))
        )
    }
    return [
        GrantOutturn(g.allocation_id, *names[g.allocation_id], g.profile_pence, g.outturn_pence)
        for g in grants
    ]


def officers_of(stream_id: int) -> list[User]:
    """The programme officers who drafted or approved one of the stream's allocations, and are
    still active; every active programme officer where none did."""
    officers = select(User).where(User.role == Role.OFFICER, User.active.is_(True))
    worked = db.session.scalars(
        officers.where(
            User.id.in_(
                select(Allocation.created_by_id).where(Allocation.stream_id == stream_id)
            )
            | User.id.in_(
                select(Allocation.approved_by_id).where(Allocation.stream_id == stream_id)
            )
        ).order_by(User.email)
    ).all()
    return list(worked) or list(db.session.scalars(officers.order_by(User.email)))
