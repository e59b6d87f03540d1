"""The dashboards' filter choices: funders (departments) and regions."""

from sqlalchemy import distinct, select

from tracker.extensions import db
from tracker.models import (
    Department,
    Organisation,
)


def departments() -> list[tuple[int, str]]:
    return [
        tuple(r)
        for r in db.session.execute(
            select(Department.id, Department.name).order_by(Department.name)
        )
    ]


def regions() -> list[str]:
    return [
        r
        for (r,) in db.session.execute(
            select(distinct(Organisation.region))
            .where(Organisation.region != "")
            .order_by(Organisation.region)
        )
    ]
