"""The publicity indicator for target books: months with a publicity activity in the unit
(宣传服务: "each community holds at least one activity a month" is a common target line)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.accounts.models import User
from jisheng.core.indicators import (
    PERCENT,
    RECORDS_SHOWN,
    Direction,
    Indicator,
    IndicatorRecord,
    Period,
    owners_of,
    percent,
    under,
)
from jisheng.core.models import OrgUnit
from jisheng.publicity.models import Activity


def activity_months(units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """Months of the period (up to this month) with at least one activity held in the unit
    or below it ÷ those months. One query for all units."""
    today = timezone.localdate()
    months = [month for month in period.months() if month <= (today.year, today.month)]
    owners = owners_of(units)
    held: dict[int, set[tuple[int, int]]] = {unit.pk: set() for unit in units}
    rows = Activity.objects.filter(
        org_unit__in=list(owners), date__gte=period.start, date__lte=period.end
    ).values_list("org_unit_id", "date")
    for unit_id, day in rows:
        for owner in owners[unit_id]:
            held[owner].add((day.year, day.month))
    return {
        unit.pk: percent(sum(1 for month in months if month in held[unit.pk]), len(months))
        for unit in units
    }


def activity_records(user: User, org_unit: OrgUnit, period: Period) -> Sequence[IndicatorRecord]:
    activities = Activity.objects.visible_to(user).filter(
        **under(org_unit, "org_unit"), date__gte=period.start, date__lte=period.end
    )
    return [
        IndicatorRecord(
            text=f"{activity.get_kind_display()} · {activity.title}",
            day=activity.date,
            counted=True,
            url=reverse("publicity:activity_detail", args=[activity.pk]),
        )
        for activity in activities.order_by("date", "pk")[:RECORDS_SHOWN]
    ]


INDICATORS = (
    Indicator(
        key="publicity.activity_months",
        name=_("Months with a publicity activity"),
        unit=PERCENT,
        direction=Direction.HIGHER,
        compute_units=activity_months,
        records=activity_records,
    ),
)
