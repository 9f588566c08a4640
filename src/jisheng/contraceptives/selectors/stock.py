"""Points, balances, moves and stock cards, as the user may see them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum, Window
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.contraceptives.models import (
    DistributionPoint,
    IssueMonth,
    Lot,
    Product,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMove,
    StockThreshold,
    StockTransfer,
)
from jisheng.contraceptives.selectors.alerts import alert_counts
from jisheng.core.actors import Actor
from jisheng.core.choices import labels
from jisheng.core.errors import NotFound
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import ROLE_CAPABILITIES, Capability


def point_list(user: User) -> QuerySet[DistributionPoint]:
    """The points in the user's scope; a stock manager's read (403 for others)."""
    require(user, Capability.MANAGE_STOCK)
    return DistributionPoint.objects.visible_to(user).select_related("org_unit", "keeper")


def point_or_404(user: User, point_id: int) -> DistributionPoint:
    return visible_or_404(point_list(user), user=user, pk=point_id)


def point_totals(user: User) -> dict[int, int]:
    """Units held per visible point (all lots)."""
    totals = (
        StockBalance.objects.visible_to(user)
        .values_list("point_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {point_id: int(total or 0) for point_id, total in totals}


@dataclass(frozen=True, slots=True)
class PointRow:
    """A point as the points page shows it, read as values, with the units it holds and its
    count of alerts."""

    pk: int
    name: str
    kind_label: str
    unit_name: str
    address: str
    keeper_name: str | None  # as User.__str__; None: no keeper
    is_active: bool
    on_hand: int
    alerts: int


def point_rows(user: User, *, today: dt.date) -> list[PointRow]:
    """The points in the user's scope (in ``point_list``'s order) as the points page shows
    them; a stock manager's read (403 for others)."""
    require(user, Capability.MANAGE_STOCK)
    kinds = labels(DistributionPoint, "kind")
    found = list(
        DistributionPoint.objects.visible_to(user).values_list(
            "pk",
            "name",
            "kind",
            "org_unit__name",
            "address",
            "keeper__full_name",
            "keeper__username",
            "is_active",
        )
    )
    totals = point_totals(user)
    alerts = alert_counts([values[0] for values in found], today=today)
    return [
        PointRow(
            pk=pk,
            name=name,
            kind_label=kinds.get(kind, kind),
            unit_name=unit,
            address=address,
            keeper_name=full_name or username,
            is_active=is_active,
            on_hand=totals.get(pk, 0),
            alerts=alerts.get(pk, 0),
        )
        for pk, name, kind, unit, address, full_name, username, is_active in found
    ]


def transfer_destinations(user: User, source: DistributionPoint) -> QuerySet[DistributionPoint]:
    """Points in service that ``source`` may supply: those the user manages, and the
    points of the unit just above the user's (a community returns stock to the store)."""
    unit = user.org_unit
    above = Q(org_unit_id=unit.parent_id) if unit is not None and unit.parent_id else Q(pk=None)
    return (
        DistributionPoint.objects.filter(
            Q(pk__in=DistributionPoint.objects.visible_to(user).values("pk")) | above,
            is_active=True,
        )
        .exclude(pk=source.pk)
        .select_related("org_unit")
        .order_by("org_unit__path", "kind", "name")
    )


def transfer_destination_or_404(
    user: User, source: DistributionPoint, point_id: int
) -> DistributionPoint:
    """One of :func:`transfer_destinations`, else NotFound. Not ``visible_or_404``: the points
    of the unit above the user's are destinations although they lie outside the scope."""
    destination = transfer_destinations(user, source).filter(pk=point_id).first()
    if destination is None:
        raise NotFound()
    return destination


def point_unit_choices(user: User) -> QuerySet[OrgUnit]:
    """Units a new point may belong to: the street and communities in the user's area."""
    return OrgUnit.objects.visible_to(user).exclude(kind=OrgUnit.Kind.DISTRICT)


def keeper_choices(user: User) -> QuerySet[User]:
    """Users who may keep a point in the user's area: stock managers attached inside it."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if Capability.MANAGE_STOCK in caps]
    return (
        User.objects.filter(
            is_active=True, org_unit_id__in=user.scope_unit_ids(), roles__role__in=roles
        )
        .distinct()
        .order_by("org_unit__path", "username")
    )


def product_list(user: User, *, active_only: bool = False) -> QuerySet[Product]:
    """The catalogue; a stock manager's read (403 for others)."""
    require(user, Capability.MANAGE_STOCK)
    products = Product.objects.visible_to(user)
    return products.filter(is_active=True) if active_only else products


def point_balances(user: User, point: DistributionPoint) -> QuerySet[StockBalance]:
    """What the point holds, lot by lot, first to expire first (FEFO)."""
    return (
        StockBalance.objects.visible_to(user)
        .filter(point=point, quantity__gt=0)
        .select_related("lot__product")
        .order_by("lot__product__category", "lot__product__name", "lot__expiry_date", "lot_id")
    )


def lots_in_stock(
    user: User, point: DistributionPoint, *, usable_on: dt.date | None = None
) -> QuerySet[Lot]:
    """Lots with stock at the point, first to expire first; only unexpired ones if asked."""
    held = StockBalance.objects.visible_to(user).filter(point=point, quantity__gt=0)
    lots = (
        Lot.objects.visible_to(user)
        .filter(balances__in=held)
        .annotate(on_hand=F("balances__quantity"))
    )
    if usable_on is not None:
        lots = lots.filter(expiry_date__gte=usable_on)
    return lots.select_related("product").order_by("expiry_date", "product__name", "number")


def expired_lots_in_stock(user: User, point: DistributionPoint, *, on: dt.date) -> QuerySet[Lot]:
    """Lots held at the point that have expired by day ``on`` (for write-offs)."""
    return lots_in_stock(user, point).filter(expiry_date__lt=on)


def move_list(user: User) -> QuerySet[StockMove]:
    """The moves at the points in the user's scope; a stock manager's read (403 for others)."""
    require(user, Capability.MANAGE_STOCK)
    return StockMove.objects.visible_to(user).select_related(
        "point", "lot__product", "recorded_by", "person", "transfer", "reverses"
    )


def move_or_404(user: User, move_id: int) -> StockMove:
    return visible_or_404(move_list(user), user=user, pk=move_id)


def sees_supplied_persons(user: User) -> bool:
    """Who was supplied with a contraceptive is health data: only the health duty sees it
    (the person of an issue is left out of moves and cards for everyone else)."""
    return user.has_capability(Capability.VIEW_HEALTH)


def move_list_read_record(*, actor: Actor, point_id: int | None) -> None:
    """Audit a list of moves that names the persons supplied (IDs only in the detail)."""
    if not sees_supplied_persons(actor.user):
        return
    with transaction.atomic():
        audit.record(
            action=Action.SEARCH,
            actor=actor,
            object_type=StockMove._meta.label_lower,
            detail={"point": point_id},
        )


def move_read_record(*, actor: Actor, move: StockMove) -> None:
    """Audit the read of one issue that names the person supplied."""
    if move.person_id is None or not sees_supplied_persons(actor.user):
        return
    with transaction.atomic():
        audit.record(action=Action.VIEW, actor=actor, obj=move, detail={"person": move.person_id})


def card_read_record(*, actor: Actor, card: StockCard) -> None:
    """Audit a stock card that names persons supplied (point, product and a count)."""
    persons = {row.move.person_id for row in card.rows if row.move.person_id is not None}
    if not persons or not sees_supplied_persons(actor.user):
        return
    with transaction.atomic():
        audit.record(
            action=Action.SEARCH,
            actor=actor,
            object_type=StockMove._meta.label_lower,
            detail={"point": card.point.pk, "product": card.product.pk, "persons": len(persons)},
        )


def sending_transfer_ids(user: User, transfer_ids: Iterable[int | None]) -> set[int]:
    """Those of ``transfer_ids`` the user sent (their source is in the user's scope)."""
    wanted = {pk for pk in transfer_ids if pk is not None}
    if not wanted:
        return set()
    return set(
        StockTransfer.objects.visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class CardRow:
    move: StockMove
    balance: int


@dataclass(frozen=True)
class StockCard:
    """实物帐卡: one product (optionally one lot) at one point; balance = sum of moves.

    For one year, the card opens with the balance carried forward from the moves dated
    before it and lists the moves dated in it.
    """

    point: DistributionPoint
    product: Product
    lot: Lot | None
    rows: list[CardRow]
    year: int | None = None
    opening: int = 0

    @property
    def balance(self) -> int:
        return self.rows[-1].balance if self.rows else self.opening

    @property
    def total_in(self) -> int:
        return sum(row.move.quantity_in for row in self.rows)

    @property
    def total_out(self) -> int:
        return sum(row.move.quantity_out for row in self.rows)


def stock_card(
    *,
    user: User,
    point: DistributionPoint,
    product: Product,
    lot: Lot | None = None,
    year: int | None = None,
) -> StockCard:
    """Every move of the product (or lot) at the point in entry order, with running balance;
    for ``year``, the moves dated in it after the balance carried forward."""
    moves = StockMove.objects.visible_to(user).filter(point=point, lot__product=product)
    if lot is not None:
        moves = moves.filter(lot=lot)
    opening = 0
    if year is not None:
        carried = moves.filter(occurred_on__lt=dt.date(year, 1, 1)).aggregate(total=Sum("quantity"))
        opening = int(carried["total"] or 0)
        moves = moves.filter(occurred_on__year=year)
    listed = (
        moves.select_related(
            "lot", "recorded_by", "person", "transfer__source", "transfer__destination", "reverses"
        )
        .defer("person__id_number", "person__phone")
        .annotate(
            running=Window(Sum("quantity"), order_by=F("id").asc()),
            is_reversed=Exists(StockMove.objects.filter(reverses=OuterRef("pk"))),
        )
        .order_by("id")
    )
    rows = [CardRow(move=move, balance=opening + move.running) for move in listed]
    return StockCard(point=point, product=product, lot=lot, rows=rows, year=year, opening=opening)


def card_products(user: User, point: DistributionPoint) -> QuerySet[Product]:
    """Products that have a card at the point (any move, even if now at zero).

    Read from the point's balances, not its moves: the first move of a lot at a point makes
    its balance (``lock_balances``), which stays, at zero too, and is never deleted."""
    held = StockBalance.objects.visible_to(user).filter(point=point)
    return (
        Product.objects.visible_to(user)
        .filter(pk__in=held.values("lot__product_id"))
        .order_by("category", "name")
    )


def card_lots(point: DistributionPoint, product: Product) -> QuerySet[Lot]:
    """The lots of ``product`` that moved at the point (each may have a card of its own)."""
    return product.lots.filter(pk__in=point.moves.values("lot_id")).order_by("expiry_date")


def thresholds_of(point: DistributionPoint) -> dict[int, int]:
    return dict(StockThreshold.objects.filter(point=point).values_list("product_id", "minimum"))


def count_list(user: User) -> QuerySet[StockCount]:
    """The counts of the points in the user's scope; a stock manager's read (403 for others)."""
    require(user, Capability.MANAGE_STOCK)
    return StockCount.objects.visible_to(user).select_related("point", "created_by", "posted_by")


def count_or_404(user: User, count_id: int) -> StockCount:
    return visible_or_404(count_list(user), user=user, pk=count_id)


def draft_count(user: User, point: DistributionPoint) -> StockCount | None:
    """The count of the point in progress, if any (at most one: a unique constraint)."""
    return count_list(user).filter(point=point, state=StockCount.State.DRAFT).first()


@dataclass(frozen=True)
class CountRow:
    """A line of a count beside the card: the balance when the line was counted (while not
    yet counted, the balance now); for a draft, ``now`` is today's balance as well."""

    line: StockCountLine
    on_card: int
    now: int | None = None

    @property
    def difference(self) -> int | None:
        return None if self.line.counted is None else self.line.counted - self.on_card

    @property
    def moved_since_counted(self) -> bool:
        return self.now is not None and self.now != self.on_card


def count_rows(count: StockCount) -> list[CountRow]:
    lines = list(
        count.lines.select_related("lot__product").order_by(
            "lot__product__name", "lot__expiry_date", "pk"
        )
    )
    if count.state == StockCount.State.POSTED:
        return [CountRow(line=line, on_card=line.on_card or 0) for line in lines]
    balances = dict(
        StockBalance.objects.filter(
            point_id=count.point_id, lot_id__in=[line.lot_id for line in lines]
        ).values_list("lot_id", "quantity")
    )
    rows = []
    for line in lines:
        now = balances.get(line.lot_id, 0)
        counted_against = line.on_card if line.counted is not None else None
        rows.append(
            CountRow(
                line=line, on_card=now if counted_against is None else counted_against, now=now
            )
        )
    return rows


def lots_addable_to_count(count: StockCount) -> QuerySet[Lot]:
    """Lots of products in use that the count does not list yet, unexpired first."""
    return (
        Lot.objects.filter(product__is_active=True)
        .exclude(pk__in=count.lines.values("lot_id"))
        .select_related("product")
        .order_by("product__name", "expiry_date")
    )


def recent_moves(user: User, point: DistributionPoint, limit: int = 20) -> QuerySet[StockMove]:
    return (
        StockMove.objects.visible_to(user)
        .filter(point=point)
        .select_related("lot__product", "recorded_by", "reverses")
        .order_by("-id")[:limit]
    )


def issue_total(user: User, point: DistributionPoint, *, year: int | None = None) -> int:
    """Units handed out at the point (named and anonymous) in ``year`` (this year), net of
    reversed issues: read from the months kept with the ledger (:class:`IssueMonth`, at
    most twelve rows a product), not from the point's moves."""
    year = year or timezone.localdate().year
    total = (
        IssueMonth.objects.visible_to(user)
        .filter(point=point, month__year=year)
        .aggregate(total=Sum("quantity"))["total"]
    )
    return int(total or 0)
