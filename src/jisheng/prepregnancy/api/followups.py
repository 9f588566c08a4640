"""Pregnancies, their follow-ups (early pregnancy, outcome) and the link to the registered
birth."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.core.api_helpers import Id, Pages, PathId, api_actor
from jisheng.core.lookups import visible_or_404
from jisheng.prepregnancy import health
from jisheng.prepregnancy.api.common import (
    Text200,
    Text500,
    couple_in_scope,
    json_body,
    parse_body,
)
from jisheng.prepregnancy.api.schemas import FollowUpOut, PregnancyOut
from jisheng.prepregnancy.models import FollowUp, Pregnancy
from jisheng.prepregnancy.selectors import couples as couple_selectors
from jisheng.prepregnancy.selectors import worklists
from jisheng.prepregnancy.services import pregnancies
from jisheng.registry.models import LifeEvent

router = Router(tags=["prepregnancy"])


class PregnancyIn(Schema):
    couple_id: Id
    reported_on: dt.date
    last_period: dt.date | None = None


class EarlyIn(Schema):
    done_on: dt.date
    confirmed: bool = True
    weeks: int | None = Field(None, ge=1, le=42)
    folic_acid: bool = False
    prenatal_booked: bool = False
    note: str = Text500


class OutcomeIn(Schema):
    done_on: dt.date
    outcome: Literal[
        "live_birth", "preterm", "birth_defect", "miscarriage", "induced", "stillbirth"
    ]
    outcome_date: dt.date
    weeks: int | None = Field(None, ge=4, le=45)
    birth_weight_g: int | None = Field(None, ge=200, le=7000)
    defect: str = Text200
    note: str = Text500
    birth_event_id: Id | None = None


class BirthLinkIn(Schema):
    birth_event_id: Id


class FollowUpQuery(Schema):
    state: Literal["", "open", "done"] = ""
    kind: Literal["", "early", "outcome"] = ""
    assignee_id: Id | None = None
    overdue: bool = False


@router.post("/pregnancies", response={201: PregnancyOut}, summary="登记怀孕（安排早孕随访）")
def pregnancy_create(request: HttpRequest, body: PregnancyIn) -> Status[Pregnancy]:
    actor = api_actor(request)
    pregnancy = pregnancies.pregnancy_report(
        actor=actor,
        couple=couple_in_scope(actor, body.couple_id),
        reported_on=body.reported_on,
        last_period=body.last_period,
    )
    return Status(201, pregnancy)


@router.post(
    "/pregnancies/{pregnancy_id}/birth",
    response=PregnancyOut,
    summary="关联户籍出生登记",
    openapi_extra=json_body(BirthLinkIn),
)
def pregnancy_birth(request: HttpRequest, pregnancy_id: PathId) -> Pregnancy:
    actor = api_actor(request)
    pregnancy = couple_selectors.pregnancy_visible(user=actor.user, pregnancy_id=pregnancy_id)
    body = parse_body(request, BirthLinkIn)
    event = visible_or_404(LifeEvent, user=actor.user, pk=body.birth_event_id)
    return pregnancies.pregnancy_link_birth(actor=actor, pregnancy=pregnancy, event=event)


@router.get("/followups", response=list[FollowUpOut], summary="随访任务（早孕、妊娠结局）")
@paginate(Pages)
def followup_list(request: HttpRequest, query: Query[FollowUpQuery]) -> object:
    actor = api_actor(request)
    worklists.worklist_viewed(actor=actor, object_type="prepregnancy.followup", detail=query.dict())
    return worklists.followup_list(
        user=actor.user,
        state=query.state,
        kind=query.kind,
        assignee_id=query.assignee_id,
        due_before=timezone.localdate() if query.overdue else None,
    )


@router.post(
    "/followups/{pregnancy_followup_id}/early",
    response=FollowUpOut,
    summary="登记早孕随访",
    openapi_extra=json_body(EarlyIn),
)
def followup_early(request: HttpRequest, pregnancy_followup_id: PathId) -> FollowUp:
    actor = api_actor(request)
    followup = worklists.followup_visible(user=actor.user, followup_id=pregnancy_followup_id)
    body = parse_body(request, EarlyIn)
    return pregnancies.followup_early_record(
        actor=actor,
        followup=followup,
        done_on=body.done_on,
        findings=health.EarlyFindings(**body.dict(exclude={"done_on"})),
    )


@router.post(
    "/followups/{pregnancy_followup_id}/outcome",
    response=FollowUpOut,
    summary="登记妊娠结局随访",
    openapi_extra=json_body(OutcomeIn),
)
def followup_outcome(request: HttpRequest, pregnancy_followup_id: PathId) -> FollowUp:
    actor = api_actor(request)
    followup = worklists.followup_visible(user=actor.user, followup_id=pregnancy_followup_id)
    body = parse_body(request, OutcomeIn)
    event = (
        visible_or_404(LifeEvent, user=actor.user, pk=body.birth_event_id)
        if body.birth_event_id is not None
        else None
    )
    return pregnancies.followup_outcome_record(
        actor=actor,
        followup=followup,
        done_on=body.done_on,
        outcome=body.outcome,
        outcome_date=body.outcome_date,
        details=health.OutcomeDetails(
            weeks=body.weeks,
            birth_weight_g=body.birth_weight_g,
            defect=body.defect,
            note=body.note,
        ),
        birth_event=event,
    )
