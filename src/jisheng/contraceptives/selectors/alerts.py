"""Stock alerts for keepers: low stock, lots expiring within six months, expired lots
still on the books. Edges: a lot is usable on its expiry date; "within six months" includes
the day six calendar months ahead; a product is low when usable stock is at or below its
level."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
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
    horizon = add_months(today, EXPIRY_WARNING_MONTHS)
    held = (
        StockBalance.objects.filter(point_id__in=by_id, quantity__gt=0)
        .filter(Q(lot__expiry_date__lt=today) | Q(lot__expiry_date__lte=horizon))
        .select_related("lot__product")
        .order_by("lot__expiry_date", "point_id", "lot_id")
    )
    for balance in held:
        alert = LotAlert(
            point=by_id[balance.point_id], lot=balance.lot, quantity=balance.quantity, today=today
        )
        (alerts.expired if balance.lot.is_expired(today) else alerts.expiring).append(alert)
    usable: dict[tuple[int, int], int] = defaultdict(int)
    for point_id, product_id, total in (
        StockBalance.objects.filter(point_id__in=by_id, lot__expiry_date__gte=today)
        .values_list("point_id", "lot__product_id")
        .annotate(total=Sum("quantity"))
    ):
        usable[(point_id, product_id)] = int(total or 0)
    levels = StockThreshold.objects.filter(
        point_id__in=by_id, product__is_active=True
    ).select_related("product")
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


def points_watched_by(user: User) -> QuerySet[DistributionPoint]:
    """Points whose alerts a user gets: those they keep, and in-scope points without a keeper."""
    if not user.has_capability(Capability.MANAGE_STOCK):
        return DistributionPoint.objects.none()
    return (
        DistributionPoint.objects.visible_to(user)
        .filter(Q(keeper=user) | Q(keeper__isnull=True), is_active=True)
        .select_related("org_unit")
    )
