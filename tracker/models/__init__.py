"""Every model, one module per aggregate; importing this package registers them all."""

from tracker.models import totals as _totals  # noqa: F401,E402  (the running totals' tables)
from tracker.models.allocation import (
    Allocation,
    AllocationCategory,
    AllocationStatus,
    AllocationYear,
    Variation,
    VariationKind,
    VariationStatus,
)
from tracker.models.audit import AuditEvent
from tracker.models.base import Base
from tracker.models.department import Department
from tracker.models.milestone_return import (
    EvidenceFile,
    MilestoneReturn,
    Rag,
    ReturnForecast,
    ReturnIndicatorValue,
    ReturnMilestoneProgress,
    ReturnReview,
    ReturnSpend,
    ReturnStatus,
    ReviewDecision,
    SpendCategory,
)
from tracker.models.organisation import Organisation, OrganisationType
from tracker.models.outbox import OutboxMessage
from tracker.models.payee import PayeeAccount, PayeeStatus
from tracker.models.payment import Payment, PaymentStatus
from tracker.models.project import (
    EvidenceRating,
    Milestone,
    MilestoneStatus,
    Project,
    ProjectTarget,
)
from tracker.models.stream import FundingStream, Indicator, ReportingFrequency, StreamBudget
from tracker.models.user import (
    CIVIL_SERVANT_ROLES,
    GRANTEE_ROLES,
    TWO_FACTOR_ROLES,
    Role,
    SignInAttempt,
    SignInThrottle,
    User,
)
from tracker.models.user_session import SessionEndReason, UserSession

__all__ = [
    "PayeeAccount",
    "PayeeStatus",
    "CIVIL_SERVANT_ROLES",
    "GRANTEE_ROLES",
    "TWO_FACTOR_ROLES",
    "Allocation",
    "AllocationCategory",
    "AllocationStatus",
    "AllocationYear",
    "AuditEvent",
    "Base",
    "Department",
    "EvidenceFile",
    "EvidenceRating",
    "FundingStream",
    "Indicator",
    "Milestone",
    "MilestoneReturn",
    "MilestoneStatus",
    "Organisation",
    "OrganisationType",
    "Payment",
    "PaymentStatus",
    "Project",
    "ProjectTarget",
    "Rag",
    "ReportingFrequency",
    "ReturnForecast",
    "ReturnIndicatorValue",
    "ReturnMilestoneProgress",
    "OutboxMessage",
    "ReturnReview",
    "ReturnSpend",
    "ReviewDecision",
    "ReturnStatus",
    "Role",
    "SessionEndReason",
    "SignInAttempt",
    "SignInThrottle",
    "SpendCategory",
    "StreamBudget",
    "User",
    "UserSession",
    "Variation",
    "VariationKind",
    "VariationStatus",
]
