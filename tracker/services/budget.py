"""The over-commitment rule, in one place: a stream's live allocations never exceed its budget,
overall or in any financial year. Callers hold the stream's lock (see lock_stream) while they
check and write, so two officers racing for the last of a budget cannot both win."""

from tracker.data import streams as stream_data
from tracker.domain.money import format_pounds
from tracker.domain.periods import FinancialYear
from tracker.models import FundingStream
from tracker.services.errors import RuleBroken


def lock(stream: FundingStream) -> None:
    """Queue behind any other allocation write for this stream (a row lock on PostgreSQL; on
    SQLite the transaction already holds the database's write lock from its start)."""
    stream_data.lock_stream(stream.id)


def check_fits(
    stream: FundingStream,
    amount_pence: int,
    profile: dict[int, int],
    *,
    excluding: int | None = None,
) -> None:
    """Raises RuleBroken naming the amount still free if the allocation would not fit."""
    budgets = {
        budget.financial_year: budget.total_pence
        for budget in stream_data.budgets_for_stream(stream.id, lock=True)
    }
    total_budget = sum(budgets.values())
    already = stream_data.allocated_to_stream(stream.id, excluding=excluding)
    free = max(total_budget - already, 0)
    if already + amount_pence > total_budget:
        raise RuleBroken(
            f"The amount must be {format_pounds(free)} or less: that is all that is still free "
            f"in the {stream.name} budget",
            "amount",
        )
    by_year = stream_data.allocated_by_year(stream.id, excluding=excluding)
    for year, pence in sorted(profile.items()):
        year_free = max(budgets.get(year, 0) - by_year.get(year, 0), 0)
        if by_year.get(year, 0) + pence > budgets.get(year, 0):
            label = FinancialYear(year).label
            raise RuleBroken(
                f"The amount for {label} must be {format_pounds(year_free)} or less: that is all "
                f"that is still free in the {label} budget",
                f"year_{year}",
            )
