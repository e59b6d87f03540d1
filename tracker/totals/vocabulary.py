"""One vocabulary of money, defined once: which rows each word counts. The totals are kept in
these terms, and every dashboard, the minister's summary and their notes use these words and
these definitions (`TERMS`), so a figure means the same thing wherever it is shown."""

from dataclasses import dataclass

from tracker.models import AllocationStatus, PaymentStatus, ReturnStatus

A = AllocationStatus

# Where an allocation stands, as money: drafts and offers not yet accepted are never
# "committed". A closed grant's money stays committed (what it paid back is counted apart, as
# recovered); a withdrawn one counts nowhere.
IN_DRAFT = frozenset({A.DRAFT})
OFFERED = frozenset({A.OFFERED})
COMMITTED = frozenset({A.ACCEPTED, A.ACTIVE, A.CLOSED})
# Not withdrawn: an allocation whose projects still carry a rating.
LIVE = frozenset(set(AllocationStatus) - {A.WITHDRAWN})
# A grant that has ended: nothing more will be spent on it, so its forecasts are ignored.
ENDED = frozenset({A.CLOSED})

# Spend a grantee has reported and the department has in hand (not drafts).
REPORTED = frozenset(
    {ReturnStatus.SUBMITTED, ReturnStatus.APPROVED, ReturnStatus.CHANGES_REQUESTED}
)
# Returns still owed by the grantee: overdue once their due date has passed.
OPEN = frozenset(
    {
        ReturnStatus.NOT_STARTED,
        ReturnStatus.DRAFT,
        ReturnStatus.AWAITING_SIGN_OFF,
        ReturnStatus.CHANGES_REQUESTED,
    }
)
PAID = PaymentStatus.PAID
# Approved by finance and waiting to be marked paid: money the year will spend.
APPROVED_UNPAID = PaymentStatus.APPROVED


def money_column(status: AllocationStatus) -> str | None:
    """The total_money column an allocation's profile counts in, by its status."""
    if status in COMMITTED:
        return "committed_pence"
    if status in OFFERED:
        return "offered_pence"
    if status in IN_DRAFT:
        return "in_draft_pence"
    return None


def latest_rating(returns) -> tuple[str, str, object] | None:
    """The RAG rating a project carries now, from its returns (objects with id, status,
    period_start, revision, self_rag and reviewer_rag): the department's reviewer's rating on
    its latest reviewed return, where any has been reviewed (it wins over a later self-rating
    nobody has reviewed yet); otherwise the grantee's own rating on its latest return the
    department has in hand (submitted, sent back or approved: a draft's is not yet given).
    Gives (rag, who rated it: "reviewer" or "grantee", the period it was for), or None."""
    reviewed = [r for r in returns if r.reviewer_rag is not None]
    if reviewed:
        latest = max(reviewed, key=lambda r: (r.period_start, r.revision, r.id))
        return str(_value(latest.reviewer_rag)), "reviewer", latest.period_start
    rated = [r for r in returns if r.self_rag is not None and r.status in REPORTED]
    if rated:
        latest = max(rated, key=lambda r: (r.period_start, r.revision, r.id))
        return str(_value(latest.self_rag)), "grantee", latest.period_start
    return None


def _value(rag):
    return getattr(rag, "value", rag)


@dataclass(frozen=True)
class Term:
    name: str
    meaning: str


TERMS = [
    Term(
        "Announced",
        "what the announcement said the stream would get (21 May 2020); the summary's "
        "total counts only measures announced at the summit, not related measures, and "
        '"about" marks an amount the source gives as approximate',
    ),
    Term("Budget", "what the department has set aside for the stream, resource and capital"),
    Term("In draft", "allocations being drawn up, not yet offered to the grantee"),
    Term("Offered", "allocations offered to the grantee and not yet accepted"),
    Term(
        "Committed",
        "allocations the grantee has accepted: accepted, active and closed grants. "
        "Drafts and offers not yet accepted are never counted here",
    ),
    Term("Paid", "payments the department has made to grantees"),
    Term(
        "Reported spend",
        "what grantees say they spent, in returns submitted to the department "
        "(submitted, approved, or sent back for changes), by the period the return is for",
    ),
    Term(
        "Recovered",
        "money a grantee paid back when a grant closed, as finance recorded it received (by "
        "the date received); money written off is not recovered",
    ),
]
TERM_MEANINGS = {term.name: term.meaning for term in TERMS}
