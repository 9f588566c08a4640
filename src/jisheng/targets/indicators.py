"""The targets module's own indicator: the joint meeting (党政联席会) held at least monthly."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import QuerySet
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
    percent,
)
from jisheng.core.models import OrgUnit
from jisheng.targets.models import Meeting, MeetingKind


def _meetings(meetings: QuerySet[Meeting], org_unit: OrgUnit, period: Period) -> QuerySet[Meeting]:
    """Joint meetings in the period of the unit or a unit above it: a community's figure is
    its street's meetings, which decide for it."""
    codes = [code for code in org_unit.path.split("/") if code]
    return meetings.filter(
        org_unit__code__in=codes,
        kind=MeetingKind.JOINT,
        date__gte=period.start,
        date__lte=period.end,
    )


def joint_meetings_monthly(units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """Months of the period (up to this month) with at least one joint meeting ÷ months."""
    today = timezone.localdate()
    months = [m for m in period.months() if m <= (today.year, today.month)]
    found: dict[int, Decimal | None] = {}
    # A unit's own and its ancestors' meetings: a few rows per unit, one query each.
    for unit in units:
        held = {
            (day.year, day.month)
            for day in _meetings(Meeting.objects.all(), unit, period).values_list("date", flat=True)
        }
        found[unit.pk] = percent(sum(1 for month in months if month in held), len(months))
    return found


def joint_meetings_records(
    user: User, org_unit: OrgUnit, period: Period
) -> Sequence[IndicatorRecord]:
    meetings = _meetings(Meeting.objects.visible_to(user), org_unit, period)
    return [
        IndicatorRecord(text=meeting.title, day=meeting.date, counted=True)
        for meeting in meetings.order_by("date", "pk")[:RECORDS_SHOWN]
    ]


INDICATORS = (
    Indicator(
        key="targets.joint_meetings_monthly",
        name=_("Months with a party and government joint meeting on family services"),
        unit=PERCENT,
        direction=Direction.HIGHER,
        compute_units=joint_meetings_monthly,
        records=joint_meetings_records,
    ),
)
