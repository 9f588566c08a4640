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


def _codes(org_unit: OrgUnit) -> list[str]:
    """The division codes of the unit and every unit above it (its path)."""
    return [code for code in org_unit.path.split("/") if code]


def _meetings(meetings: QuerySet[Meeting], codes: set[str], period: Period) -> QuerySet[Meeting]:
    """Joint meetings in the period of the units with these codes: a community's figure counts
    its own and its street's meetings, which decide for it."""
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
    codes = {code for unit in units for code in _codes(unit)}
    held: dict[str, set[tuple[int, int]]] = {}
    for code, day in _meetings(Meeting.objects.all(), codes, period).values_list(
        "org_unit__code", "date"
    ):
        held.setdefault(code, set()).add((day.year, day.month))
    found: dict[int, Decimal | None] = {}
    for unit in units:
        seen = set().union(*(held.get(code, set()) for code in _codes(unit)))
        found[unit.pk] = percent(sum(1 for month in months if month in seen), len(months))
    return found


def joint_meetings_records(
    user: User, org_unit: OrgUnit, period: Period
) -> Sequence[IndicatorRecord]:
    meetings = _meetings(Meeting.objects.visible_to(user), set(_codes(org_unit)), period)
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
