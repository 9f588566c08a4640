"""The figures of the standard forms, each a small function over the live records.

Every count is scoped: ``counted_for`` gives leaders and supervisors (``VIEW_AGGREGATES``)
the counts of their whole area and everyone else what they may read. Each function returns
``{unit id: {column key: number}}`` (or a plain count per unit), so that it can later read
pre-aggregated tables instead without the forms noticing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import CharField, Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.benefits.models import Payment, Program
from jisheng.contraceptives.models import DistributionPoint, RosterEntry, StockMove
from jisheng.contraceptives.models.ledger import ISSUE_KINDS
from jisheng.prepregnancy.selectors.indicators import Period, indicator_table
from jisheng.registry.models import LifeEvent, Person, ResidentStatus, Sex
from jisheng.reports.forms.periods import ReportPeriod

Kind = LifeEvent.Kind
Figures = dict[int, dict[str, int]]

ARRIVALS = (Kind.BIRTH, Kind.REGISTRATION, Kind.MOVE_IN)
DEPARTURES = (Kind.DEATH, Kind.MOVE_OUT)


def _events(
    user: User, kinds: tuple[str, ...], start: dt.date | None, end: dt.date | None
) -> QuerySet[LifeEvent]:
    events = LifeEvent.objects.counted_for(user).filter(kind__in=kinds, reversed_by__isnull=True)
    if start is not None:
        events = events.filter(date__gte=start)
    if end is not None:
        events = events.filter(date__lte=end)
    return events


# ------------------------------------------------------------------------------ population


def residents_at(user: User, day: dt.date, *, today: dt.date | None = None) -> Figures:
    """Residents living here at the end of ``day`` per community: ``registered`` (户籍) and
    ``floating`` (流动), as recorded — today's residents, less those who arrived after
    ``day``, plus those who left after it (births, registrations, moves in; deaths, moves out)."""
    today = today or timezone.localdate()
    figures: Figures = defaultdict(lambda: {"registered": 0, "floating": 0})

    def add(rows: Iterable[tuple[int, bool, int]], sign: int) -> None:
        for unit_id, floating, n in rows:
            figures[unit_id]["floating" if floating else "registered"] += sign * n

    add(
        Person.objects.counted_for(user)
        .filter(status=ResidentStatus.LIVING)
        .values_list("community_id", "is_floating")
        .annotate(n=Count("pk"))
        .order_by(),
        1,
    )
    if day < today:
        after = day + dt.timedelta(days=1)
        for kinds, sign in ((ARRIVALS, -1), (DEPARTURES, 1)):
            add(
                _events(user, kinds, after, None)
                .values_list("community_id", "person__is_floating")
                .annotate(n=Count("pk"))
                .order_by(),
                sign,
            )
    return dict(figures)


def births(user: User, period: ReportPeriod) -> Figures:
    """Births in the period per community, by birth order (1, 2, 3 and more) and sex:
    keys ``b1_m``, ``b1_f``, ``b2_m`` … ``b3_f``."""
    figures: Figures = defaultdict(dict)
    rows = (
        _events(user, (Kind.BIRTH,), period.start, period.end)
        .values_list("community_id", "data__birth_order", "person__sex")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for unit_id, order, sex, n in rows:
        key = f"b{min(max(int(order or 1), 1), 3)}_{'m' if sex == Sex.MALE else 'f'}"
        figures[unit_id][key] = figures[unit_id].get(key, 0) + n
    return dict(figures)


def event_counts(user: User, period: ReportPeriod, kind: str) -> dict[int, int]:
    """Events of one kind (death, move in, move out) in the period per community."""
    return dict(
        _events(user, (kind,), period.start, period.end)
        .values_list("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
        .order_by()
    )


# ------------------------------------------------------------------------- pre-pregnancy


PREPREGNANCY_KEYS = ("targets", "checked_both", "checked_one", "checked", "examined", "high_risk")


def prepregnancy_checks(user: User, period: ReportPeriod) -> Figures:
    """Target couples, couples checked (both, one spouse, either), persons examined and
    high-risk assessments per community: the programme's own indicator definitions."""
    table = indicator_table(user=user, period=Period(period.start, period.end))
    return {
        row.unit.pk: {key: row.counts[key] for key in PREPREGNANCY_KEYS}
        for row in table
        if row.unit is not None
    }


# ------------------------------------------------------------------------------ supply


def issued_by_category(user: User, period: ReportPeriod) -> Figures:
    """Units issued in the period (to named and anonymous users, reversals excluded) per
    unit holding the point and per product category."""
    rows = (
        StockMove.objects.counted_for(user)
        .filter(
            kind__in=sorted(ISSUE_KINDS),
            occurred_on__gte=period.start,
            occurred_on__lte=period.end,
            reversed_by__isnull=True,
        )
        .values_list("point__org_unit_id", "lot__product__category")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    figures: Figures = defaultdict(dict)
    for unit_id, category, total in rows:
        figures[unit_id][f"issued_{category}"] = -int(total or 0)
    return dict(figures)


def roster_users_at(user: User, day: dt.date) -> dict[int, int]:
    """Persons on the contraceptive roster at the end of ``day`` per community."""
    return dict(
        RosterEntry.objects.counted_for(user)
        .filter(start_date__lte=day)
        .filter(Q(stop_date__isnull=True) | Q(stop_date__gt=day))
        .values_list("person__community_id")
        .annotate(n=Count("person", distinct=True))
        .values_list("person__community_id", "n")
        .order_by()
    )


def distribution_points(user: User) -> dict[int, int]:
    """Distribution points in service per unit."""
    return dict(
        DistributionPoint.objects.counted_for(user)
        .filter(is_active=True)
        .values_list("org_unit_id")
        .annotate(n=Count("pk"))
        .values_list("org_unit_id", "n")
        .order_by()
    )


# ------------------------------------------------------------------------------ benefits


def benefits_paid(user: User, period: ReportPeriod) -> dict[int, dict[int, tuple[int, Decimal]]]:
    """Per program and community: units paid (a couple or household once) and the net
    amount of the lines settled in the period (a reversal settled in it counts against it).
    Imported history counts by the day each line was paid."""
    rows = (
        Payment.objects.counted_for(user)
        .filter(settled_at__date__gte=period.start, settled_at__date__lte=period.end)
        .filter(Q(kind=Payment.Kind.REVERSAL) | Q(status__in=["paid", "reversed"]))
        .values_list("program_id", "community_id")
        .annotate(
            units=Count(
                Coalesce(NullIf("unit_key", Value("")), Cast("person_id", CharField())),
                distinct=True,
                filter=Q(kind=Payment.Kind.PAYMENT, status=Payment.Status.PAID),
            ),
            net=Coalesce(Sum("amount"), Decimal("0.00")),
        )
        .order_by()
    )
    paid: dict[int, dict[int, tuple[int, Decimal]]] = defaultdict(dict)
    for program_id, unit_id, units, net in rows:
        paid[program_id][unit_id] = (units, net)
    return dict(paid)


def programs_of(program_ids: Iterable[int]) -> list[Program]:
    """The programs named, in the catalogue's order."""
    return list(Program.objects.filter(pk__in=list(program_ids)).order_by("category", "name"))
