"""Target couples (service files), notification and text-message opt-outs."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.core.actors import Actor
from jisheng.core.api_helpers import Id, Pages, PathId, api_actor
from jisheng.prepregnancy.api.common import Text200, couple_in_scope, json_body, parse_body
from jisheng.prepregnancy.api.schemas import (
    CheckupSummary,
    ContactOut,
    CoupleDetail,
    CoupleOut,
    RefreshOut,
)
from jisheng.prepregnancy.models import Checkup, Contact, TargetCouple
from jisheng.prepregnancy.selectors import couples as couple_selectors
from jisheng.prepregnancy.services import contacts, couples

router = Router(tags=["prepregnancy"])


class CoupleQuery(Schema):
    state: str = ""
    source: str = ""
    community_id: Id | None = None
    name: str = Field("", max_length=50)


class PlanningIn(Schema):
    wife_id: Id
    since: dt.date | None = None


class ContactIn(Schema):
    couple_id: Id
    method: Literal["home_visit", "phone", "letter"]
    outcome: Literal["reached", "appointment", "declined", "not_reached"]
    date: dt.date
    appointment_date: dt.date | None = None
    note: str = Text200


class SmsOptOutIn(Schema):
    spouse: Literal["wife", "husband"]
    opted_out: bool


def _couple_detail(actor: Actor, couple_id: int) -> dict[str, Any]:
    file = couple_selectors.couple_file(actor=actor, couple_id=couple_id)
    listed = couple_in_scope(actor, couple_id)
    return {
        **CoupleOut.from_orm(listed).dict(),
        "contacts": file.contacts,
        "checkups": list(file.checkups.values()),
        "referrals": file.referrals,
        "pregnancies": [row.pregnancy for row in file.pregnancies],
        "sms_opted_out": sorted(file.opted_out),
        "sms_recipients": file.sms_recipients,
    }


@router.get("/couples", response=list[CoupleOut], summary="目标人群（服务档案）列表")
@paginate(Pages)
def couple_list(request: HttpRequest, query: Query[CoupleQuery]) -> object:
    actor = api_actor(request)
    filters = couple_selectors.CoupleFilters(**query.dict())
    couple_selectors.couple_search_record(actor=actor, filters=filters)
    return couple_selectors.couple_list(user=actor.user, filters=filters)


@router.post("/couples/refresh", response=RefreshOut, summary="按户籍婚姻登记更新目标人群")
def couple_refresh(request: HttpRequest) -> object:
    return couples.target_couples_refresh(actor=api_actor(request))


@router.post(
    "/couples/planning",
    response={200: CoupleOut, 201: CoupleOut},
    summary="登记计划怀孕夫妇（按女方 person id）",
)
def couple_planning(request: HttpRequest, body: PlanningIn) -> Status[TargetCouple]:
    actor = api_actor(request)
    couple, created = couples.couple_mark_planning(actor=actor, wife=body.wife_id, since=body.since)
    return Status(201 if created else 200, couple_in_scope(actor, couple.pk))


@router.get("/couples/{couple_id}", response=CoupleDetail, summary="服务档案详情")
def couple_detail(request: HttpRequest, couple_id: PathId) -> dict[str, Any]:
    return _couple_detail(api_actor(request), couple_id)


@router.get("/couples/{couple_id}/contacts", response=list[ContactOut], summary="告知记录")
def couple_contacts(request: HttpRequest, couple_id: PathId) -> list[Contact]:
    return couple_selectors.couple_file(actor=api_actor(request), couple_id=couple_id).contacts


@router.post("/couples/{couple_id}/sms", response={201: ContactOut}, summary="发送告知短信")
def couple_sms(request: HttpRequest, couple_id: PathId) -> Status[Contact]:
    actor = api_actor(request)
    return Status(
        201, contacts.contact_send_sms(actor=actor, couple=couple_in_scope(actor, couple_id))
    )


@router.put(
    "/couples/{couple_id}/sms-opt-out",
    response=SmsOptOutIn,
    summary="设置不接收短信",
    openapi_extra=json_body(SmsOptOutIn),
)
def couple_sms_opt_out(request: HttpRequest, couple_id: PathId) -> SmsOptOutIn:
    actor = api_actor(request)
    couple = couple_in_scope(actor, couple_id)
    body = parse_body(request, SmsOptOutIn)
    contacts.sms_opt_out_set(
        actor=actor, couple=couple, spouse=body.spouse, opted_out=body.opted_out
    )
    return body


@router.get("/couples/{couple_id}/checkups", response=list[CheckupSummary], summary="夫妇双方检查")
def couple_checkups(request: HttpRequest, couple_id: PathId) -> list[Checkup]:
    file = couple_selectors.couple_file(actor=api_actor(request), couple_id=couple_id)
    return list(file.checkups.values())


@router.post("/contacts", response={201: ContactOut}, summary="登记告知（上门、电话、告知书）")
def contact_create(request: HttpRequest, body: ContactIn) -> Status[Contact]:
    actor = api_actor(request)
    contact = contacts.contact_record(
        actor=actor,
        couple=couple_in_scope(actor, body.couple_id),
        method=body.method,
        outcome=body.outcome,
        date=body.date,
        appointment_date=body.appointment_date,
        note=body.note,
    )
    return Status(201, contact)
