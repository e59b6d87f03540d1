"""How much data each scale makes. Department scale is the issue's; `small` is exactly 1% of it
(what `make test` and the benchmarks' comparison use); any fraction between is allowed."""

from dataclasses import dataclass, fields
from datetime import date, datetime

# Every date is fixed, never today's: the same seed makes the same rows on any day. The data
# stands as it would on this day: returns due before it are mostly in, later ones not started,
# and the quarter just ended (to 30 September) is being drafted, not yet due.
AS_OF = date(2026, 10, 20)
NOW = datetime(2026, 10, 20)
# A marker no real department has: the generator knows its own data by it.
DEPARTMENT_NAME = "Department for Benchmarks (generated test data)"
DEPARTMENT_ORG_ID = "GB-GOR-ZZ9999"
STREAM_CODE_PREFIX = "BENCH-"
EMAIL_DOMAIN = "bench.invalid"


@dataclass(frozen=True)
class Sizes:
    streams: int
    organisations: int
    allocations: int
    projects: int
    returns: int
    payments: int
    audit_events: int
    officers: int
    finance_officers: int

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEPARTMENT = Sizes(
    streams=100,
    organisations=5_000,
    allocations=50_000,
    projects=100_000,
    returns=1_000_000,
    payments=200_000,
    audit_events=1_000_000,
    officers=40,
    finance_officers=10,
)
SCALES = {"department": 1.0, "small": 0.01}
SMALLEST_FRACTION = 0.0002


class ScaleError(ValueError):
    pass


def fraction_of(scale: str) -> float:
    """`department`, `small`, or a fraction of department scale such as 0.001."""
    if scale in SCALES:
        return SCALES[scale]
    try:
        fraction = float(scale)
    except ValueError as error:
        raise ScaleError(
            f"Give --scale as department, small, or a fraction like 0.001, not {scale!r}"
        ) from error
    if not SMALLEST_FRACTION <= fraction <= 1:
        raise ScaleError(f"A fraction must be from {SMALLEST_FRACTION} to 1, not {scale}")
    return fraction


def sizes_for(fraction: float) -> Sizes:
    def part(n: int, least: int = 1) -> int:
        return max(least, round(n * fraction))

    return Sizes(
        streams=part(DEPARTMENT.streams),
        organisations=part(DEPARTMENT.organisations, 2),
        allocations=part(DEPARTMENT.allocations, 10),
        projects=part(DEPARTMENT.projects, 20),
        returns=part(DEPARTMENT.returns, 200),
        payments=part(DEPARTMENT.payments, 40),
        audit_events=part(DEPARTMENT.audit_events, 200),
        officers=part(DEPARTMENT.officers, 3),
        finance_officers=part(DEPARTMENT.finance_officers, 2),
    )
