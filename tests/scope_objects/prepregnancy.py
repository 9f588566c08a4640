"""Pre-pregnancy records of a community-2 couple, one per route parameter of the module."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jisheng.core.actors import Actor
from jisheng.prepregnancy.health import CheckupData
from jisheng.prepregnancy.models import FollowUp, RiskFactor
from jisheng.prepregnancy.services import checkups, couples, pregnancies
from scope_objects import ForeignContext


def make(ctx: ForeignContext) -> dict[str, str]:
    """One object in community 2 per route parameter of this module."""
    actor = Actor(user=ctx.other_worker)
    today = timezone.localdate()
    couple, _created = couples.couple_mark_planning(actor=actor, wife=ctx.other_wife)
    checkup = checkups.checkup_record(
        actor=actor,
        couple=couple,
        spouse="wife",
        data=CheckupData(
            institution="区妇幼保健院",
            date=today,
            risk_level="high",
            risk_note="贫血",
        ),
    )
    pregnancy = pregnancies.pregnancy_report(
        actor=actor, couple=couple, reported_on=today, last_period=today - dt.timedelta(days=40)
    )
    followup = FollowUp.objects.get(pregnancy=pregnancy)
    return {
        "couple_id": str(couple.pk),
        "checkup_id": str(checkup.pk),
        "checkup_referral_id": str(checkup.referral.pk),
        "pregnancy_id": str(pregnancy.pk),
        "pregnancy_followup_id": str(followup.pk),
        # Reference data shared by all: a community worker may read it but never change it.
        # (Created if a transactional test has flushed the seeded list.)
        "risk_factor_id": str(
            RiskFactor.objects.get_or_create(
                code="scope_walk", defaults={"name": "走查", "category": "other"}
            )[0].pk
        ),
    }
