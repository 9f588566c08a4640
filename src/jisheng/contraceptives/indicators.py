"""Contraceptive service indicators for target books: roster users followed up in the period,
and the stocktake variance (how far the physical counts were from the stock cards).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Abs
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jisheng.accounts.models import User
from jisheng.contraceptives.models import RosterEntry, RosterFollowUp, StockCount, StockCountLine
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


def _roster(entries: QuerySet[RosterEntry], period: Period) -> QuerySet[RosterEntry]:
    """Entries in use during the period: started by its end, not stopped before its start."""
    return entries.filter(start_date__lte=period.end).filter(
        Q(stop_date__isnull=True) | Q(stop_date__gte=period.start)
    )


def _followed(period: Period) -> Exists:
    """The entry has a follow-up dated within the period."""
    return Exists(
        RosterFollowUp.objects.filter(
            entry=OuterRef("pk"), date__gte=period.start, date__lte=period.end
        )
    )


def roster_followed_up(units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """Roster users in use during the period with a follow-up in it ÷ roster users in use."""
    sums = grouped(
        _roster(RosterEntry.objects.all(), period),
        "person__community",
        units,
        entries=Count("pk"),
        followed=Count("pk", filter=_followed(period)),
    )
    return {unit: percent(got["followed"], got["entries"]) for unit, got in sums.items()}


def roster_followed_up_records(
    user: User, org_unit: OrgUnit, period: Period
) -> Sequence[IndicatorRecord]:
    entries = (
        _roster(RosterEntry.objects.visible_to(user), period)
        .filter(**under(org_unit, "person__community"))
        .annotate(followed=_followed(period))
        .select_related("person")
    )
    return [
        IndicatorRecord(
            text=f"{entry.person.name} · {entry.get_method_display()}",
            day=entry.start_date,
            counted=entry.followed,
            url=reverse("contraceptives:roster_detail", args=[entry.pk]),
        )
        for entry in entries.order_by("start_date", "pk")[:RECORDS_SHOWN]
    ]


def _counts(counts: QuerySet[StockCount], period: Period) -> QuerySet[StockCount]:
    return counts.filter(
        state=StockCount.State.POSTED, count_date__gte=period.start, count_date__lte=period.end
    )


def stocktake_variance(units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """Σ |counted − on card| ÷ Σ on card over the lots of the counts posted in the period.

    None without a posted count, or when every card stood at zero (nothing to be off from).
    """
    sums = grouped(
        StockCountLine.objects.filter(
            count__in=_counts(StockCount.objects.all(), period), counted__isnull=False
        ),
        "count__point__org_unit",
        units,
        off=Sum(Abs(F("counted") - F("on_card"))),
        card=Sum("on_card"),
    )
    return {unit: percent(got["off"], got["card"]) for unit, got in sums.items()}


def stocktake_variance_records(
    user: User, org_unit: OrgUnit, period: Period
) -> Sequence[IndicatorRecord]:
    counts = (
        _counts(StockCount.objects.visible_to(user), period)
        .filter(**under(org_unit, "point__org_unit"))
        .select_related("point")
        .annotate(off=Sum(Abs(F("lines__counted") - F("lines__on_card"))))
    )
    return [
        IndicatorRecord(
            text=f"{count.point.name} · {count.off or 0}",
            day=count.count_date,
            # A count with no difference is the good case the figure rewards.
            counted=not count.off,
            url=reverse("contraceptives:count_detail", args=[count.pk]),
        )
        for count in counts.order_by("count_date", "pk")[:RECORDS_SHOWN]
    ]


INDICATORS = (
    Indicator(
        key="contraceptives.roster_followed_up",
        name=_("Contraceptive users followed up in the period"),
        unit=PERCENT,
        direction=Direction.HIGHER,
        compute_units=roster_followed_up,
        records=roster_followed_up_records,
    ),
    Indicator(
        key="contraceptives.stocktake_variance",
        name=_("Stocktake variance against the stock cards"),
        unit=PERCENT,
        direction=Direction.LOWER,
        compute_units=stocktake_variance,
        records=stocktake_variance_records,
    ),
)
