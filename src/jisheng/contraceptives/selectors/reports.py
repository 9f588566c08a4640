"""Report tables: issues by product, month and point; stock on hand; expiry list; roster by
method and community; consultation and material totals. Each is a few grouped queries.

The four supply reports count with ``counted_for``: leaders and supervisors read them over
their area; none of them lists a person."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, QuerySet, Sum, When

from jisheng.accounts.models import User
from jisheng.contraceptives.models import (
    Consultation,
    DistributionPoint,
    IssueMonth,
    MaterialHandout,
    Method,
    Product,
    RosterEntry,
    StockBalance,
)
from jisheng.contraceptives.selectors.alerts import EXPIRY_WARNING_MONTHS
from jisheng.core.dates import add_months
from jisheng.core.models import OrgUnit


@dataclass
class IssueRow:
    point: DistributionPoint
    product: Product
    months: list[int] = field(default_factory=lambda: [0] * 12)

    @property
    def total(self) -> int:
        return sum(self.months)


@dataclass(frozen=True)
class UnitTotal:
    """The issues of every product counted in one unit (盒, 板, 个, 套…)."""

    unit: str
    months: list[int]

    @property
    def total(self) -> int:
        return sum(self.months)


@dataclass
class IssueTable:
    year: int
    rows: list[IssueRow]

    @property
    def unit_totals(self) -> list[UnitTotal]:
        """Totals per unit: boxes and pieces are not added together."""
        by_unit: dict[str, list[int]] = {}
        for row in self.rows:
            months = by_unit.setdefault(row.product.unit, [0] * 12)
            for index, n in enumerate(row.months):
                months[index] += n
        return [UnitTotal(unit, months) for unit, months in sorted(by_unit.items())]


def issues_by_month(*, user: User, year: int) -> IssueTable:
    """Units handed out (named and anonymous) per point and product in each month of
    ``year``; reversed issues do not count. Read from the months kept with the ledger
    (:class:`IssueMonth`: at most twelve rows per point and product), not from the moves."""
    kept = (
        IssueMonth.objects.counted_for(user)
        .filter(month__year=year)
        .exclude(quantity=0)
        .values_list("point_id", "product_id", "month", "quantity")
    )
    cells = [(p, q, m.month, int(n)) for p, q, m, n in kept]
    points = DistributionPoint.objects.in_bulk({c[0] for c in cells})
    products = Product.objects.in_bulk({c[1] for c in cells})
    rows: dict[tuple[int, int], IssueRow] = {}
    for point_id, product_id, month, total in cells:
        row = rows.setdefault(
            (point_id, product_id), IssueRow(point=points[point_id], product=products[product_id])
        )
        row.months[month - 1] += total
    ordered = sorted(
        rows.values(), key=lambda r: (r.point.org_unit_id, r.point.name, r.product.name)
    )
    return IssueTable(year=year, rows=ordered)


@dataclass(frozen=True)
class OnHandRow:
    point: DistributionPoint
    product: Product
    quantity: int
    usable: int

    @property
    def expired(self) -> int:
        return self.quantity - self.usable


def stock_on_hand(*, user: User, today: dt.date) -> list[OnHandRow]:
    """Stock per point and product: everything held, and the part not yet expired."""
    grouped = (
        StockBalance.objects.counted_for(user)
        .filter(quantity__gt=0)
        .values_list("point_id", "lot__product_id")
        .annotate(
            total=Sum("quantity"),
            usable=Sum(
                Case(
                    When(lot__expiry_date__gte=today, then="quantity"),
                    default=0,
                    output_field=IntegerField(),
                )
            ),
        )
        .order_by()
    )
    cells = list(grouped)
    points = DistributionPoint.objects.select_related("org_unit").in_bulk({c[0] for c in cells})
    products = Product.objects.in_bulk({c[1] for c in cells})
    rows = [
        OnHandRow(point=points[p], product=products[q], quantity=int(t or 0), usable=int(u or 0))
        for p, q, t, u in cells
    ]
    return sorted(rows, key=lambda r: (r.point.org_unit.path, r.point.name, r.product.name))


def expiry_list(
    *, user: User, today: dt.date, months: int = EXPIRY_WARNING_MONTHS
) -> QuerySet[StockBalance]:
    """Lots held that have expired or expire within ``months``, soonest first."""
    return (
        StockBalance.objects.counted_for(user)
        .filter(quantity__gt=0, lot__expiry_date__lte=add_months(today, months))
        .select_related("point__org_unit", "lot__product")
        .order_by("lot__expiry_date", "point__name", "lot__product__name")
    )


@dataclass(frozen=True)
class RosterRow:
    unit: OrgUnit
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class RosterTable:
    methods: list[tuple[str, str]]
    rows: list[RosterRow]

    @property
    def totals(self) -> list[int]:
        return [sum(row.counts[i] for row in self.rows) for i in range(len(self.methods))]

    @property
    def total(self) -> int:
        return sum(self.totals)


def roster_by_method(*, user: User) -> RosterTable:
    """Current users of each method per community (counts only)."""
    grouped = (
        RosterEntry.objects.counted_for(user)
        .filter(stop_date__isnull=True)
        .values_list("person__community_id", "method")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for community_id, method, n in grouped:
        counts[community_id][method] = n
    methods = [(value, str(label)) for value, label in Method.choices]
    units = OrgUnit.objects.in_bulk(list(counts))
    rows = [
        RosterRow(unit=units[unit_id], counts=[by_method.get(value, 0) for value, _l in methods])
        for unit_id, by_method in counts.items()
    ]
    rows.sort(key=lambda row: row.unit.path)
    return RosterTable(methods=methods, rows=rows)


@dataclass(frozen=True)
class OutreachTotals:
    sessions: int
    people: int
    handouts: int
    copies: int


def outreach_totals(*, user: User, year: int) -> OutreachTotals:
    """Consultations (sessions, people) and materials (handouts, copies) in ``year``."""
    consultations = (
        Consultation.objects.visible_to(user)
        .filter(date__year=year)
        .aggregate(sessions=Count("pk"), people=Sum("people"))
    )
    handouts = (
        MaterialHandout.objects.visible_to(user)
        .filter(date__year=year)
        .aggregate(handouts=Count("pk"), copies=Sum("quantity"))
    )
    return OutreachTotals(
        sessions=consultations["sessions"] or 0,
        people=consultations["people"] or 0,
        handouts=handouts["handouts"] or 0,
        copies=handouts["copies"] or 0,
    )


def consultation_list(user: User) -> QuerySet[Consultation]:
    return (
        Consultation.objects.visible_to(user)
        .select_related("point", "worker")
        .order_by("-date", "-pk")
    )


def handout_list(user: User) -> QuerySet[MaterialHandout]:
    return (
        MaterialHandout.objects.visible_to(user)
        .select_related("point", "worker")
        .order_by("-date", "-pk")
    )


def handouts_at(user: User, kind: str, occasion_id: int) -> QuerySet[MaterialHandout]:
    """The handouts in ``user``'s scope that name the occasion ``kind``/``occasion_id``."""
    return (
        MaterialHandout.objects.visible_to(user)
        .filter(occasion_kind=kind, occasion_id=occasion_id)
        .select_related("point")
        .order_by("date", "pk")
    )
