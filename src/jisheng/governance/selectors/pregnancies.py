"""The one place the supervision side reads pregnancies (for the dispensing review list).

Today ``prepregnancy.Pregnancy`` reaches the woman through ``couple.wife``; when the
pregnancy gains its own ``woman`` field, only :func:`_pregnancies_of` changes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from jisheng.prepregnancy.models import Pregnancy


def _pregnancies_of(women_ids: set[int]) -> QuerySet[Pregnancy]:
    """Every registered pregnancy of these women (the lookup to switch to ``woman``)."""
    return Pregnancy.objects.filter(couple__wife_id__in=women_ids).select_related("couple")


def _woman_of(pregnancy: Pregnancy) -> int:
    return pregnancy.couple.wife_id


def pregnant_at(women_on: Iterable[tuple[int, dt.date]], *, weeks: int) -> set[tuple[int, dt.date]]:
    """The (woman, day) pairs on which she was pregnant at ``weeks`` of gestation or more, by
    a registered pregnancy still open that day.

    Not scoped to a reader: it answers yes or no for dispensings the caller already reads,
    and no pregnancy detail leaves it. Last periods and outcome dates are encrypted, so the
    gestation is worked out here rather than in SQL.
    """
    asked = set(women_on)
    by_woman: dict[int, list[Pregnancy]] = defaultdict(list)
    for pregnancy in _pregnancies_of({woman for woman, _day in asked}):
        by_woman[_woman_of(pregnancy)].append(pregnancy)
    found: set[tuple[int, dt.date]] = set()
    for woman, day in asked:
        for pregnancy in by_woman.get(woman, ()):
            last_period = pregnancy.last_period
            if last_period is None or day < last_period + dt.timedelta(weeks=weeks):
                continue
            ended = pregnancy.outcome_date if pregnancy.closed else None
            if pregnancy.closed and (ended is None or ended < day):
                continue
            found.add((woman, day))
            break
    return found
