"""Programme indicators per community and period, counted from the records.

Every number is the size of a queryset that :func:`indicator_records` returns too, so the
list behind a number is exactly what was counted. Definitions, for a community and a
period [start, end]:

- target couples: files that became targets in the period (marriage date or the day marked
  as planning), less those closed (moved out, marriage ended) on or before the period's
  end — unless a spouse was examined by then: a couple checked and then gone was served,
  and stays counted (as "one spouse checked" when only one was). A file closing later does
  not change the figures of a period already over;
- notified: of those, couples reached by a contact dated by the end (reached, appointment
  made, declined or a text message sent: each means the couple was told; a text message
  still queued does not);
- checked (both / one spouse): of the targets, couples with checkups of both spouses / of
  exactly one, dated by the end; coverage = couples checked (both or one) ÷ target couples;
- high-risk rate: high-risk assessments ÷ persons examined, over the target couples' checkups;
- referral completion: referrals due in the period that were completed by its end ÷
  referrals due in the period;
- early-pregnancy and outcome follow-up rates: follow-ups of the kind due in the period
  that were done by its end ÷ follow-ups of the kind due in the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.errors import JishengError
from jisheng.core.indicators import Period as CorePeriod
from jisheng.core.lookups import community_choices
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require, require_any
from jisheng.core.roles import Capability
from jisheng.prepregnancy import rules
from jisheng.prepregnancy.models import (
    TOLD_OUTCOMES,
    Checkup,
    Contact,
    FollowUp,
    FollowUpKind,
    Referral,
    RiskLevel,
    TargetCouple,
    TaskState,
)
from jisheng.prepregnancy.selectors.couples import SPOUSE_SECRETS

# Encrypted columns a list of each kind never needs.
LIST_SECRETS: dict[str, tuple[str, ...]] = {
    "checkups": ("results", "reproductive_history", "risk_factors", "advice"),
    "referrals": ("result",),
    "followups": ("findings",),
}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def year_of(cls, day: dt.date) -> Period:
        return cls(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))


# A period of this module or of core.indicators: both have a start and an end.
type Span = Period | CorePeriod


def period_asked(
    *, user: User, start: dt.date | None, end: dt.date | None, today: dt.date
) -> Period:
    """The period an API caller asks for (this year's ends by default); 400 when it ends
    before it starts. The duty is checked first: without it, 403 whatever the dates."""
    require_any(user, Capability.VIEW_HEALTH, Capability.VIEW_AGGREGATES)
    default = Period.year_of(today)
    period = Period(start or default.start, end or default.end)
    if period.start > period.end:
        raise JishengError(_("The period ends before it starts."), code="invalid_period")
    return period


def _targets(user: User, period: Period) -> QuerySet[TargetCouple]:
    return targets_of(TargetCouple.objects.counted_for(user), period)


def targets_of(couples: QuerySet[TargetCouple], period: Span) -> QuerySet[TargetCouple]:
    """The target couples of the period among ``couples`` (the definition above)."""
    served_at_end = Q(closed_on__gt=period.end) | (
        Q(closed_on__isnull=True) & ~Q(state__in=rules.CLOSED_STATES)
    )
    examined = Exists(Checkup.objects.filter(couple=OuterRef("pk"), date__lte=period.end))
    return couples.filter(entered_on__gte=period.start, entered_on__lte=period.end).filter(
        served_at_end | examined
    )


def with_checked(couples: QuerySet[TargetCouple], period: Span) -> QuerySet[TargetCouple]:
    examined = (
        Checkup.objects.filter(couple=OuterRef("pk"), date__lte=period.end)
        .order_by()
        .values("couple")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return couples.annotate(
        spouses_checked=Coalesce(Subquery(examined, output_field=IntegerField()), Value(0))
    )


def _notified(user: User, period: Period) -> QuerySet[TargetCouple]:
    told = Contact.objects.filter(
        couple=OuterRef("pk"),
        date__lte=period.end,
        outcome__in=TOLD_OUTCOMES,
    )
    return _targets(user, period).filter(Exists(told))


def _checked(spouses: tuple[int, ...]) -> Callable[[User, Period], QuerySet[TargetCouple]]:
    def select(user: User, period: Period) -> QuerySet[TargetCouple]:
        return with_checked(_targets(user, period), period).filter(
            spouses_checked__in=spouses  # type: ignore[misc]  # annotated by _with_checked
        )

    return select


def _checkups(user: User, period: Period) -> QuerySet[Checkup]:
    return Checkup.objects.counted_for(user).filter(
        couple__in=_targets(user, period), date__lte=period.end
    )


def _high_risk(user: User, period: Period) -> QuerySet[Checkup]:
    return _checkups(user, period).filter(risk_level=RiskLevel.HIGH)


def _referrals(user: User, period: Period) -> QuerySet[Referral]:
    return Referral.objects.counted_for(user).filter(
        due_date__gte=period.start, due_date__lte=period.end
    )


def _referrals_done(user: User, period: Period) -> QuerySet[Referral]:
    return _referrals(user, period).filter(state=TaskState.DONE, completed_on__lte=period.end)


def _followups(kind: str) -> Callable[[User, Period], QuerySet[FollowUp]]:
    def select(user: User, period: Period) -> QuerySet[FollowUp]:
        return FollowUp.objects.counted_for(user).filter(
            kind=kind, due_date__gte=period.start, due_date__lte=period.end
        )

    return select


def followups_due(followups: QuerySet[FollowUp], period: Span) -> QuerySet[FollowUp]:
    """Follow-ups among ``followups`` due in the period (each kind as above)."""
    return followups.filter(due_date__gte=period.start, due_date__lte=period.end)


def done_by_end(period: Span) -> Q:
    """A follow-up done by the end of the period."""
    return Q(state=TaskState.DONE, done_on__lte=period.end)


def _followups_done(kind: str) -> Callable[[User, Period], QuerySet[FollowUp]]:
    def select(user: User, period: Period) -> QuerySet[FollowUp]:
        return _followups(kind)(user, period).filter(state=TaskState.DONE, done_on__lte=period.end)

    return select


@dataclass(frozen=True)
class Measure:
    """A counted indicator: which records it counts and how they belong to a community."""

    key: str
    records: Callable[[User, Period], QuerySet[Any]]
    community_field: str
    kind: str  # what the list behind it shows: couples, checkups, referrals, followups


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("targets", _targets, "community", "couples"),
        Measure("notified", _notified, "community", "couples"),
        Measure("checked", _checked((1, 2)), "community", "couples"),
        Measure("checked_both", _checked((2,)), "community", "couples"),
        Measure("checked_one", _checked((1,)), "community", "couples"),
        Measure("examined", _checkups, "couple__community", "checkups"),
        Measure("high_risk", _high_risk, "couple__community", "checkups"),
        Measure("referrals", _referrals, "couple__community", "referrals"),
        Measure("referrals_done", _referrals_done, "couple__community", "referrals"),
        Measure("early_due", _followups(FollowUpKind.EARLY), "couple__community", "followups"),
        Measure(
            "early_done", _followups_done(FollowUpKind.EARLY), "couple__community", "followups"
        ),
        Measure("outcome_due", _followups(FollowUpKind.OUTCOME), "couple__community", "followups"),
        Measure(
            "outcome_done", _followups_done(FollowUpKind.OUTCOME), "couple__community", "followups"
        ),
    )
}
# Rates: (key, numerator, denominator).
RATES: tuple[tuple[str, str, str], ...] = (
    ("notified_rate", "notified", "targets"),
    ("coverage", "checked", "targets"),
    ("high_risk_rate", "high_risk", "examined"),
    ("referral_rate", "referrals_done", "referrals"),
    ("early_rate", "early_done", "early_due"),
    ("outcome_rate", "outcome_done", "outcome_due"),
)


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with one decimal, half up; None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass
class IndicatorRow:
    """The indicators of one community (``unit``), or of the whole area (``unit`` None)."""

    unit: OrgUnit | None
    counts: dict[str, int]

    @property
    def rates(self) -> dict[str, Decimal | None]:
        return {key: rate(self.counts[num], self.counts[den]) for key, num, den in RATES}


def indicator_table(*, user: User, period: Period) -> list[IndicatorRow]:
    """One row per community in the user's area, then the total; one query per measure.

    Counts only: leaders and supervisors (``VIEW_AGGREGATES``) get the table, while the
    records behind a number stay with the health duty (:func:`indicator_records`)."""
    require_any(user, Capability.VIEW_HEALTH, Capability.VIEW_AGGREGATES)
    per_unit: dict[int, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for key, measure in MEASURES.items():
        grouped = (
            measure.records(user, period)
            .order_by()
            .values(measure.community_field)
            .annotate(n=Count("pk", distinct=True))
        )
        totals[key] = 0
        for row in grouped:
            per_unit.setdefault(row[measure.community_field], {})[key] = row["n"]
            totals[key] += row["n"]
    rows = [
        IndicatorRow(unit, {key: per_unit.get(unit.pk, {}).get(key, 0) for key in MEASURES})
        for unit in community_choices(user)
    ]
    rows.append(IndicatorRow(None, totals))
    return rows


def indicator_records(
    *, user: User, key: str, period: Period, community_id: int | None = None
) -> tuple[Measure, QuerySet[Any]]:
    """The records behind one number of :func:`indicator_table` (KeyError for unknown keys),
    ready to list: related rows joined, encrypted columns left undecrypted."""
    require(user, Capability.VIEW_HEALTH)
    measure = MEASURES[key]
    # The measures count with counted_for; for a holder of the health duty that is exactly
    # what visible_to lets them read, and no one else gets this far.
    records = measure.records(user, period)
    if community_id is not None:
        records = records.filter(**{measure.community_field: community_id})
    if measure.kind == "couples":
        records = records.select_related("community", "husband", "wife").defer(*SPOUSE_SECRETS)
    else:
        records = records.select_related(
            "couple__community", "couple__husband", "couple__wife"
        ).defer(*(f"couple__{name}" for name in SPOUSE_SECRETS), *LIST_SECRETS[measure.kind])
    return measure, records.order_by("pk")


def indicator_records_viewed(
    *, actor: Actor, key: str, period: Period, community_id: int | None = None
) -> tuple[Measure, QuerySet[Any]]:
    """:func:`indicator_records` for a page that lists them: the read is audited."""
    measure, records = indicator_records(
        user=actor.user, key=key, period=period, community_id=community_id
    )
    with transaction.atomic():
        audit.record(
            action=Action.SEARCH,
            actor=actor,
            object_type=records.model._meta.label_lower,
            detail={
                "indicator": key,
                "community": community_id,
                "period": [period.start.isoformat(), period.end.isoformat()],
            },
        )
    return measure, records
