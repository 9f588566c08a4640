"""Records of the free pre-pregnancy check programme: one service file per couple and what
was done for it (contacts, checkups, referrals, pregnancies and their follow-ups)."""

from jisheng.prepregnancy.models.checkups import (
    Checkup,
    Referral,
    RiskFactor,
    RiskLevel,
    Spouse,
    TaskState,
)
from jisheng.prepregnancy.models.couples import (
    LOGGED_OUTCOMES,
    TOLD_OUTCOMES,
    Contact,
    ContactMethod,
    ContactOutcome,
    CoupleSource,
    CoupleState,
    SmsOptOut,
    TargetCouple,
    WorklistRefresh,
)
from jisheng.prepregnancy.models.pregnancies import (
    FollowUp,
    FollowUpKind,
    Outcome,
    Pregnancy,
    PregnancySource,
)

__all__ = [
    "LOGGED_OUTCOMES",
    "TOLD_OUTCOMES",
    "Checkup",
    "Contact",
    "ContactMethod",
    "ContactOutcome",
    "CoupleSource",
    "CoupleState",
    "FollowUp",
    "FollowUpKind",
    "Outcome",
    "Pregnancy",
    "PregnancySource",
    "Referral",
    "RiskFactor",
    "RiskLevel",
    "SmsOptOut",
    "Spouse",
    "TargetCouple",
    "TaskState",
    "WorklistRefresh",
]
