"""A set of running-total figures: sums by (table, key) that can be added to, merged and
compared. Contributions compute them; tracking writes the difference of two of them."""

from collections import defaultdict
from dataclasses import dataclass, field

from tracker.models.totals import ADDITIVE

# The region of the rows that add up every region: no organisation's region is ever "*" (the
# organisation form offers a list of regions), so it cannot be mistaken for one.
EVERY_REGION = "*"
_REGION_AT = {
    model.__tablename__: [c.name for c in model.__table__.columns if c.primary_key].index("region")
    for model in ADDITIVE
    if "region" in model.__table__.c
}


@dataclass
class Figures:
    """Sums by (table, key), and each rated project's latest rating."""

    sums: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    ratings: dict = field(default_factory=dict)  # project_id -> row of latest_project_rating

    def add(self, table, key: tuple, **values: int) -> None:
        """Adds to the row of `key`, and where the table is keyed by region, to the same key's
        row for every region (EVERY_REGION): what a page without a region filter reads."""
        keys = [key]
        at = _REGION_AT.get(table.__tablename__)
        if at is not None:
            keys.append((*key[:at], EVERY_REGION, *key[at + 1 :]))
        for one in keys:
            row = self.sums[table.__tablename__, one]
            for column, amount in values.items():
                row[column] += amount

    def merge(self, other: "Figures") -> None:
        for key, values in other.sums.items():
            row = self.sums[key]
            for column, amount in values.items():
                row[column] += amount
        self.ratings.update(other.ratings)

    def minus(self, before: "Figures") -> dict:
        """The changes that take `before` to these figures, zeros left out."""
        out: dict = {}
        for key in set(self.sums) | set(before.sums):
            after_row, before_row = self.sums.get(key, {}), before.sums.get(key, {})
            delta = {
                column: after_row.get(column, 0) - before_row.get(column, 0)
                for column in set(after_row) | set(before_row)
            }
            delta = {column: d for column, d in delta.items() if d}
            if delta:
                out[key] = delta
        return out
