"""The dashboards' filter choices: funders (departments)."""

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import (
    Department,
)


def departments() -> list[tuple[int, str]]:
    return [
        tuple(r)
        for r in db.session.execute(
            select(Department.id, Department.name).order_by(Department.name)
        )
    ]
