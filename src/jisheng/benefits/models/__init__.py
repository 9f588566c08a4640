"""Benefits records: programs, the application workflow, entitlements, payments, care."""

from jisheng.benefits.models.care import Certification, Visit, VisitPhoto
from jisheng.benefits.models.payments import Payment, PaymentBatch
from jisheng.benefits.models.programs import (
    BenefitKind,
    Category,
    Cycle,
    DisabilityRecord,
    Program,
    Proration,
    Unit,
)
from jisheng.benefits.models.reverification import ReviewCampaign, ReviewItem
from jisheng.benefits.models.snapshots import EligibleSnapshot, EligibleSnapshotRow
from jisheng.benefits.models.workflow import (
    Application,
    ApplicationDocument,
    Entitlement,
    Objection,
    PublicNotice,
    Transition,
)

__all__ = [
    "Application",
    "ApplicationDocument",
    "BenefitKind",
    "Category",
    "Certification",
    "Cycle",
    "DisabilityRecord",
    "EligibleSnapshot",
    "EligibleSnapshotRow",
    "Entitlement",
    "Objection",
    "Payment",
    "PaymentBatch",
    "Program",
    "Proration",
    "PublicNotice",
    "ReviewCampaign",
    "ReviewItem",
    "Transition",
    "Unit",
    "Visit",
    "VisitPhoto",
]
