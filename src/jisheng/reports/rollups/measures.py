"""What the rollups count: each measure is one grouped query over the records of some units.

A measure's query returns the cells of the units it is given (``None``: every unit); the
rebuild runs it over chunks of units, the incremental refresh over the units its sources
touched. Dimensions (``d1``…``d4``) by measure:

- ``persons`` (period ``""``): status, sex, birth year, ``"1"`` floating / ``"0"``
- ``households`` (``""``): none
- ``births`` (month of birth): sex, birth order (``"3"`` is third or later)
- ``deaths`` (month): none
- ``moves`` (month): ``move_in`` / ``move_out``
- ``flows`` (month): event kind (birth, registration, move in; death, move out), ``"1"``
  floating / ``"0"`` — what a form needs to undo since a period's end (residents then)
- ``couples`` (month the couple became a target): spouses checked (``"0"``/``"1"``/``"2"``)
- ``checks`` (month ``YYYY-MM``, quarter ``YYYY-Qn`` or year ``YYYY`` of the couples' entry):
  indicator (``targets``, ``checked_both``, ``checked_one``, ``checked``, ``examined``,
  ``high_risk``) as the programme defines it for that period (``prepregnancy.selectors``);
  every period from the first couple's year to this month
- ``issues`` (month, unit of the point): product category; ``count`` issues, ``amount`` units
- ``roster`` (month): none; ``count`` persons on the contraceptive roster at the month's end
  (every month from the first entry's to next month)
- ``stock`` (``""``, unit of the point): point id, expiry month ``YYYY-MM``; ``count`` on hand
- ``payouts`` (year): program id; ``count`` persons paid, ``amount`` yuan
- ``migrants`` (month of the move): ``inflow`` / ``outflow``; floating-population records,
  open or ended (not the registry's moves: a resident already living here may get an inflow
  record with no move-in event, and most moves are not migrations)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear, Substr
from django.utils import timezone

from jisheng.benefits.models import Payment
from jisheng.contraceptives.models import RosterEntry, StockBalance, StockMove
from jisheng.contraceptives.models.ledger import ISSUE_KINDS
from jisheng.core.dates import add_months
from jisheng.migrants.models import MigrantRecord
from jisheng.prepregnancy.models import Checkup, RiskLevel, TargetCouple
from jisheng.prepregnancy.selectors.indicators import Period as IndicatorPeriod
from jisheng.prepregnancy.selectors.indicators import targets_of, with_checked
from jisheng.registry.models import Household, LifeEvent, Person, ResidentStatus

Cell = tuple[int, str, str, str, str, str, int, Decimal]
"""unit id, period, d1, d2, d3, d4, count, amount."""

# Persons in the resident figures: voided records and family members living elsewhere are not.
COUNTED_STATUSES = (ResidentStatus.LIVING, ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED)
# Birth orders above this are counted together (the forms' "third and later").
LAST_BIRTH_ORDER = 3


@dataclass(frozen=True)
class Measure:
    """One kind of figure: ``cells(unit_ids)`` computes all its cells of those units."""

    key: str
    cells: Callable[[Sequence[int] | None], Iterable[Cell]]


def _in_units[Q: QuerySet[Any]](rows: Q, field: str, unit_ids: Sequence[int] | None) -> Q:
    return rows if unit_ids is None else rows.filter(**{f"{field}__in": unit_ids})


def _month(year: int, month: int) -> str:
    # int(): PostgreSQL's EXTRACT answers a numeric.
    return f"{int(year):04d}-{int(month):02d}"


def persons(unit_ids: Sequence[int] | None) -> Iterable[Cell]:
    rows = (
        _in_units(Person.objects.filter(status__in=COUNTED_STATUSES), "community_id", unit_ids)
        .values_list("community_id", "status", "sex", ExtractYear("birth_date"), "is_floating")
        .annotate(n=Count("id"))
        .order_by()
    )
    for unit, status, sex, year, floating, n in rows:
        yield unit, "", status, sex, str(int(year)), "1" if floating else "0", n, Decimal(0)


def households(unit_ids: Sequence[int] | None) -> Iterable[Cell]:
    rows = (
        _in_units(Household.objects.all(), "community_id", unit_ids)
        .values_list("community_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for unit, n in rows:
        yield unit, "", "", "", "", "", n, Decimal(0)


def _events(kinds: Sequence[str], unit_ids: Sequence[int] | None) -> QuerySet[LifeEvent]:
    """Events of these kinds that stand (a reversed event no longer counts)."""
    events = LifeEvent.objects.filter(kind__in=kinds, reversed_by__isnull=True)
    return _in_units(events, "community_id", unit_ids)


def births(unit_ids: Sequence[int] | None) -> Iterable[Cell]:
    rows = (
        _events([LifeEvent.Kind.BIRTH], unit_ids)
        .values_list(
            "community_id",
            ExtractYear("date"),
            ExtractMonth("date"),
            "person__sex",
            "data__birth_order",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    merged: dict[tuple[int, str, str, str], int] = {}
    for unit, year, month, sex, order, n in rows:
        order_key = str(min(int(order or 1), LAST_BIRTH_ORDER))
        key = (unit, _month(year, month), sex, order_key)
        merged[key] = merged.get(key, 0) + n
    for (unit, period, sex, order_key), n in merged.items():
        yield unit, period, sex, order_key, "", "", n, Decimal(0)


def deaths(unit_ids: Sequence[int] | None) -> Iterable[Cell]:
    rows = (
        _events([LifeEvent.Kind.DEATH], unit_ids)
        .values_list("community_id", ExtractYear("date"), ExtractMonth("date"))
        .annotate(n=Count("id"))
        .order_by()
    )
    for unit, year, month, n in rows:
        yield unit, _month(year, month), "", "", "", "", n, Decimal(0)


def moves(unit_ids: Sequence[int] | None) -> Iterable[Cell]:
    rows = (
        _events([LifeEvent.Kind.MOVE_IN, LifeEvent.Kind.MOVE_OUT], unit_ids)
        .values_list("community_id", ExtractYear("date"), ExtractMonth("date"), "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for unit, year, month, kind, n in rows:
        yield unit, _month(year, month), kind, "", "", "", n, Decimal(0)


FLOW_KINDS = (
    LifeEvent.Kind.BIRTH,
    LifeEvent.Kind.REGISTRATION,
    LifeEvent.Kind.MOVE_IN,
    LifeEvent.Kind.DEATH,
    LifeEvent.Kind.MOVE_OUT,
)


def flows(unit_ids: Sequence[int] | None) -> Iterable[Cell]:
    rows = (
        _events(FLOW_KINDS, unit_ids)
        .values_list(
            "community_id", ExtractYear("date"), ExtractMonth("date"), "kind", "person__is_floating"
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for unit, year, month, kind, floating, n in rows:
        yield unit, _month(year, month), kind, "1" if floating else "0", "", "", n, Decimal(0)


def couples(unit_ids: Sequence[int] | None) -> Iterable[Cell]:
    checked = (
        Checkup.objects.filter(couple=OuterRef("pk"))
        .order_by()
        .values("couple")
        .annotate(n=Count("spouse", distinct=True))
        .values("n")
    )
    rows = (
        _in_units(TargetCouple.objects.all(), "community_id", unit_ids)
        .annotate(spouses=Coalesce(Subquery(checked, output_field=IntegerField()), Value(0)))
        .values_list(
            "community_id", ExtractYear("entered_on"), ExtractMonth("entered_on"), "spouses"
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for unit, year, month, spouses, n in rows:
        yield unit, _month(year, month), str(spouses), "", "", "", n, Decimal(0)


def report_periods(first: dt.date, last: dt.date) -> Iterator[tuple[str, dt.date, dt.date]]:
    """Every year, quarter and month from ``first``'s year that begins by ``last``, as
    ``(key, start, end)``; the keys ``checks`` cells are stored under."""
    for year in range(first.year, last.year + 1):
        spans = [(str(year), dt.date(year, 1, 1), 12)]
        spans += [(f"{year}-Q{q}", dt.date(year, 3 * q - 2, 1), 3) for q in range(1, 5)]
        spans += [(f"{year}-{m:02d}", dt.date(year, m, 1), 1) for m in range(1, 13)]
        for key, start, months in spans:
            if start <= last:
                yield key, start, add_months(start, months) - dt.timedelta(days=1)


def checks(unit_ids: Sequence[int] | None) -> Iterable[Cell]:
    # The indicators count couples and checkups as of a period's end, so periods do not add
    # up: each month, quarter and year is counted on its own (three grouped queries each).
    couples = _in_units(TargetCouple.objects.all(), "community_id", unit_ids)
    first = couples.aggregate(m=Min("entered_on"))["m"]
    if first is None:
        return
    for key, start, end in report_periods(first, timezone.localdate()):
        span = IndicatorPeriod(start, end)
        targets = targets_of(couples, span)
        for unit, n in targets.values_list("community_id").annotate(n=Count("id")).order_by():
            yield unit, key, "targets", "", "", "", n, Decimal(0)
        checked = (
            with_checked(targets, span)
            .filter(spouses_checked__in=(1, 2))  # type: ignore[misc]  # annotated by with_checked
            .values_list("community_id", "spouses_checked")
            .annotate(n=Count("id"))
            .order_by()
        )
        totals: dict[int, int] = {}
        for unit, spouses, n in checked:
            indicator = "checked_both" if spouses == 2 else "checked_one"
            yield unit, key, indicator, "", "", "", n, Decimal(0)
            totals[unit] = totals.get(unit, 0) + n
        for unit, n in totals.items():
            yield unit, key, "checked", "", "", "", n, Decimal(0)
        examined = (
            Checkup.objects.filter(couple__in=targets, date__lte=end)
            .values_list("couple__community_id")
            .annotate(n=Count("id"), high=Count("id", filter=Q(risk_level=RiskLevel.HIGH)))
            .order_by()
        )
        for unit, n, high in examined:
            yield unit, key, "examined", "", "", "", n, Decimal(0)
            if high:
                yield unit, key, "high_risk", "", "", "", high, Decimal(0)


def issues(unit_ids: Sequence[int] | None) -> Iterable[Cell]:
    moved = StockMove.objects.filter(kind__in=ISSUE_KINDS, reversed_by__isnull=True)
    rows = (
        _in_units(moved, "point__org_unit_id", unit_ids)
        .values_list(
            "point__org_unit_id",
            ExtractYear("occurred_on"),
            ExtractMonth("occurred_on"),
            "lot__product__category",
        )
        .annotate(n=Count("id"), units=Sum("quantity"))
        .order_by()
    )
    for unit, year, month, category, n, units in rows:
        # Issues are negative moves; the figure is what went out.
        yield unit, _month(year, month), category, "", "", "", n, Decimal(-(units or 0))


def roster(unit_ids: Sequence[int] | None) -> Iterable[Cell]:
    # One grouped query per month end: a person counts once whatever entries cover the day.
    first = RosterEntry.objects.aggregate(m=Min("start_date"))["m"]
    if first is None:
        return
    entries = _in_units(RosterEntry.objects.all(), "person__community_id", unit_ids)
    month = first.replace(day=1)
    last = add_months(timezone.localdate().replace(day=1), 1)
    while month <= last:
        end = add_months(month, 1) - dt.timedelta(days=1)
        rows = (
            entries.filter(start_date__lte=end)
            .filter(Q(stop_date__isnull=True) | Q(stop_date__gt=end))
            .values_list("person__community_id")
            .annotate(n=Count("person", distinct=True))
            .order_by()
        )
        for unit, n in rows:
            yield unit, f"{month:%Y-%m}", "", "", "", "", n, Decimal(0)
        month = add_months(month, 1)


def stock(unit_ids: Sequence[int] | None) -> Iterable[Cell]:
    rows = (
        _in_units(StockBalance.objects.exclude(quantity=0), "point__org_unit_id", unit_ids)
        .values_list(
            "point__org_unit_id",
            "point_id",
            ExtractYear("lot__expiry_date"),
            ExtractMonth("lot__expiry_date"),
        )
        .annotate(on_hand=Sum("quantity"))
        .order_by()
    )
    for unit, point, year, month, on_hand in rows:
        yield unit, "", str(point), _month(year, month), "", "", int(on_hand or 0), Decimal(0)


def payouts(unit_ids: Sequence[int] | None) -> Iterable[Cell]:
    # A one-off award ("once") counts in the year its batch's period starts.
    year = Case(
        When(
            period="once",
            then=Cast(ExtractYear("batch__period_start"), output_field=CharField(max_length=4)),
        ),
        default=Substr("period", 1, 4),
        output_field=CharField(max_length=4),
    )
    paid = Payment.objects.filter(kind=Payment.Kind.PAYMENT, status=Payment.Status.PAID)
    rows = (
        _in_units(paid, "community_id", unit_ids)
        .annotate(year=year)
        .values_list("community_id", "year", "program_id")
        .annotate(persons=Count("person_id", distinct=True), total=Sum("amount"))
        .order_by()
    )
    for unit, period, program, persons_paid, total in rows:
        yield unit, str(period), str(program), "", "", "", persons_paid, Decimal(total or 0)


def migrants(unit_ids: Sequence[int] | None) -> Iterable[Cell]:
    rows = (
        _in_units(MigrantRecord.objects.all(), "community_id", unit_ids)
        .values_list("community_id", ExtractYear("moved_on"), ExtractMonth("moved_on"), "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for unit, year, month, kind, n in rows:
        yield unit, _month(year, month), kind, "", "", "", n, Decimal(0)


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("persons", persons),
        Measure("households", households),
        Measure("births", births),
        Measure("deaths", deaths),
        Measure("moves", moves),
        Measure("flows", flows),
        Measure("couples", couples),
        Measure("checks", checks),
        Measure("issues", issues),
        Measure("roster", roster),
        Measure("stock", stock),
        Measure("payouts", payouts),
        Measure("migrants", migrants),
    )
}
