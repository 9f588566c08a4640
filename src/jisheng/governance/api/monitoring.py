"""Pregnancies, their outcomes and the sex-ratio figures: the same services and selectors as
the pages, every route scoped to the caller."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.core.api_helpers import Id, Pages, PathId, api_actor
from jisheng.core.lookups import visible_or_404
from jisheng.governance import periods
from jisheng.governance.selectors import pregnancies as worklists
from jisheng.governance.selectors import srb as srb_selectors
from jisheng.governance.services import pregnancies as services
from jisheng.prepregnancy.models import Pregnancy
from jisheng.registry.models import LifeEvent, Person

router = Router()

Text = Annotated[str, Field(max_length=100)]
LongText = Annotated[str, Field(max_length=500)]


class GovPregnancyOut(Schema):
    id: int
    woman_id: int
    community_id: int
    source: str
    reported_on: dt.date
    last_period: dt.date | None
    expected_on: dt.date | None
    closed: bool
    outcome: str | None
    outcome_date: dt.date | None
    birth_event_id: int | None


class GovPregnancyIn(Schema):
    woman_id: Id
    reported_on: dt.date
    last_period: dt.date
    source: Literal["community", "clinic"] = "community"


class GovOutcomeIn(Schema):
    done_on: dt.date
    outcome: Literal[
        "live_birth", "preterm", "birth_defect", "stillbirth", "miscarriage", "induced"
    ]
    outcome_date: dt.date
    sex: Literal["", "M", "F"] = ""
    weight_g: int | None = Field(None, ge=200, le=7000)
    birth_order: int | None = Field(None, ge=1, le=20)
    hospital: Text = ""
    weeks: int | None = Field(None, ge=4, le=45)
    medical_reason: LongText = ""
    institution: Text = ""
    certificate: Annotated[str, Field(max_length=50)] = ""
    note: LongText = ""
    birth_event_id: Id | None = None


class GovSrbOut(Schema):
    unit_id: int
    unit: str
    births: int
    boys: int
    girls: int
    ratio: float | None
    low: float | None
    high: float | None = Field(description="上限；无女婴时为空（无上界）")
    verdict: str


@router.get("/pregnancies", response=list[GovPregnancyOut], summary="孕情（本辖区，默认仅未结案）")
@paginate(Pages)
def pregnancy_list(
    request: HttpRequest, overdue: bool = False, open_only: bool = True
) -> list[Pregnancy]:
    user = api_actor(request).user
    if overdue:
        return list(worklists.overdue_pregnancies(user))
    return list(worklists.pregnancy_list(user, open_only=open_only))


@router.get("/pregnancies/{pregnancy_id}", response=GovPregnancyOut, summary="一条孕情")
def pregnancy_detail(request: HttpRequest, pregnancy_id: PathId) -> Pregnancy:
    return worklists.pregnancy_visible(api_actor(request).user, pregnancy_id)


@router.post("/pregnancies", response={201: GovPregnancyOut}, summary="登记孕情（含流动人口）")
def pregnancy_create(request: HttpRequest, payload: GovPregnancyIn) -> Status[Pregnancy]:
    actor = api_actor(request)
    woman = visible_or_404(Person, user=actor.user, pk=payload.woman_id)
    pregnancy = services.pregnancy_open(
        actor=actor,
        woman=woman,
        reported_on=payload.reported_on,
        last_period=payload.last_period,
        source=payload.source,
    )
    return Status(201, pregnancy)


@router.post(
    "/pregnancies/{pregnancy_id}/outcome", response=GovPregnancyOut, summary="登记妊娠结局"
)
def outcome_record(request: HttpRequest, pregnancy_id: PathId, payload: GovOutcomeIn) -> Pregnancy:
    actor = api_actor(request)
    pregnancy = worklists.pregnancy_visible(actor.user, pregnancy_id)
    event = (
        visible_or_404(LifeEvent, user=actor.user, pk=payload.birth_event_id)
        if payload.birth_event_id
        else None
    )
    return services.pregnancy_outcome_record(
        actor=actor,
        pregnancy=pregnancy,
        data=services.OutcomeData(
            outcome=payload.outcome,
            outcome_date=payload.outcome_date,
            sex=payload.sex,
            weight_g=payload.weight_g,
            birth_order=payload.birth_order,
            hospital=payload.hospital,
            weeks=payload.weeks,
            medical_reason=payload.medical_reason,
            institution=payload.institution,
            certificate=payload.certificate,
            note=payload.note,
        ),
        done_on=payload.done_on,
        birth_event=event,
    )


@router.get("/srb", response=list[GovSrbOut], summary="出生人口性别比（按单位）")
def srb_figures(
    request: HttpRequest,
    period: Annotated[str, Field(max_length=10, description="2026-05、2026Q2、2026 或 R2026-05")],
    level: Literal["community", "street", "district"] = "community",
    order: Literal["", "1", "2", "3"] = "",
    residence: Literal["", "resident", "floating"] = "",
) -> list[GovSrbOut]:
    user = api_actor(request).user
    rows = srb_selectors.srb_rows(
        user,
        level=level,
        period=periods.parse_period(period),
        order=order,
        residence=residence,
    )
    return [
        GovSrbOut(
            unit_id=row.unit.pk,
            unit=row.unit.name,
            births=row.figure.births,
            boys=row.figure.boys,
            girls=row.figure.girls,
            ratio=row.figure.ratio,
            low=row.figure.low,
            high=row.figure.high,
            verdict=row.figure.verdict.value,
        )
        for row in rows
    ]
