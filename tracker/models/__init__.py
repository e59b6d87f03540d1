"""Every model, one module per aggregate; importing this package registers them all.

The statuses and roles the models store are defined in tracker/domain/ (blueprints import them
from there) and re-exported here for the data and service layers."""

from tracker.domain.roles import CIVIL_SERVANT_ROLES, GRANTEE_ROLES, TWO_FACTOR_ROLES, Role
from tracker.domain.statuses import (
    AllocationStatus,
    EvidenceRating,
    FinalReturnStatus,
    IndicatorKind,
    MilestoneStatus,
    OfferStatus,
    OrganisationType,
    PayeeStatus,
    PaymentStatus,
    Rag,
    RecoveryStatus,
    ReportingFrequency,
    ReturnStatus,
    ReviewDecision,
    SessionEndReason,
    SpendCategory,
    VariationKind,
    VariationStatus,
)
from tracker.models import totals as _totals  # noqa: F401,E402  (the running totals' tables)
from tracker.models.account_link import Invitation, PasswordReset
from tracker.models.allocation import Allocation, AllocationCategory, AllocationYear, Variation
from tracker.models.api_token import ApiToken
from tracker.models.audit import AuditEvent
from tracker.models.base import Base
from tracker.models.closure import FinalReturn, FinalReturnFile, Recovery, RecoveryReceipt
from tracker.models.department import Department
from tracker.models.milestone_return import (
    EvidenceFile,
    MilestoneReturn,
    ReturnForecast,
    ReturnIndicatorValue,
    ReturnMilestoneProgress,
    ReturnReview,
    ReturnSpend,
)
from tracker.models.offer import GrantOffer
from tracker.models.organisation import Organisation
from tracker.models.outbox import OutboxMessage
from tracker.models.payee import PayeeAccount
from tracker.models.payment import Payment
from tracker.models.project import Milestone, Project, ProjectTarget, ReportingSchedule
from tracker.models.stream import FundingStream, Indicator, StreamBudget, StreamConditions
from tracker.models.user import SignInAttempt, SignInThrottle, User
from tracker.models.user_session import UserSession

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
    "ApiToken",
    "AuditEvent",
    "GrantOffer",
    "OfferStatus",
    "Base",
    "Department",
    "EvidenceFile",
    "EvidenceRating",
    "FinalReturn",
    "FinalReturnFile",
    "FinalReturnStatus",
    "FundingStream",
    "Indicator",
    "IndicatorKind",
    "Invitation",
    "Milestone",
    "MilestoneReturn",
    "MilestoneStatus",
    "Organisation",
    "OrganisationType",
    "PasswordReset",
    "Payment",
    "PaymentStatus",
    "Project",
    "ProjectTarget",
    "ReportingSchedule",
    "Rag",
    "Recovery",
    "RecoveryReceipt",
    "RecoveryStatus",
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
    "StreamConditions",
    "User",
    "UserSession",
    "Variation",
    "VariationKind",
    "VariationStatus",
]
