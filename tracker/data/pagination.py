from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import Select, func, select

from tracker.extensions import db

PER_PAGE = 50


@dataclass
class Page:
    items: list[Any]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(query: Select, page: int, per_page: int = PER_PAGE) -> Page:
    """One page of a query (already ordered) and the count: always two queries."""
    page = max(1, page)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, total or 0)
