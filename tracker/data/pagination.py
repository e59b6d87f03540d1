"""Pages of a list, GOV.UK pagination style (Previous, "Page 3 of 20", Next).

Lists that can be long page by key (keyset): the Next link carries the last row's sort key and
the next page starts after it, so page 500 costs what page 1 costs, where OFFSET would read and
throw away 25,000 rows first. A page number typed into the URL without a key still works (by
OFFSET). Counts are capped: past COUNT_CAP a list says "more than 10,000", so counting never
reads more than that many rows, and the caller may count from a query without the joins the
page itself needs."""

from dataclasses import dataclass, field
from datetime import date
from math import ceil
from typing import Any

from sqlalchemy import Select, func, select, tuple_

from tracker.extensions import db

PER_PAGE = 50
COUNT_CAP = 10_000


@dataclass
class Page:
    items: list[Any]
    number: int
    per_page: int
    total: int
    more_than_total: bool = False  # the count stopped at COUNT_CAP
    next_key: str | None = None
    previous_key: str | None = None
    _has_next: bool | None = field(default=None, repr=False)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def pages_label(self) -> str:
        return f"more than {self.pages:,}" if self.more_than_total else f"{self.pages:,}"

    @property
    def total_label(self) -> str:
        return f"More than {self.total:,}" if self.more_than_total else f"{self.total:,}"

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        if self._has_next is not None:
            return self._has_next
        return self.number < self.pages or self.more_than_total


def count(query: Select) -> tuple[int, bool]:
    """How many rows, up to COUNT_CAP (and whether there were more)."""
    cap = COUNT_CAP
    capped = query.order_by(None).limit(cap + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(capped)) or 0
    return min(total, cap), total > cap


def _encode(values) -> str:
    return "_".join(v.isoformat() if isinstance(v, date) else str(v) for v in values)


def _decode(text: str, keys: list) -> list | None:
    """The key values in a link, each of its column's type; None for anything else (a link
    altered by hand is ignored, never an error)."""
    parts = text.split("_")
    if len(parts) != len(keys):
        return None
    values = []
    for part, key in zip(parts, keys, strict=True):
        kind = key.type.python_type
        try:
            if kind is int and part.isdigit() and len(part) < 10:
                values.append(int(part))
            elif kind is date:
                values.append(date.fromisoformat(part))
            else:
                return None
        except ValueError:
            return None
    return values


def paginate(
    query: Select,
    page: int,
    per_page: int | None = None,
    *,
    keys: list | None = None,
    descending: bool = False,
    after: str | None = None,
    before: str | None = None,
    count_query: Select | None = None,
) -> Page:
    """One page of a query (ordered by `keys`, all one way, when given) and the capped count:
    two queries. `after`/`before` are the keys from a previous page's links."""
    page, per_page = max(1, page), per_page or PER_PAGE
    total, more = count(count_query if count_query is not None else query)
    if keys:
        position = tuple_(*keys)
        after_values = _decode(after, keys) if after else None
        before_values = _decode(before, keys) if before else None
        if after_values is not None:
            bound = tuple_(*after_values)
            query = query.where(position < bound if descending else position > bound)
        elif before_values is not None:
            bound = tuple_(*before_values)
            query = query.where(position > bound if descending else position < bound)
            flipped = [k.asc() if descending else k.desc() for k in keys]
            query = query.order_by(None).order_by(*flipped)
        elif page > 1:
            query = query.offset((page - 1) * per_page)
        items = list(db.session.scalars(query.limit(per_page + 1)))
        if before_values is not None and after_values is None:
            extra = len(items) > per_page
            items = list(reversed(items[:per_page]))
            has_next = True
            if not extra and page > 1:
                page = 1  # went back past the first page's start: this is the first page
        else:
            has_next = len(items) > per_page
            items = items[:per_page]
        names = [k.key for k in keys]
        return Page(
            items,
            page,
            per_page,
            total,
            more,
            next_key=_encode([getattr(items[-1], n) for n in names]) if items else None,
            previous_key=_encode([getattr(items[0], n) for n in names]) if items else None,
            _has_next=has_next,
        )
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, total, more)
