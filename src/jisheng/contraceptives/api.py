"""Contraceptive supply API: points, moves (with idempotency keys), stock cards, roster.

The same services and selectors as the pages; every path is scoped to the caller. Endpoints
only authenticate (``api_actor``): the services and selectors check the caller's duty.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.functions import Header as HeaderParam

from jisheng.accounts.models import User
from jisheng.contraceptives.models import (
    DistributionPoint,
    Lot,
    Product,
    RosterEntry,
    RosterFollowUp,
    StockBalance,
    StockMove,
)
from jisheng.contraceptives.selectors import roster as roster_selectors
from jisheng.contraceptives.selectors import stock
from jisheng.contraceptives.services import moves
from jisheng.contraceptives.services.balances import MoveFacts
from jisheng.contraceptives.services.idempotency import post_once
from jisheng.core.actors import Actor, request_user
from jisheng.core.api_helpers import Id, Pages, PathId, api_actor, required
from jisheng.core.lookups import visible_or_404
from jisheng.registry.models import Person

router = Router(tags=["contraceptives"])

Year = Annotated[int, Field(ge=2000, le=2100)]


class PointOut(Schema):
    id: int
    name: str
    kind: str
    org_unit_id: int
    org_unit_name: str
    address: str
    keeper_id: int | None
    is_active: bool

    @staticmethod
    def resolve_org_unit_name(obj: DistributionPoint) -> str:
        return obj.org_unit.name


class LotOut(Schema):
    id: int
    number: str
    expiry_date: dt.date


class ProductOut(Schema):
    id: int
    name: str
    category: str
    unit: str
    pack_size: int
    code: str
    is_active: bool
    lots: list[LotOut]

    @staticmethod
    def resolve_lots(obj: Product) -> list[Lot]:
        return list(obj.lots.all())


class BalanceOut(Schema):
    lot_id: int
    lot_number: str
    expiry_date: dt.date
    product_id: int
    product_name: str
    quantity: int

    @staticmethod
    def resolve_lot_number(obj: StockBalance) -> str:
        return obj.lot.number

    @staticmethod
    def resolve_expiry_date(obj: StockBalance) -> dt.date:
        return obj.lot.expiry_date

    @staticmethod
    def resolve_product_id(obj: StockBalance) -> int:
        return obj.lot.product_id

    @staticmethod
    def resolve_product_name(obj: StockBalance) -> str:
        return obj.lot.product.name


def _viewer(context: dict[str, Any]) -> User:
    return request_user(context["request"])


class PointDetail(PointOut):
    balances: list[BalanceOut]

    @staticmethod
    def resolve_balances(obj: DistributionPoint, context: dict[str, Any]) -> list[StockBalance]:
        return list(stock.point_balances(_viewer(context), obj))


class MoveOut(Schema):
    id: int
    kind: str
    point_id: int
    lot_id: int
    product_id: int
    quantity: int
    reason: str
    note: str
    document_number: str
    occurred_on: dt.date
    recorded_at: dt.datetime
    recorded_by_id: int | None
    person_id: int | None = Field(
        description="发放到人：居民（仅有健康信息职责者可见，其查看记入审计；否则为空）"
    )
    transfer_id: int | None
    stock_count_id: int | None
    reverses_id: int | None
    unit_price: Decimal | None

    @staticmethod
    def resolve_product_id(obj: StockMove) -> int:
        return obj.lot.product_id

    @staticmethod
    def resolve_person_id(obj: StockMove, context: dict[str, Any]) -> int | None:
        # Who was supplied is health data; the routes that show it audit the read.
        return obj.person_id if stock.sees_supplied_persons(_viewer(context)) else None


class MovesPosted(Schema):
    moves: list[MoveOut]
    replayed: bool = Field(description="true: the same Idempotency-Key was posted before")


class CardRowOut(MoveOut):
    balance: int = Field(description="结存：此笔之后的余额")

    @staticmethod
    def resolve_balance(obj: StockMove) -> int:
        return int(obj.running)  # type: ignore[attr-defined]


class CardOut(Schema):
    point_id: int
    product_id: int
    lot_id: int | None
    year: int | None
    opening: int = Field(description="上年结转（按年度查询时）")
    balance: int
    rows: list[CardRowOut]


class MoveIn(Schema):
    """One stock change. Which fields are needed depends on ``kind``; see each field."""

    kind: Literal[
        "receipt",
        "transfer",
        "issue",
        "anonymous_issue",
        "return",
        "write_off",
        "loss",
        "reversal",
    ]
    point_id: Id | None = Field(None, description="发生的发放点（撤销时不需要）")
    lot_id: Id | None = Field(
        None, description="批次（入库时可改填 product_id/lot_number/expiry_date）"
    )
    product_id: Id | None = Field(None, description="入库：药具")
    lot_number: str = Field("", max_length=40, description="入库：批号")
    expiry_date: dt.date | None = Field(None, description="入库：有效期至")
    unit_price: Decimal | None = Field(
        None,
        ge=0,
        max_digits=10,
        decimal_places=2,
        description="入库：单价（元，购入时填写，计入经费）",
    )
    quantity: int | None = Field(None, gt=0, le=1_000_000)
    person_id: Id | None = Field(None, description="发放到人：居民")
    to_point_id: Id | None = Field(None, description="调拨：调入的发放点")
    reverses_id: Id | None = Field(None, description="撤销：被撤销的记录")
    reason: str = Field("", max_length=20)
    note: str = Field("", max_length=200)
    document_number: str = Field("", max_length=50)
    occurred_on: dt.date | None = Field(None, description="发生日期，默认今天")
    confirm: bool = Field(
        False,
        description="发放到人：已核对警告（如女用药具发给男性），仍要发放；"
        "未确认时返回 409 confirmation_required",
    )


class MoveQuery(Schema):
    point_id: Id | None = None
    kind: str = Field("", max_length=20)
    since: dt.date | None = None


class CardQuery(Schema):
    product_id: Id | None = None
    lot_id: Id | None = None
    year: Year | None = Field(None, description="年度：上年结转之后的当年记录")


class RosterQuery(Schema):
    method: str = Field("", max_length=24)
    community_id: Id | None = None
    include_stopped: bool = False


class RosterOut(Schema):
    id: int
    person_id: int
    person_name: str
    community_id: int
    method: str
    start_date: dt.date
    stop_date: dt.date | None
    stop_reason: str
    point_id: int | None

    @staticmethod
    def resolve_person_name(obj: RosterEntry) -> str:
        return obj.person.name

    @staticmethod
    def resolve_community_id(obj: RosterEntry) -> int:
        return obj.person.community_id


class RosterFollowUpOut(Schema):
    id: int
    date: dt.date
    satisfaction: str
    side_effects: str | None
    notes: str | None
    switched_to: str


class RosterDetail(RosterOut):
    notes: str | None
    follow_ups: list[RosterFollowUpOut]
    supplies: list[MoveOut]

    @staticmethod
    def resolve_follow_ups(obj: RosterEntry, context: dict[str, Any]) -> list[RosterFollowUp]:
        return list(roster_selectors.follow_ups(user=_viewer(context), entry=obj))

    @staticmethod
    def resolve_supplies(obj: RosterEntry, context: dict[str, Any]) -> list[StockMove]:
        return list(roster_selectors.supply_history(user=_viewer(context), entry=obj))


def _point(actor: Actor, pk: int | None, field: str = "point_id") -> DistributionPoint:
    return stock.point_or_404(actor.user, required(pk, field))


def _lot(actor: Actor, pk: int | None) -> Lot:
    return visible_or_404(Lot, user=actor.user, pk=required(pk, "lot_id"))


def _post(actor: Actor, body: MoveIn) -> list[StockMove]:
    """Translate the request into exactly one service call."""
    facts = MoveFacts(
        occurred_on=body.occurred_on or timezone.localdate(),
        reason=body.reason,
        note=body.note,
        document_number=body.document_number,
    )
    if body.kind == "reversal":
        move = stock.move_or_404(actor.user, required(body.reverses_id, "reverses_id"))
        return moves.move_reverse(actor=actor, move=move, facts=facts)
    point = _point(actor, body.point_id)
    quantity = required(body.quantity, "quantity")
    match body.kind:
        case "receipt":
            product = visible_or_404(
                Product, user=actor.user, pk=required(body.product_id, "product_id")
            )
            return moves.stock_receive(
                actor=actor,
                point=point,
                product=product,
                lot_number=body.lot_number,
                expiry_date=required(body.expiry_date, "expiry_date"),
                quantity=quantity,
                facts=facts,
                unit_price=body.unit_price,
            )
        case "transfer":
            return moves.stock_transfer(
                actor=actor,
                source=point,
                destination=stock.transfer_destination_or_404(
                    actor.user, point, required(body.to_point_id, "to_point_id")
                ),
                lot=_lot(actor, body.lot_id),
                quantity=quantity,
                facts=facts,
            )
        case "issue":
            person = visible_or_404(
                Person, user=actor.user, pk=required(body.person_id, "person_id")
            )
            return moves.stock_issue(
                actor=actor,
                point=point,
                lot=_lot(actor, body.lot_id),
                quantity=quantity,
                person=person,
                facts=facts,
                confirmed=body.confirm,
            )
    services = {
        "anonymous_issue": moves.stock_issue_anonymous,
        "return": moves.stock_return,
        "write_off": moves.stock_write_off,
        "loss": moves.stock_loss,
    }
    return services[body.kind](
        actor=actor, point=point, lot=_lot(actor, body.lot_id), quantity=quantity, facts=facts
    )


@router.get("/products", response=list[ProductOut], summary="药具目录（含批次）")
def product_list(request: HttpRequest) -> list[Product]:
    return list(stock.product_list(api_actor(request).user).prefetch_related("lots"))


@router.get("/points", response=list[PointOut], summary="发放点列表")
def point_list(request: HttpRequest) -> list[DistributionPoint]:
    return list(stock.point_list(api_actor(request).user))


@router.get("/points/{point_id}", response=PointDetail, summary="发放点详情（含各批次库存）")
def point_detail(request: HttpRequest, point_id: PathId) -> DistributionPoint:
    return stock.point_or_404(api_actor(request).user, point_id)


@router.get(
    "/points/{point_id}/card",
    response=CardOut,
    summary="实物帐卡（逐笔结存；显示发放对象时记录审计）",
)
def stock_card(request: HttpRequest, point_id: PathId, query: Query[CardQuery]) -> dict[str, Any]:
    actor = api_actor(request)
    point = stock.point_or_404(actor.user, point_id)
    product_id = required(query.product_id, "product_id")
    product = visible_or_404(stock.card_products(actor.user, point), user=actor.user, pk=product_id)
    lot = (
        None
        if query.lot_id is None
        else visible_or_404(product.lots.all(), user=actor.user, pk=query.lot_id)
    )
    card = stock.stock_card(user=actor.user, point=point, product=product, lot=lot, year=query.year)
    stock.card_read_record(actor=actor, card=card)
    return {
        "point_id": point.pk,
        "product_id": product.pk,
        "lot_id": lot.pk if lot else None,
        "year": card.year,
        "opening": card.opening,
        "balance": card.balance,
        "rows": [row.move for row in card.rows],
    }


@router.get("/moves", response=list[MoveOut], summary="库存变动记录（显示发放对象时记录审计）")
@paginate(Pages)
def move_list(request: HttpRequest, query: Query[MoveQuery]) -> object:
    actor = api_actor(request)
    moves_ = stock.move_list(actor.user).order_by("-pk")
    stock.move_list_read_record(actor=actor, point_id=query.point_id)
    if query.point_id is not None:
        moves_ = moves_.filter(point_id=query.point_id)
    if query.kind:
        moves_ = moves_.filter(kind=query.kind)
    if query.since is not None:
        moves_ = moves_.filter(occurred_on__gte=query.since)
    return moves_


@router.get(
    "/moves/{stock_move_id}", response=MoveOut, summary="一笔库存变动（显示发放对象时记录审计）"
)
def move_detail(request: HttpRequest, stock_move_id: PathId) -> StockMove:
    actor = api_actor(request)
    move = stock.move_or_404(actor.user, stock_move_id)
    stock.move_read_record(actor=actor, move=move)
    return move


@router.post(
    "/moves",
    response={201: MovesPosted},
    summary="登记库存变动（入库、调拨、发放、退回、报废、损耗、撤销）",
    description=(
        "请带 Idempotency-Key 头（每次业务唯一，如 UUID）：网络重试时同一键只记一次，"
        "并返回第一次的结果（replayed=true）。同一键用于不同请求将被拒绝（409）。"
    ),
)
def move_create(
    request: HttpRequest,
    response: HttpResponse,
    body: MoveIn,
    idempotency_key: str | None = HeaderParam(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    posted = post_once(
        actor=actor,
        key=idempotency_key,
        request=body.dict(exclude={"confirm"}),
        post=lambda: _post(actor, body),
    )
    if posted.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(201, {"moves": posted.moves, "replayed": posted.replayed})


@router.get("/roster", response=list[RosterOut], summary="药具使用人员花名册（记录审计）")
@paginate(Pages)
def roster_list(request: HttpRequest, query: Query[RosterQuery]) -> object:
    actor = api_actor(request)
    filters = roster_selectors.RosterFilters(
        method=query.method,
        community_id=query.community_id,
        active_only=not query.include_stopped,
    )
    entries = roster_selectors.roster_list(user=actor.user, filters=filters)
    roster_selectors.roster_search_record(actor=actor, filters=filters)
    return entries


@router.get("/roster/{roster_entry_id}", response=RosterDetail, summary="花名册条目（记录审计）")
def roster_detail(request: HttpRequest, roster_entry_id: PathId) -> RosterEntry:
    return roster_selectors.roster_entry_detail(actor=api_actor(request), entry_id=roster_entry_id)
