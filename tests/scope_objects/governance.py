"""Governance records of community 2, one per route parameter of the module."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jisheng.core.actors import Actor
from jisheng.governance.models import Termination
from jisheng.governance.services.pregnancies import (
    OutcomeData,
    pregnancy_open,
    pregnancy_outcome_record,
)
from jisheng.prepregnancy.models import Outcome
from scope_objects import ForeignContext


def make(ctx: ForeignContext) -> dict[str, str]:
    """A termination at 16 weeks in community 2 (``pregnancy_id`` comes from pre-pregnancy's
    objects: one record for both modules)."""
    actor = Actor(user=ctx.other_worker)
    today = timezone.localdate()
    woman = ctx.make_person(ctx.org.c2, name="赵兰", sex="F", birth_date=dt.date(1994, 4, 4))
    pregnancy = pregnancy_open(
        actor=actor, woman=woman, reported_on=today, last_period=today - dt.timedelta(weeks=16)
    )
    pregnancy_outcome_record(
        actor=actor,
        pregnancy=pregnancy,
        data=OutcomeData(
            outcome=Outcome.INDUCED,
            outcome_date=today,
            weeks=16,
            institution="区人民医院",
            certificate="SCOPE-1",
        ),
        done_on=today,
    )
    return {"termination_id": str(Termination.objects.get(pregnancy=pregnancy).pk)}
