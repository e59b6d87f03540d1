"""The queries behind the downloads. Each reads plain rows with a Core select and
`yield_per`, so a download of any size holds only a batch of rows in memory at a time.

Every export takes the same filters (`ExportFilters`): a financial year, a stream, a funder (a
department, or streams whose funder the source does not state) and a region (the grantee
organisation's). What the financial year means differs by what is exported, and is said on each
function.
"""

from tracker.data.exports.allocations import (
    PUBLISHABLE_FUNDER,
    allocation_rows,
    awarded_allocation_rows,
    count_allocations,
    count_awarded_allocations,
    count_awarded_allocations_held_back,
    profile_years,
)
from tracker.data.exports.filters import (
    AWARDED_STATUSES,
    BATCH,
    FUNDER_NOT_STATED,
    ExportFilters,
    FilterChoices,
    filter_choices,
)
from tracker.data.exports.payments import count_payments, payment_rows
from tracker.data.exports.returns import count_returns, return_rows

__all__ = [
    "AWARDED_STATUSES",
    "BATCH",
    "FUNDER_NOT_STATED",
    "PUBLISHABLE_FUNDER",
    "ExportFilters",
    "FilterChoices",
    "allocation_rows",
    "awarded_allocation_rows",
    "count_allocations",
    "count_awarded_allocations",
    "count_awarded_allocations_held_back",
    "count_payments",
    "count_returns",
    "filter_choices",
    "payment_rows",
    "profile_years",
    "return_rows",
]
