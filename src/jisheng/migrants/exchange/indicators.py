"""The exchange indicator for target books: received notices answered with feedback on time
(双向考核: our side of the two-way assessment, per community)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Count, F, Q
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
    grouped,
    percent,
    under,
)
from jisheng.core.models import OrgUnit
from jisheng.migrants.models import Direction as Way
from jisheng.migrants.models import Notice


def _due_in(period: Period) -> Q:
    """Received notices whose feedback fell due in the period, up to today."""
    last = min(period.end, timezone.localdate())
    return Q(direction=Way.RECEIVED, due_on__gte=period.start, due_on__lte=last)


def feedback_on_time(units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """Received notices answered by their due day ÷ received notices due in the period
    (None where none was due). One grouped query."""
    totals = grouped(
        Notice.objects.filter(_due_in(period)),
        "community",
        units,
        due=Count("pk"),
        on_time=Count("pk", filter=Q(feedback_on__lte=F("due_on"))),
    )
    return {unit: percent(t["on_time"], t["due"]) for unit, t in totals.items()}


def feedback_records(user: User, org_unit: OrgUnit, period: Period) -> Sequence[IndicatorRecord]:
    notices = Notice.objects.visible_to(user).filter(
        _due_in(period), **under(org_unit, "community")
    )
    return [
        IndicatorRecord(
            text=f"{notice.get_movement_display()} · {notice.id_number_masked}",
            day=notice.due_on,
            counted=notice.feedback_on is not None and notice.feedback_on <= notice.due_on,
            url=reverse("migrants_exchange:notice_detail", args=[notice.pk]),
        )
        for notice in notices.order_by("due_on", "pk")[:RECORDS_SHOWN]
    ]


INDICATORS = (
    Indicator(
        key="migrants.feedback_on_time",
        name=_("Floating population notices answered on time"),
        unit=PERCENT,
        direction=Direction.HIGHER,
        compute_units=feedback_on_time,
        records=feedback_records,
    ),
)
