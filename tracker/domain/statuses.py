"""The words of the grant world that every layer shares: the statuses, kinds and ratings a
record can hold. The models store them; views, forms and services read them from here."""

import enum


class SessionEndReason(enum.StrEnum):
    SIGNED_OUT = "signed out"
    IDLE = "idle"
    EXPIRED = "expired"
    REPLACED = "replaced"
    USER_DEACTIVATED = "user deactivated"
    PASSWORD_CHANGED = "password changed"  # noqa: S105 (a reason, not a password)


class ReportingFrequency(enum.StrEnum):
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"


class EvidenceRating(enum.StrEnum):
    """Strength of evidence that the intervention works, in the What Works centres' terms."""

    NOT_YET_RATED = "not yet rated"
    PROMISING = "promising"
    SIGNS_OF_POTENTIAL = "signs of potential"
    MODERATE = "moderate"
    STRONG = "strong"
    NO_EFFECT = "evidence of no effect"


class MilestoneStatus(enum.StrEnum):
    PLANNED = "planned"
    COMPLETED = "completed"
    MISSED = "missed"


class PayeeStatus(enum.StrEnum):
    PROPOSED = "proposed"  # an officer has typed it; a second person has not confirmed it
    CONFIRMED = "confirmed"  # the organisation's account (the latest confirmed one)
    REPLACED = "replaced"  # a later account was confirmed
    CANCELLED = "cancelled"  # a proposal withdrawn or overtaken by a newer proposal


class PaymentStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    REQUESTED = "requested"
    APPROVED = "approved"
    PAID = "paid"
    HELD = "held"


class OrganisationType(enum.StrEnum):
    LOCAL_AUTHORITY = "local authority"
    SCHOOL_OR_TRUST = "school or trust"
    POLICE_FORCE = "police force"
    CHARITY = "charity"
    OTHER = "other"


class ReturnStatus(enum.StrEnum):
    NOT_STARTED = "not started"
    DRAFT = "draft"
    AWAITING_SIGN_OFF = "awaiting sign-off"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes requested"
    APPROVED = "approved"


class Rag(enum.StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class SpendCategory(enum.StrEnum):
    STAFF = "staff"
    DELIVERY = "delivery"
    OVERHEADS = "overheads"
    CAPITAL = "capital"


class ReviewDecision(enum.StrEnum):
    SIGNED_OFF = "signed off"
    RETURNED_TO_DRAFTER = "returned to drafter"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes requested"


class AllocationStatus(enum.StrEnum):
    DRAFT = "draft"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    ACTIVE = "active"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


# A grant under way: accepted (or active) and not yet closed. It may be paid, and once past its
# planned end it owes a final return.
UNDER_WAY = frozenset({AllocationStatus.ACCEPTED, AllocationStatus.ACTIVE})


class OfferStatus(enum.StrEnum):
    """A version of a grant offer: open until the grantee accepts it, an officer withdraws it,
    or a later version replaces it."""

    OPEN = "open"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"


class FinalReturnStatus(enum.StrEnum):
    """A grant's final return: with the officer, sent back to the grantee, or accepted (the
    grant closed)."""

    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes requested"
    ACCEPTED = "accepted"


class RecoveryStatus(enum.StrEnum):
    """Money to be paid back: owed, a write-off waiting for a second finance officer, or
    settled (received or written off in full)."""

    OPEN = "open"
    WRITE_OFF_REQUESTED = "write-off requested"
    SETTLED = "settled"


class VariationKind(enum.StrEnum):
    REPROFILE_YEARS = "reprofile years"
    REPROFILE_CATEGORIES = "reprofile categories"
    EXTEND_END_DATE = "extend end date"


class VariationStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"


class IndicatorKind(enum.StrEnum):
    """How an indicator's figures add up over periods: a count at a point in time (schools with
    a social worker placed now) and a running total show their latest figure; a flow (children
    supported in the quarter) adds up its periods."""

    POINT_IN_TIME = "point in time"
    FLOW = "flow"
    CUMULATIVE = "cumulative"

    @property
    def how(self) -> str:
        """What the figure beside it is, in words."""
        return {
            "point in time": "latest count (a count at a point in time, not added over periods)",
            "flow": "added up over every period reported",
            "cumulative": "latest running total (not added over periods)",
        }[self.value]
