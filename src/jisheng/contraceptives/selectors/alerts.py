"""Stock alerts for keepers: low stock, lots expiring within six months, expired lots
still on the books. Edges: a lot is usable on its expiry date; "within six months" includes
the day six calendar months ahead; a product is low when usable stock is at or below its
level."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum

from jisheng.accounts.models import User
from jisheng.contraceptives.models import (
    DistributionPoint,
    Lot,
    Product,
    StockBalance,
    StockThreshold,
)
from jisheng.core.dates import add_months
from jisheng.core.roles import Capability

EXPIRY_WARNING_MONTHS = 6


@dataclass(frozen=True)
class LowStock:
    point: DistributionPoint
    product: Product
    on_hand: int
    minimum: int


@dataclass(frozen=True)
class LotAlert:
    point: DistributionPoint
    lot: Lot
    quantity: int
    today: dt.date

    @property
    def days_left(self) -> int:
        return (self.lot.expiry_date - self.today).days


@dataclass
class StockAlerts:
    low_stock: list[LowStock] = field(default_factory=list)
    expiring: list[LotAlert] = field(default_factory=list)
    expired: list[LotAlert] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.low_stock) + len(self.expiring) + len(self.expired)


def stock_alerts(points: Iterable[DistributionPoint], *, today: dt.date) -> StockAlerts:
    """The alerts of ``points`` on day ``today``; a few queries whatever the number of lots."""
    by_id = {point.pk: point for point in points}
    alerts = StockAlerts()
    if not by_id:
        return alerts
    held = (
        _held_near_expiry(by_id, today)
        .select_related("lot__product")
        .order_by("lot__expiry_date", "point_id", "lot_id")
    )
    for balance in held:
        alert = LotAlert(
            point=by_id[balance.point_id], lot=balance.lot, quantity=balance.quantity, today=today
        )
        (alerts.expired if balance.lot.is_expired(today) else alerts.expiring).append(alert)
    usable = _usable(by_id, today)
    levels = _levels(by_id).select_related("product")
    for level in levels.order_by("point_id", "product__name"):
        on_hand = usable[(level.point_id, level.product_id)]
        if on_hand <= level.minimum:
            alerts.low_stock.append(
                LowStock(
                    point=by_id[level.point_id],
                    product=level.product,
                    on_hand=on_hand,
                    minimum=level.minimum,
                )
            )
    return alerts


def alert_counts(point_ids: Collection[int], *, today: dt.date) -> dict[int, int]:
    """How many alerts ``stock_alerts`` gives each of these points on day ``today`` (a point
    with none is left out), counted from values: the points page shows only the counts."""
    if not point_ids:
        return {}
    counts = Counter(_held_near_expiry(point_ids, today).values_list("point_id", flat=True))
    usable = _usable(point_ids, today)
    for point_id, product_id, minimum in _levels(point_ids).values_list(
        "point_id", "product_id", "minimum"
    ):
        if usable[(point_id, product_id)] <= minimum:
            counts[point_id] += 1
    return dict(counts)


def _held_near_expiry(point_ids: Collection[int], today: dt.date) -> QuerySet[StockBalance]:
    """Stock held at these points in lots expired by ``today`` or expiring within
    ``EXPIRY_WARNING_MONTHS``: one alert each."""
    horizon = add_months(today, EXPIRY_WARNING_MONTHS)
    return StockBalance.objects.filter(point_id__in=point_ids, quantity__gt=0).filter(
        Q(lot__expiry_date__lt=today) | Q(lot__expiry_date__lte=horizon)
    )


def _usable(point_ids: Collection[int], today: dt.date) -> defaultdict[tuple[int, int], int]:
    """Units of each product at each of these points in lots not expired on ``today``."""
    usable: defaultdict[tuple[int, int], int] = defaultdict(int)
    for point_id, product_id, total in (
        StockBalance.objects.filter(point_id__in=point_ids, lot__expiry_date__gte=today)
        .values_list("point_id", "lot__product_id")
        .annotate(total=Sum("quantity"))
    ):
        usable[(point_id, product_id)] = int(total or 0)
    return usable


def _levels(point_ids: Collection[int]) -> QuerySet[StockThreshold]:
    """The low-stock levels of active products at these points: a product at or below its
    level is low."""
    return StockThreshold.objects.filter(point_id__in=point_ids, product__is_active=True)


def points_watched_by(user: User) -> QuerySet[DistributionPoint]:
    """Points whose alerts a user gets: those they keep, and in-scope points without a keeper."""
    if not user.has_capability(Capability.MANAGE_STOCK):
        return DistributionPoint.objects.none()
    return (
        DistributionPoint.objects.visible_to(user)
        .filter(Q(keeper=user) | Q(keeper__isnull=True), is_active=True)
        .select_related("org_unit")
    )
