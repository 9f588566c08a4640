"""The figures of the standard forms, each a small function over the rollups or the records.

The population figures read the rollups (a registry of 1,000,000 residents is too large to
count per page); the others count their module's records. Every count is scoped:
``counted_for`` (and the rollups' unit scope) gives leaders and supervisors
(``VIEW_AGGREGATES``) the counts of their whole area and everyone else what they may read.
Each function returns ``{unit id: {column key: number}}`` (or a plain count per unit).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import CharField, Count, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.benefits.models import Payment, Program
from jisheng.contraceptives.models import DistributionPoint
from jisheng.core.permissions import require_any
from jisheng.core.roles import Capability
from jisheng.registry.models import LifeEvent, ResidentStatus, Sex
from jisheng.reports.forms.periods import PeriodKind, ReportPeriod
from jisheng.reports.rollups import selectors as rollups

Kind = LifeEvent.Kind
Figures = dict[int, dict[str, int]]

ARRIVALS = (Kind.BIRTH, Kind.REGISTRATION, Kind.MOVE_IN)
DEPARTURES = (Kind.DEATH, Kind.MOVE_OUT)


def _months(period: ReportPeriod) -> dict[str, str]:
    """The rollup filter of a period's months (monthly cells are keyed ``YYYY-MM``)."""
    return {"period__gte": f"{period.start:%Y-%m}", "period__lte": f"{period.end:%Y-%m}"}


# ------------------------------------------------------------------------------ population


def residents_at(user: User, day: dt.date, *, today: dt.date | None = None) -> Figures:
    """Residents living here at the end of ``day`` (a month's last day: a period's end) per
    community: ``registered`` (户籍) and ``floating`` (流动), as recorded — today's residents,
    less those who arrived in later months, plus those who left in them (births,
    registrations, moves in; deaths, moves out). From the rollups."""
    today = today or timezone.localdate()
    figures: Figures = defaultdict(lambda: {"registered": 0, "floating": 0})

    def add(counts: dict[tuple[str, ...], tuple[int, Decimal]], sign: int) -> None:
        for (unit_id, floating), (n, _amount) in counts.items():
            figures[int(unit_id)]["floating" if floating == "1" else "registered"] += sign * n

    add(rollups.totals(user, "persons", ("unit_id", "d4"), d1=ResidentStatus.LIVING), 1)
    if day < today:
        for kinds, sign in ((ARRIVALS, -1), (DEPARTURES, 1)):
            flows = rollups.totals(
                user, "flows", ("unit_id", "d2"), period__gt=f"{day:%Y-%m}", d1__in=kinds
            )
            add(flows, sign)
    return dict(figures)


def births(user: User, period: ReportPeriod) -> Figures:
    """Births in the period per community, by birth order (1, 2, 3 and more) and sex:
    keys ``b1_m``, ``b1_f``, ``b2_m`` … ``b3_f``."""
    figures: Figures = defaultdict(dict)
    counts = rollups.totals(user, "births", ("unit_id", "d1", "d2"), **_months(period))
    for (unit_id, sex, order), (n, _amount) in counts.items():
        key = f"b{order}_{'m' if sex == Sex.MALE else 'f'}"
        row = figures[int(unit_id)]
        row[key] = row.get(key, 0) + n
    return dict(figures)


def event_counts(user: User, period: ReportPeriod, kind: str) -> dict[int, int]:
    """Events of one kind (death, move in, move out) in the period per community."""
    counts = rollups.totals(user, "flows", ("unit_id",), d1=kind, **_months(period))
    return {int(unit_id): n for (unit_id,), (n, _amount) in counts.items()}


# ------------------------------------------------------------------------- pre-pregnancy


PREPREGNANCY_KEYS = ("targets", "checked_both", "checked_one", "checked", "examined", "high_risk")


def prepregnancy_checks(user: User, period: ReportPeriod) -> Figures:
    """Target couples, couples checked (both, one spouse, either), persons examined and
    high-risk assessments per community: the programme's own indicator definitions, counted
    per period by the rollups (``checks``); only for the health duty or oversight."""
    require_any(user, Capability.VIEW_HEALTH, Capability.VIEW_AGGREGATES)
    key = {
        PeriodKind.MONTH: f"{period.year}-{period.number:02d}",
        PeriodKind.QUARTER: f"{period.year}-Q{period.number}",
    }.get(period.kind, str(period.year))
    figures: Figures = defaultdict(lambda: dict.fromkeys(PREPREGNANCY_KEYS, 0))
    for (unit_id, indicator), (n, _amount) in rollups.totals(
        user, "checks", ("unit_id", "d1"), period=key
    ).items():
        if indicator in PREPREGNANCY_KEYS:
            figures[int(unit_id)][indicator] = n
    return dict(figures)


# ------------------------------------------------------------------------------ supply


def issued_by_category(user: User, period: ReportPeriod) -> Figures:
    """Units issued in the period (to named and anonymous users, reversals excluded) per
    unit holding the point and per product category. From the rollups."""
    counts = rollups.totals(user, "issues", ("unit_id", "d1"), **_months(period))
    figures: Figures = defaultdict(dict)
    for (unit_id, category), (_n, units) in counts.items():
        figures[int(unit_id)][f"issued_{category}"] = int(units)
    return dict(figures)


def roster_users_at(user: User, day: dt.date) -> dict[int, int]:
    """Persons on the contraceptive roster at the end of ``day`` (a month's last day: a
    period's end) per community. From the rollups."""
    counts = rollups.totals(user, "roster", ("unit_id",), period=f"{day:%Y-%m}")
    return {int(unit_id): n for (unit_id,), (n, _amount) in counts.items()}


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
