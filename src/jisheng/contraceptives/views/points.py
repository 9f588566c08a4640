"""Points and the catalogue: the overview, a point's stock, new points and products."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.contraceptives.forms import PointEditForm, PointForm, ProductForm, ThresholdsForm
from jisheng.contraceptives.models import DistributionPoint, MoveKind, Product
from jisheng.contraceptives.selectors import stock
from jisheng.contraceptives.selectors.alerts import stock_alerts
from jisheng.contraceptives.services import catalogue
from jisheng.contraceptives.services.access import is_street_manager, require_street_manager
from jisheng.contraceptives.views.common import FORM_TEMPLATE
from jisheng.core.actors import Actor, request_user
from jisheng.core.pages import form_page, posted
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability

# The move pages offered on a point's page, in the order a keeper needs them.
MOVE_ACTIONS = (
    (MoveKind.RECEIPT, "contraceptives:move_receive"),
    (MoveKind.TRANSFER_OUT, "contraceptives:move_transfer"),
    (MoveKind.ISSUE, "contraceptives:move_issue"),
    (MoveKind.ANONYMOUS_ISSUE, "contraceptives:move_anonymous"),
    (MoveKind.RETURN, "contraceptives:move_return"),
    (MoveKind.WRITE_OFF, "contraceptives:move_write_off"),
    (MoveKind.LOSS, "contraceptives:move_loss"),
)


@require_GET
@require_capability(Capability.MANAGE_STOCK)
def index(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "contraceptives/index.html",
        {
            "rows": stock.point_rows(user, today=timezone.localdate()),
            "can_manage_points": is_street_manager(user),
        },
    )


@require_GET
@require_capability(Capability.MANAGE_STOCK)
def point_detail(request: HttpRequest, point_id: int) -> HttpResponse:
    user = request_user(request)
    point = stock.point_or_404(user, point_id)
    today = timezone.localdate()
    return render(
        request,
        "contraceptives/point_detail.html",
        {
            "point": point,
            "balances": stock.point_balances(user, point),
            "products": stock.card_products(user, point),
            "alerts": stock_alerts(stock.point_list(user).filter(pk=point.pk), today=today),
            "moves": stock.recent_moves(user, point),
            "counts": stock.count_list(user).filter(point=point).order_by("-pk")[:10],
            "actions": [
                (kind.value, kind.label, reverse(name, args=[point.pk]))
                for kind, name in MOVE_ACTIONS
            ],
            "issued_this_year": stock.issue_total(user, point),
            "can_manage_points": is_street_manager(user),
            "today": today,
        },
    )


def _require_street(request: HttpRequest) -> None:
    """Street pages refuse other keepers at once (not only on POST, as their services do)."""
    require_street_manager(Actor.from_request(request))


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def point_new(request: HttpRequest) -> HttpResponse:
    _require_street(request)
    user = request_user(request)
    form = PointForm(
        posted(request),
        units=stock.point_unit_choices(user),
        keepers=stock.keeper_choices(user),
    )

    def create(actor: Actor, data: dict[str, Any]) -> DistributionPoint:
        return catalogue.point_create(
            actor=actor,
            name=data["name"],
            kind=data["kind"],
            org_unit=data["org_unit"],
            address=data["address"],
            keeper=data["keeper"],
        )

    return form_page(
        request,
        form=form,
        operation=create,
        success=_("Point added."),
        next_url=lambda point: reverse("contraceptives:point_detail", args=[point.pk]),
        template=FORM_TEMPLATE,
        title=_("New distribution point"),
        cancel_url=reverse("contraceptives:index"),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_STOCK)
def point_edit(request: HttpRequest, point_id: int) -> HttpResponse:
    user = request_user(request)
    point = stock.point_or_404(user, point_id)
    _require_street(request)
    form = PointEditForm(
        posted(request),
        initial={
            "name": point.name,
            "address": point.address,
            "keeper": point.keeper_id,
            "is_active": point.is_active,
        },
        keepers=stock.keeper_choices(user),
    )

    def update(actor: Actor, data: dict[str, Any]) -> DistributionPoint:
        return catalogue.point_update(
            actor=actor,
            point=point,
            name=data["name"],
            address=data["address"],
            keeper=data["keeper"],
            is_active=data["is_active"],
        )

    return form_page(
        request,
        form=form,
        operation=update,
        success=_("Point saved."),
        next_url=lambda p: reverse("contraceptives:point_detail", args=[p.pk]),
        template=FORM_TEMPLATE,
        title=_("Edit point"),
        cancel_url=reverse("contraceptives:point_detail", args=[point.pk]),
        context={"point": point},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_STOCK)
def point_thresholds(request: HttpRequest, point_id: int) -> HttpResponse:
    user = request_user(request)
    point = stock.point_or_404(user, point_id)
    levels = stock.thresholds_of(point)
    form = ThresholdsForm(
        posted(request),
        initial={f"product_{pk}": minimum for pk, minimum in levels.items()},
        products=list(stock.product_list(user, active_only=True)),
    )

    def save(actor: Actor, data: dict[str, Any]) -> DistributionPoint:
        catalogue.thresholds_set(actor=actor, point=point, minimums=form.minimums())
        return point

    return form_page(
        request,
        form=form,
        operation=save,
        success=_("Low-stock levels saved."),
        next_url=lambda p: reverse("contraceptives:point_detail", args=[p.pk]),
        template=FORM_TEMPLATE,
        title=_("Low-stock levels"),
        cancel_url=reverse("contraceptives:point_detail", args=[point.pk]),
        context={
            "point": point,
            "intro": _(
                "The keeper is alerted when the unexpired stock of a product is at or below "
                "its level. Leave a product empty for no alert."
            ),
        },
    )


@require_GET
@require_capability(Capability.MANAGE_STOCK)
def product_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    products = stock.product_list(user).prefetch_related("lots")
    return render(
        request,
        "contraceptives/product_list.html",
        {
            "products": products,
            "can_manage": is_street_manager(user),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def product_new(request: HttpRequest) -> HttpResponse:
    _require_street(request)
    form = ProductForm(posted(request))

    def create(actor: Actor, data: dict[str, Any]) -> Product:
        return catalogue.product_create(
            actor=actor,
            name=data["name"],
            category=data["category"],
            unit=data["unit"],
            pack_size=data["pack_size"],
            code=data["code"],
            for_sex=data["for_sex"],
            min_age=data["min_age"],
        )

    return form_page(
        request,
        form=form,
        operation=create,
        success=_("Product added."),
        next_url=reverse("contraceptives:product_list"),
        template=FORM_TEMPLATE,
        title=_("New product"),
    )
