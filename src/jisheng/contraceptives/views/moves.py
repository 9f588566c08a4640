"""Move pages (one per kind of move), reversal, and the printable stock card."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.accounts.models import User
from jisheng.contraceptives.forms import (
    IssueForm,
    MoveForm,
    OutgoingForm,
    ReceiptForm,
    ReverseForm,
    TransferForm,
)
from jisheng.contraceptives.models import DistributionPoint, MoveKind, StockMove
from jisheng.contraceptives.selectors import stock
from jisheng.contraceptives.services import moves
from jisheng.contraceptives.services.idempotency import post_once
from jisheng.contraceptives.views.common import FORM_TEMPLATE
from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import NeedsConfirmation
from jisheng.core.pages import form_page, posted, query_int
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.registry.picker import scope_residents

Post = Callable[[Actor, dict[str, Any]], list[StockMove]]


def _move_page(
    request: HttpRequest,
    *,
    point: DistributionPoint,
    form: MoveForm,
    post: Post,
    title: str | Promise,
    success: str | Promise,
    intro: str | Promise = "",
) -> HttpResponse:
    """One kind of move at one point; the form's request key makes a resubmission a no-op."""

    def operation(actor: Actor, data: dict[str, Any]) -> list[StockMove]:
        return post_once(
            actor=actor,
            key=f"form:{data['request_key']}",
            request={"kind": form.kind, "point": point.pk, **form.fingerprint()},
            post=lambda: post(actor, data),
        ).moves

    return form_page(
        request,
        form=form,
        operation=operation,
        success=success,
        next_url=reverse("contraceptives:point_detail", args=[point.pk]),
        template=FORM_TEMPLATE,
        title=title,
        context={"point": point, "intro": intro, "form_testid": f"move-form-{form.kind}"},
    )


def _point(request: HttpRequest, point_id: int) -> tuple[User, DistributionPoint]:
    user = request_user(request)
    return user, stock.point_or_404(user, point_id)


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def move_receive(request: HttpRequest, point_id: int) -> HttpResponse:
    user, point = _point(request, point_id)
    form = ReceiptForm(posted(request), products=stock.product_list(user, active_only=True))

    def post(actor: Actor, data: dict[str, Any]) -> list[StockMove]:
        return moves.stock_receive(
            actor=actor,
            point=point,
            product=data["product"],
            lot_number=data["lot_number"],
            expiry_date=data["expiry_date"],
            quantity=data["quantity"],
            facts=form.facts(),
            unit_price=data.get("unit_price"),
        )

    return _move_page(
        request,
        point=point,
        form=form,
        post=post,
        title=_("Receive a delivery"),
        success=_("Receipt recorded."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def move_transfer(request: HttpRequest, point_id: int) -> HttpResponse:
    user, point = _point(request, point_id)
    form = TransferForm(
        posted(request),
        lots=stock.lots_in_stock(user, point, usable_on=timezone.localdate()),
        destinations=stock.transfer_destinations(user, point),
    )

    def post(actor: Actor, data: dict[str, Any]) -> list[StockMove]:
        return moves.stock_transfer(
            actor=actor,
            source=point,
            destination=data["destination"],
            lot=data["lot"],
            quantity=data["quantity"],
            facts=form.facts(),
        )

    return _move_page(
        request,
        point=point,
        form=form,
        post=post,
        title=_("Transfer to another point"),
        success=_("Transfer recorded at both points."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def move_issue(request: HttpRequest, point_id: int) -> HttpResponse:
    user, point = _point(request, point_id)
    form = IssueForm(
        posted(request), lots=stock.lots_in_stock(user, point, usable_on=timezone.localdate())
    )
    scope_residents(form, user)

    def post(actor: Actor, data: dict[str, Any]) -> list[StockMove]:
        try:
            return moves.stock_issue(
                actor=actor,
                point=point,
                lot=data["lot"],
                quantity=data["quantity"],
                person=data["person"],
                facts=form.facts(),
                confirmed=data["confirm"],
            )
        except NeedsConfirmation:
            form.ask_to_confirm()
            raise

    return _move_page(
        request,
        point=point,
        form=form,
        post=post,
        title=_("Issue to a person"),
        success=_("Issue recorded."),
        intro=_("A person supplied for the first time with a method is put on the roster."),
    )


OUTGOING: dict[MoveKind, tuple[Callable[..., list[StockMove]], Promise, Promise]] = {
    MoveKind.ANONYMOUS_ISSUE: (
        moves.stock_issue_anonymous,
        gettext_lazy("Anonymous issue"),
        gettext_lazy("Anonymous issue recorded."),
    ),
    MoveKind.RETURN: (
        moves.stock_return,
        gettext_lazy("Return to the district"),
        gettext_lazy("Return recorded."),
    ),
    MoveKind.WRITE_OFF: (
        moves.stock_write_off,
        gettext_lazy("Write off expired stock"),
        gettext_lazy("Write-off recorded."),
    ),
    MoveKind.LOSS: (
        moves.stock_loss,
        gettext_lazy("Record a loss or damage"),
        gettext_lazy("Loss recorded."),
    ),
}


def _outgoing_page(request: HttpRequest, point_id: int, kind: MoveKind) -> HttpResponse:
    user, point = _point(request, point_id)
    service, title, success = OUTGOING[kind]
    today = timezone.localdate()
    lots = (
        stock.expired_lots_in_stock(user, point, on=today)
        if kind == MoveKind.WRITE_OFF
        else stock.lots_in_stock(
            user, point, usable_on=today if kind == MoveKind.ANONYMOUS_ISSUE else None
        )
    )
    form = OutgoingForm(posted(request), kind=kind, lots=lots)

    def post(actor: Actor, data: dict[str, Any]) -> list[StockMove]:
        return service(
            actor=actor, point=point, lot=data["lot"], quantity=data["quantity"], facts=form.facts()
        )

    return _move_page(request, point=point, form=form, post=post, title=title, success=success)


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def move_anonymous(request: HttpRequest, point_id: int) -> HttpResponse:
    return _outgoing_page(request, point_id, MoveKind.ANONYMOUS_ISSUE)


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def move_return(request: HttpRequest, point_id: int) -> HttpResponse:
    return _outgoing_page(request, point_id, MoveKind.RETURN)


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def move_write_off(request: HttpRequest, point_id: int) -> HttpResponse:
    return _outgoing_page(request, point_id, MoveKind.WRITE_OFF)


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def move_loss(request: HttpRequest, point_id: int) -> HttpResponse:
    return _outgoing_page(request, point_id, MoveKind.LOSS)


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def move_reverse(request: HttpRequest, stock_move_id: int) -> HttpResponse:
    user = request_user(request)
    move = stock.move_or_404(user, stock_move_id)
    form = ReverseForm(posted(request))

    def reverse_move(actor: Actor, data: dict[str, Any]) -> list[StockMove]:
        return post_once(
            actor=actor,
            key=f"form:{data['request_key']}",
            request={"reverse": move.pk},
            post=lambda: moves.move_reverse(actor=actor, move=move, facts=form.facts()),
        ).moves

    card = reverse("contraceptives:stock_card", args=[move.point_id])
    return form_page(
        request,
        form=form,
        operation=reverse_move,
        success=_("The move was reversed."),
        next_url=f"{card}?product={move.lot.product_id}",
        template="contraceptives/move_reverse.html",
        title=_("Reverse a move"),
        context={
            "point": move.point,
            "move": move,
            "intro": _(
                "A reversing move with the opposite quantity cancels this one. Both stay on "
                "the card. A transfer is reversed at both points."
            ),
        },
    )


@require_GET
@require_capability(Capability.MANAGE_STOCK)
def stock_card(request: HttpRequest, point_id: int) -> HttpResponse:
    user, point = _point(request, point_id)
    products = stock.card_products(user, point)
    product_id = query_int(request, "product")
    product = None if product_id is None else products.filter(pk=product_id).first()
    if product is None:
        return render(
            request, "contraceptives/card_choose.html", {"point": point, "products": products}
        )
    lots = stock.card_lots(point, product)
    lot_id = query_int(request, "lot")
    lot = None if lot_id is None else lots.filter(pk=lot_id).first()
    year = query_int(request, "year")
    card = stock.stock_card(
        user=user,
        point=point,
        product=product,
        lot=lot,
        year=year if year is not None and 2000 <= year <= 2100 else None,
    )
    show_persons = stock.sees_supplied_persons(user)
    if show_persons:
        stock.card_read_record(actor=Actor.from_request(request), card=card)
    sending = stock.sending_transfer_ids(user, (row.move.transfer_id for row in card.rows))
    return render(
        request,
        "contraceptives/stock_card.html",
        {
            "card": card,
            "point": point,
            "lots": lots,
            "show_persons": show_persons,
            "reversible": {
                row.move.pk
                for row in card.rows
                if moves.reversal_refusal(
                    row.move,
                    already_reversed=row.move.is_reversed,  # type: ignore[attr-defined]
                    sends_transfer=row.move.transfer_id in sending,
                )
                is None
            },
        },
    )
