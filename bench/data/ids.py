"""Row ids, decided before anything is written, so rows can point at each other without asking
the database: each table's ids follow on from the largest already there (none, unless --force
adds to other data)."""

import random
from dataclasses import dataclass

import sqlalchemy as sa

from bench.data.plan import Plan

TABLES = [
    "department",
    "funding_stream",
    "indicator",
    "stream_budget",
    "organisation",
    "app_user",
    "allocation",
    "allocation_year",
    "allocation_category",
    "variation",
    "project",
    "project_target",
    "return_forecast",
    "milestone",
    "milestone_return",
    "return_spend",
    "return_indicator_value",
    "return_milestone_progress",
    "return_review",
    "payment",
    "audit_event",
]


@dataclass
class Ids:
    """The id before each table's first generated row."""

    base: dict[str, int]
    plan: Plan

    @classmethod
    def after_existing(cls, connection: sa.Connection, plan: Plan) -> "Ids":
        base = {
            table: connection.exec_driver_sql(
                f"SELECT COALESCE(MAX(id), 0) FROM {table}"  # noqa: S608 - our own table names
            ).scalar()
            for table in TABLES
        }
        return cls(base, plan)

    @property
    def staff(self) -> int:
        return self.plan.sizes.officers + self.plan.sizes.finance_officers + 2

    def officer(self, n: int) -> int:
        return self.base["app_user"] + 1 + n

    def finance(self, n: int) -> int:
        return self.base["app_user"] + 1 + self.plan.sizes.officers + n

    def grantee(self, organisation: int) -> int:
        return self.base["app_user"] + 1 + self.staff + 2 * organisation

    def certifier(self, organisation: int) -> int:
        return self.grantee(organisation) + 1

    def stream(self, n: int) -> int:
        return self.base["funding_stream"] + 1 + n

    def organisation(self, n: int) -> int:
        return self.base["organisation"] + 1 + n

    def allocation(self, i: int) -> int:
        return self.base["allocation"] + 1 + i

    def indicators(self, stream: int) -> list[int]:
        """The ids of one stream's indicators (numbered stream by stream)."""
        if not hasattr(self, "_indicators"):
            self._indicators, next_id = [], self.base["indicator"]
            for s in self.plan.streams:
                self._indicators.append(list(range(next_id + 1, next_id + 1 + len(s.indicators))))
                next_id += len(s.indicators)
        return self._indicators[stream]


def rng_for(plan: Plan, purpose: int, i: int) -> random.Random:
    """A generator of its own for one object, so every pass over the data draws the same."""
    return random.Random((plan.seed * 1_000_003 + i) * 16 + purpose)  # noqa: S311 - not secret


TIMES, RETURNS, MILESTONES, VARIATIONS = range(4)
