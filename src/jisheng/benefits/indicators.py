"""Benefit service indicators for target books: applications decided within the time limit,
and the annual re-verification (年审) completed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.accounts.models import User
from jisheng.benefits.models import Application, ReviewItem, Transition
from jisheng.benefits.models.workflow import State
from jisheng.core.dates import day_start
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

# Days from submission to the decision (approval or rejection) the street promises: community
# check, street review, the public notice and approval together. A service standard of the
# office, not a national rule; changing it changes every figure computed afterwards.
DECISION_DAYS = 60
DECIDED = (State.APPROVED, State.REJECTED)


def _due_filter(period: Period, today: dt.date) -> Q:
    """Applications whose decision fell due in the period (up to today: a limit still
    running is not yet missed)."""
    last = min(period.end, today)
    limit = dt.timedelta(days=DECISION_DAYS)
    return Q(
        created_at__gte=day_start(period.start - limit),
        created_at__lt=day_start(last - limit + dt.timedelta(days=1)),
    )


def _due(applications: QuerySet[Application], period: Period, today: dt.date) -> QuerySet[Any]:
    """The applications of ``_due_filter`` with ``decided_at``, the first approval or
    rejection."""
    return applications.filter(_due_filter(period, today)).annotate(
        decided_at=Min("transitions__at", filter=Q(transitions__to_state__in=DECIDED))
    )


def _in_time(application: Any) -> bool:
    decided: dt.datetime | None = application.decided_at
    return decided is not None and decided <= application.created_at + dt.timedelta(
        days=DECISION_DAYS
    )


def decided_in_time(units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """Applications due for a decision in the period that were decided within
    ``DECISION_DAYS`` of submission ÷ applications due. One grouped query."""
    # The first decision is in time exactly when some decision is.
    in_time = Exists(
        Transition.objects.filter(
            application=OuterRef("pk"),
            to_state__in=DECIDED,
            at__lte=OuterRef("created_at") + dt.timedelta(days=DECISION_DAYS),
        )
    )
    sums = grouped(
        Application.objects.filter(_due_filter(period, timezone.localdate())),
        "community",
        units,
        due=Count("pk"),
        on_time=Count("pk", filter=in_time),
    )
    return {unit: percent(got["on_time"], got["due"]) for unit, got in sums.items()}


def decided_in_time_records(
    user: User, org_unit: OrgUnit, period: Period
) -> Sequence[IndicatorRecord]:
    due = (
        _due(Application.objects.visible_to(user), period, timezone.localdate())
        .filter(**under(org_unit, "community"))
        .select_related("person", "program")
    )
    return [
        IndicatorRecord(
            text=f"{application.program} · {application.person.name}",
            day=timezone.localdate(application.created_at),
            counted=_in_time(application),
            url=reverse("benefits:application_detail", args=[application.pk]),
        )
        for application in due.order_by("created_at", "pk")[:RECORDS_SHOWN]
    ]


def _review_items(items: QuerySet[ReviewItem], period: Period) -> QuerySet[ReviewItem]:
    return items.filter(campaign__year=period.year)


def _reviewed_by_end(period: Period) -> Q:
    return ~Q(decision=ReviewItem.Decision.PENDING) & Q(
        decided_at__lt=day_start(period.end + dt.timedelta(days=1))
    )


def annual_review_completed(units: Sequence[OrgUnit], period: Period) -> dict[int, Decimal | None]:
    """Beneficiaries of the period's year's re-verification decided (confirmed or stopped)
    by the period's end ÷ beneficiaries to re-verify that year."""
    sums = grouped(
        _review_items(ReviewItem.objects.all(), period),
        "community",
        units,
        items=Count("pk"),
        done=Count("pk", filter=_reviewed_by_end(period)),
    )
    return {unit: percent(got["done"], got["items"]) for unit, got in sums.items()}


def annual_review_completed_records(
    user: User, org_unit: OrgUnit, period: Period
) -> Sequence[IndicatorRecord]:
    items = _review_items(ReviewItem.objects.visible_to(user), period).filter(
        **under(org_unit, "community")
    )
    done = set(items.filter(_reviewed_by_end(period)).values_list("pk", flat=True))
    rows = items.select_related("entitlement__person", "campaign__program")
    return [
        IndicatorRecord(
            text=f"{item.campaign.program} · {item.entitlement.person.name}",
            day=timezone.localdate(item.decided_at) if item.decided_at else None,
            counted=item.pk in done,
            url=reverse("benefits:campaign_detail", args=[item.campaign_id]),
        )
        for item in rows.order_by("pk")[:RECORDS_SHOWN]
    ]


INDICATORS = (
    Indicator(
        key="benefits.decided_in_time",
        name=_("Benefit applications decided within the time limit"),
        unit=PERCENT,
        direction=Direction.HIGHER,
        compute_units=decided_in_time,
        records=decided_in_time_records,
    ),
    Indicator(
        key="benefits.annual_review_completed",
        name=_("Annual re-verification of beneficiaries completed"),
        unit=PERCENT,
        direction=Direction.HIGHER,
        compute_units=annual_review_completed,
        records=annual_review_completed_records,
    ),
)
