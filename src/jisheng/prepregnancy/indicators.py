"""Pre-pregnancy service indicators for target books: check coverage of the target couples,
and pregnancy follow-ups done on time. The definitions are those of the module's own
indicator table (``selectors.indicators``), applied to an org unit instead of a user's area.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet
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
from jisheng.prepregnancy.models import Checkup, FollowUp, TargetCouple, TaskState
from jisheng.prepregnancy.selectors.indicators import (
    done_by_end,
    followups_due,
    targets_of,
    with_checked,
)


def _targets(couples: QuerySet[TargetCouple], org_unit: OrgUnit, period: Period) -> QuerySet[Any]:
    return with_checked(targets_of(couples.filter(**under(org_unit, "community")), period), period)


def check_coverage(units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """Target couples of the period with at least one spouse checked by its end ÷ targets."""
    checked = Exists(Checkup.objects.filter(couple=OuterRef("pk"), date__lte=period.end))
    sums = grouped(
        targets_of(TargetCouple.objects.all(), period),
        "community",
        units,
        targets=Count("pk"),
        checked=Count("pk", filter=checked),
    )
    return {unit: percent(got["checked"], got["targets"]) for unit, got in sums.items()}


def check_coverage_records(
    user: User, org_unit: OrgUnit, period: Period
) -> Sequence[IndicatorRecord]:
    couples = _targets(TargetCouple.objects.visible_to(user), org_unit, period).select_related(
        "husband", "wife"
    )
    return [
        IndicatorRecord(
            text=f"{couple.husband.name} / {couple.wife.name}",
            day=couple.entered_on,
            counted=couple.spouses_checked > 0,
            url=couple.get_absolute_url(),
        )
        for couple in couples.order_by("entered_on", "pk")[:RECORDS_SHOWN]
    ]


def _followups(
    followups: QuerySet[FollowUp], org_unit: OrgUnit, period: Period
) -> QuerySet[FollowUp]:
    return followups_due(followups.filter(**under(org_unit, "couple__community")), period)


def followups_on_time(units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """Pregnancy follow-ups (early and outcome) due in the period and done by its end ÷ due."""
    sums = grouped(
        followups_due(FollowUp.objects.all(), period),
        "couple__community",
        units,
        due=Count("pk"),
        done=Count("pk", filter=done_by_end(period)),
    )
    return {unit: percent(got["done"], got["due"]) for unit, got in sums.items()}


def followups_on_time_records(
    user: User, org_unit: OrgUnit, period: Period
) -> Sequence[IndicatorRecord]:
    followups = _followups(FollowUp.objects.visible_to(user), org_unit, period).select_related(
        "couple__husband", "couple__wife"
    )
    return [
        IndicatorRecord(
            text=f"{f.get_kind_display()} · {f.couple.husband.name} / {f.couple.wife.name}",
            day=f.due_date,
            counted=f.state == TaskState.DONE and f.done_on is not None and f.done_on <= period.end,
            url=f.couple.get_absolute_url(),
        )
        for f in followups.order_by("due_date", "pk")[:RECORDS_SHOWN]
        if f.couple is not None  # under a community through the couple: always set
    ]


INDICATORS = (
    Indicator(
        key="prepregnancy.check_coverage",
        name=_("Pre-pregnancy check coverage of target couples"),
        unit=PERCENT,
        direction=Direction.HIGHER,
        compute_units=check_coverage,
        records=check_coverage_records,
    ),
    Indicator(
        key="prepregnancy.followups_on_time",
        name=_("Pregnancy follow-ups done on time"),
        unit=PERCENT,
        direction=Direction.HIGHER,
        compute_units=followups_on_time,
        records=followups_on_time_records,
    ),
)
