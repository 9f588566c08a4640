"""Publicity activities as occasions other apps' records can name (``core.occasions``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from jisheng.core.occasions import Occasion
from jisheng.publicity.models import Activity

if TYPE_CHECKING:
    from jisheng.accounts.models import User

# A picker offers the activities of about the last year, newest first.
CHOICE_DAYS = 400
CHOICE_LIMIT = 200


def _occasion(activity: Activity) -> Occasion:
    return Occasion(
        kind=ActivityOccasions.kind,
        id=activity.pk,
        label=f"{activity.date:%Y-%m-%d} {activity.title}（{activity.org_unit.name}）",
        day=activity.date,
        url=reverse("publicity:activity_detail", args=[activity.pk]),
    )


class ActivityOccasions:
    """Activities the user may read (``Activity.objects.visible_to``)."""

    kind = "publicity.activity"

    def choices(self, user: User) -> list[Occasion]:
        since = timezone.localdate() - dt.timedelta(days=CHOICE_DAYS)
        activities = (
            Activity.objects.visible_to(user)
            .filter(date__gte=since)
            .select_related("org_unit")
            .order_by("-date", "-pk")[:CHOICE_LIMIT]
        )
        return [_occasion(activity) for activity in activities]

    def visible(self, user: User, ids: Iterable[int]) -> dict[int, Occasion]:
        activities = Activity.objects.visible_to(user).filter(pk__in=list(ids))
        return {a.pk: _occasion(a) for a in activities.select_related("org_unit")}


OCCASIONS = (ActivityOccasions(),)
