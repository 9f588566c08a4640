"""Publicity API: assets, activities, trainings and coverage, through the page services.

Creating posts take an ``Idempotency-Key`` header (core.idempotency): a retry with the same
key returns the first record and hands no cost twice. Photos are uploaded on the pages.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.functions import Header as HeaderParam

from jisheng.core.actors import Actor
from jisheng.core.api_helpers import Id, Pages, PathId, api_actor
from jisheng.core.errors import NotFound
from jisheng.core.idempotency import run_once
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require, require_any
from jisheng.core.roles import Capability
from jisheng.publicity import selectors, services
from jisheng.publicity.models import Activity, ActivityKind, Asset, AssetKind, Training

router = Router(tags=["publicity"])

Year = Annotated[int, Field(ge=1900, le=2100)]
Money = Annotated[Decimal, Field(ge=0, le=10_000_000, decimal_places=2)]
KEY_HELP = (
    "可带 Idempotency-Key 头：网络重试时同一键只记一次，费用只交一次；同一键用于不同请求返回 409。"
)


class AssetOut(Schema):
    id: int
    org_unit_id: int
    kind: str
    name: str
    location: str
    status: str
    opened_on: dt.date | None
    closed_on: dt.date | None
    note: str


class AssetIn(Schema):
    org_unit_id: Id
    kind: Literal[tuple(AssetKind.values)]  # type: ignore[valid-type]
    name: str = Field(max_length=100)
    location: str = Field("", max_length=200)
    status: Literal[tuple(Asset.Status.values)] = Asset.Status.IN_USE  # type: ignore[valid-type]
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    note: str = Field("", max_length=300)


class ActivityOut(Schema):
    id: int
    org_unit_id: int
    date: dt.date
    kind: str
    title: str
    organiser: str
    partners: list[str] = Field(alias="partner_list")
    audience: int
    materials: int
    materials_note: str
    cost: Decimal
    note: str


class ActivityIn(Schema):
    org_unit_id: Id
    date: dt.date
    kind: Literal[tuple(ActivityKind.values)]  # type: ignore[valid-type]
    title: str = Field(max_length=200)
    organiser: str = Field(max_length=100)
    partners: list[str] = Field(default_factory=list, max_length=20, description="联合部门")
    audience: int = Field(0, ge=0, le=1_000_000)
    materials: int = Field(0, ge=0, le=1_000_000, description="发放宣传品（份）")
    materials_note: str = Field("", max_length=200)
    cost: Money = Decimal(0)
    note: str = Field("", max_length=2000)


class TrainingOut(Schema):
    id: int
    org_unit_id: int
    topic: str
    trainer: str
    start_date: dt.date
    end_date: dt.date
    hours: Decimal
    cost: Decimal
    attendee_ids: list[int]
    note: str

    @staticmethod
    def resolve_attendee_ids(obj: Training) -> list[int]:
        return sorted(obj.attendees.values_list("pk", flat=True))


class TrainingIn(Schema):
    org_unit_id: Id
    topic: str = Field(max_length=200)
    trainer: str = Field(max_length=100)
    start_date: dt.date
    end_date: dt.date
    hours: Decimal = Field(gt=0, le=1000, decimal_places=1)
    attendee_ids: list[Id] = Field(default_factory=list, max_length=1000)
    cost: Money = Decimal(0)
    note: str = Field("", max_length=2000)


class CostIn(Schema):
    cost: Money


class CostEntryOut(Schema):
    id: int
    amount: Decimal
    day: dt.date
    reverses_id: int | None


class YearQuery(Schema):
    year: Year | None = None


class CoverageRowOut(Schema):
    org_unit_id: int
    name: str
    quarters: list[int]
    activities: int
    audience: int
    cost: Decimal
    five_ones: dict[str, bool]


class CoverageOut(Schema):
    year: int
    rows: list[CoverageRowOut]
    street_wide: CoverageRowOut | None
    staff: int
    staff_trained: int


def _unit(actor: Actor, unit_id: int) -> OrgUnit:
    return visible_or_404(OrgUnit, user=actor.user, pk=unit_id)


# ---------------------------------------------------------------------------------- assets


@router.get("/assets", response=list[AssetOut], summary="宣传阵地（五个一）")
@paginate(Pages)
def asset_list(request: HttpRequest) -> object:
    actor = api_actor(request)
    require(actor, Capability.RECORD_PUBLICITY)
    return selectors.asset_list(actor.user)


@router.get("/assets/{asset_id}", response=AssetOut, summary="宣传阵地详情")
def asset_detail(request: HttpRequest, asset_id: PathId) -> Asset:
    return selectors.asset_detail(actor=api_actor(request), asset_id=asset_id)


@router.post("/assets", response={201: AssetOut}, summary="登记宣传阵地", description=KEY_HELP)
def asset_create(
    request: HttpRequest,
    response: HttpResponse,
    body: AssetIn,
    idempotency_key: str | None = HeaderParam(None, alias="Idempotency-Key"),
) -> Status[Asset]:
    actor = api_actor(request)
    require(actor, Capability.MANAGE_PUBLICITY)
    once = run_once(
        user=actor.user,
        scope="publicity.asset",
        key=idempotency_key,
        request=body.dict(),
        run=lambda: services.asset_create(
            actor=actor,
            org_unit=_unit(actor, body.org_unit_id),
            **body.dict(exclude={"org_unit_id"}),
        ),
        store=lambda asset: asset.pk,
        load=lambda pk: Asset.objects.get(pk=pk),
    )
    if once.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(201, once.value)


# ------------------------------------------------------------------------------ activities


@router.get("/activities", response=list[ActivityOut], summary="宣传活动")
@paginate(Pages)
def activity_list(request: HttpRequest, query: Query[YearQuery]) -> object:
    actor = api_actor(request)
    require(actor, Capability.RECORD_PUBLICITY)
    return selectors.activity_list(actor.user, year=query.year)


@router.get("/activities/{activity_id}", response=ActivityOut, summary="宣传活动详情")
def activity_detail(request: HttpRequest, activity_id: PathId) -> Activity:
    return selectors.activity_detail(actor=api_actor(request), activity_id=activity_id)


@router.post(
    "/activities", response={201: ActivityOut}, summary="登记宣传活动", description=KEY_HELP
)
def activity_create(
    request: HttpRequest,
    response: HttpResponse,
    body: ActivityIn,
    idempotency_key: str | None = HeaderParam(None, alias="Idempotency-Key"),
) -> Status[Activity]:
    actor = api_actor(request)
    require(actor, Capability.RECORD_PUBLICITY)
    once = run_once(
        user=actor.user,
        scope="publicity.activity",
        key=idempotency_key,
        request=body.dict(),
        run=lambda: services.activity_record(
            actor=actor,
            org_unit=_unit(actor, body.org_unit_id),
            **body.dict(exclude={"org_unit_id"}),
        ),
        store=lambda activity: activity.pk,
        load=lambda pk: Activity.objects.get(pk=pk),
    )
    if once.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(201, once.value)


@router.post(
    "/activities/{activity_id}/cost",
    response=list[CostEntryOut],
    summary="更正活动费用（冲销原额并记新额）",
)
def activity_cost(request: HttpRequest, activity_id: PathId, body: CostIn) -> object:
    actor = api_actor(request)
    activity = selectors.activity_detail(actor=actor, activity_id=activity_id)
    return services.activity_cost_correct(actor=actor, activity=activity, cost=body.cost)


# ------------------------------------------------------------------------------- trainings


@router.get("/trainings", response=list[TrainingOut], summary="培训班")
@paginate(Pages)
def training_list(request: HttpRequest, query: Query[YearQuery]) -> object:
    actor = api_actor(request)
    require(actor, Capability.MANAGE_PUBLICITY)
    return selectors.training_list(actor.user, year=query.year).prefetch_related("attendees")


@router.get("/trainings/{training_id}", response=TrainingOut, summary="培训班详情")
def training_detail(request: HttpRequest, training_id: PathId) -> Training:
    return selectors.training_detail(actor=api_actor(request), training_id=training_id)


@router.post("/trainings", response={201: TrainingOut}, summary="登记培训班", description=KEY_HELP)
def training_create(
    request: HttpRequest,
    response: HttpResponse,
    body: TrainingIn,
    idempotency_key: str | None = HeaderParam(None, alias="Idempotency-Key"),
) -> Status[Training]:
    actor = api_actor(request)
    require(actor, Capability.MANAGE_PUBLICITY)

    def record() -> Training:
        attendees = list(selectors.staff_in_scope(actor.user).filter(pk__in=body.attendee_ids))
        if len(attendees) != len(set(body.attendee_ids)):
            # Someone outside the caller's area: answered like any record not found.
            raise NotFound()
        return services.training_record(
            actor=actor,
            org_unit=_unit(actor, body.org_unit_id),
            attendees=attendees,
            **body.dict(exclude={"org_unit_id", "attendee_ids"}),
        )

    once = run_once(
        user=actor.user,
        scope="publicity.training",
        key=idempotency_key,
        request=body.dict(),
        run=record,
        store=lambda training: training.pk,
        load=lambda pk: Training.objects.get(pk=pk),
    )
    if once.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(201, once.value)


@router.post(
    "/trainings/{training_id}/cost",
    response=list[CostEntryOut],
    summary="更正培训费用（冲销原额并记新额）",
)
def training_cost(request: HttpRequest, training_id: PathId, body: CostIn) -> object:
    actor = api_actor(request)
    training = selectors.training_detail(actor=actor, training_id=training_id)
    return services.training_cost_correct(actor=actor, training=training, cost=body.cost)


# -------------------------------------------------------------------------------- coverage


@router.get("/coverage", response=CoverageOut, summary="宣传覆盖：各社区季度活动数与“五个一”")
def coverage(request: HttpRequest, query: Query[YearQuery]) -> dict[str, object]:
    actor = api_actor(request)
    require_any(actor, Capability.RECORD_PUBLICITY, Capability.VIEW_AGGREGATES)
    year = query.year or timezone.localdate().year
    found = selectors.coverage_for(actor.user, year)
    share = selectors.trained_share(actor.user, year)

    def row(item: selectors.CommunityCoverage) -> dict[str, object]:
        return {
            "org_unit_id": item.unit.pk,
            "name": item.unit.name,
            "quarters": item.quarters,
            "activities": item.activities,
            "audience": item.audience,
            "cost": item.cost,
            "five_ones": item.five_ones,
        }

    return {
        "year": year,
        "rows": [row(item) for item in found.rows],
        "street_wide": row(found.street_wide) if found.street_wide else None,
        "staff": share.staff,
        "staff_trained": share.trained,
    }
