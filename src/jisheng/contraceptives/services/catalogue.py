"""The catalogue and the points: products, distribution points, keepers, low-stock levels."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.contraceptives.models import (
    DistributionPoint,
    PointKind,
    Product,
    ProductCategory,
    StockThreshold,
)
from jisheng.contraceptives.services.access import (
    MAX_QUANTITY,
    check_text,
    point_in_service,
    require_street_manager,
)
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError, NotFound
from jisheng.core.lookups import locked_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.registry.models import Sex

MAX_MIN_AGE = 100


def product_create(
    *,
    actor: Actor,
    name: str,
    category: str,
    unit: str,
    pack_size: int = 1,
    code: str = "",
    for_sex: str = "",
    min_age: int | None = None,
) -> Product:
    """A new product of the catalogue (street staff), with the sense checks of its issue."""
    require_street_manager(actor)
    name = check_text(name, limit=100)
    unit = check_text(unit, limit=10)
    if not name or not unit:
        raise JishengError(_("Give the product's name and unit."), code="product")
    if category not in ProductCategory.values:
        raise JishengError(_("Choose a category."), code="category")
    if not 1 <= pack_size <= 10_000:
        raise JishengError(_("The pack size must be between 1 and 10,000."), code="pack_size")
    if for_sex not in ("", *Sex.values):
        raise JishengError(_("Choose whom the product is meant for."), code="for_sex")
    if min_age is not None and not 0 <= min_age <= MAX_MIN_AGE:
        raise JishengError(_("The minimum age must be between 0 and 100."), code="min_age")
    try:
        with transaction.atomic():
            product = Product.objects.create(
                name=name,
                category=category,
                unit=unit,
                pack_size=pack_size,
                code=check_text(code, limit=30),
                for_sex=for_sex,
                min_age=min_age,
            )
            audit.record(action=Action.CREATE, actor=actor, obj=product)
    except IntegrityError as exc:
        raise Conflict(_("A product of this name exists already."), code="duplicate") from exc
    return product


def _check_placement(actor: Actor, kind: str, unit: OrgUnit) -> None:
    if kind not in PointKind.values:
        raise JishengError(_("Choose the kind of point."), code="kind")
    if unit.pk not in actor.user.scope_unit_ids():
        raise NotFound()
    if kind == PointKind.STORE and unit.kind != OrgUnit.Kind.STREET:
        raise JishengError(_("The store belongs to the street."), code="placement")
    if kind == PointKind.COMMUNITY and not unit.is_community:
        raise JishengError(_("A community point belongs to a community."), code="placement")


def _check_keeper(keeper: User | None, unit: OrgUnit) -> None:
    if keeper is None:
        return
    if not keeper.has_capability(Capability.MANAGE_STOCK) or unit.pk not in keeper.scope_unit_ids():
        raise JishengError(
            _("The keeper must be a stock manager responsible for this unit."), code="keeper"
        )


def point_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    org_unit: OrgUnit,
    address: str = "",
    keeper: User | None = None,
) -> DistributionPoint:
    """A new distribution point: the store at the street, other points at a community."""
    require_street_manager(actor)
    name = check_text(name, limit=100)
    if not name:
        raise JishengError(_("Give the point's name."), code="name")
    _check_placement(actor, kind, org_unit)
    _check_keeper(keeper, org_unit)
    with transaction.atomic():
        point = DistributionPoint.objects.create(
            name=name,
            kind=kind,
            org_unit=org_unit,
            address=check_text(address),
            keeper=keeper,
        )
        audit.record(action=Action.CREATE, actor=actor, obj=point)
        return point


def point_update(
    *,
    actor: Actor,
    point: DistributionPoint,
    name: str,
    address: str,
    keeper: User | None,
    is_active: bool,
) -> DistributionPoint:
    """Rename a point, move its address, hand it to another keeper, or take it out of service."""
    require_street_manager(actor)
    name = check_text(name, limit=100)
    if not name:
        raise JishengError(_("Give the point's name."), code="name")
    with transaction.atomic():
        found = locked_or_404(DistributionPoint, user=actor.user, pk=point.pk)
        _check_keeper(keeper, found.org_unit)
        if not is_active and found.balances.filter(quantity__gt=0).exists():
            raise Conflict(
                _("Move or write off the stock before taking the point out of service."),
                code="point_has_stock",
            )
        found.name = name
        found.address = check_text(address)
        found.keeper = keeper
        found.is_active = is_active
        found.save(update_fields=["name", "address", "keeper", "is_active"])
        audit.record(action=Action.UPDATE, actor=actor, obj=found)
        return found


def thresholds_set(
    *, actor: Actor, point: DistributionPoint, minimums: dict[int, int | None]
) -> None:
    """Low-stock levels of a point by product id (None removes the level)."""
    require(actor, Capability.MANAGE_STOCK)
    products = set(Product.objects.filter(pk__in=minimums).values_list("pk", flat=True))
    if products != set(minimums):
        raise NotFound()
    for minimum in minimums.values():
        if minimum is not None and not 0 <= minimum <= MAX_QUANTITY:
            raise JishengError(_("A low-stock level is not plausible."), code="minimum")
    with transaction.atomic():
        point = point_in_service(actor, point)
        for product_id, minimum in minimums.items():
            if minimum is None:
                StockThreshold.objects.filter(point=point, product_id=product_id).delete()
            else:
                StockThreshold.objects.update_or_create(
                    point=point, product_id=product_id, defaults={"minimum": minimum}
                )
        audit.record(
            action=Action.UPDATE,
            actor=actor,
            obj=point,
            detail={"thresholds": {str(k): v for k, v in minimums.items()}},
        )
