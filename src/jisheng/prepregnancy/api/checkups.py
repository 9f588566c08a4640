"""Checkups of each spouse (health results: every read audited), referrals, risk factors."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.core.actors import Actor
from jisheng.core.api_helpers import Id, Pages, PathId, api_actor
from jisheng.prepregnancy import health
from jisheng.prepregnancy.api.common import Text500, couple_in_scope, json_body, parse_body
from jisheng.prepregnancy.api.schemas import (
    CheckupOut,
    CheckupSummary,
    ReferralOut,
    RiskFactorOut,
)
from jisheng.prepregnancy.models import Referral, RiskFactor
from jisheng.prepregnancy.selectors import couples as couple_selectors
from jisheng.prepregnancy.selectors import risk_factors as factor_selectors
from jisheng.prepregnancy.selectors import worklists
from jisheng.prepregnancy.services import checkups

router = Router(tags=["prepregnancy"])


class HistoryIn(Schema):
    pregnancies: int = Field(0, ge=0, le=30)
    births: int = Field(0, ge=0, le=30)
    miscarriages: int = Field(0, ge=0, le=30)
    induced: int = Field(0, ge=0, le=30)
    stillbirths: int = Field(0, ge=0, le=30)
    birth_defects: int = Field(0, ge=0, le=30)
    note: str = Text500


class CheckupIn(Schema):
    """One spouse's checkup. ``results``: lab test code → value (see the docs of each test)."""

    couple_id: Id
    spouse: Literal["wife", "husband"]
    institution: str = Field(max_length=100)
    date: dt.date
    items: list[str] = Field(default_factory=list, max_length=20)
    results: dict[str, str] = Field(default_factory=dict)
    reproductive_history: HistoryIn | None = None
    risk_level: Literal["general", "high"]
    risk_factors: list[str] = Field(default_factory=list, max_length=50)
    risk_note: str = Text500
    advice: str = Field("", max_length=2000)

    def to_data(self) -> health.CheckupData:
        history = self.reproductive_history
        return health.CheckupData(
            institution=self.institution,
            date=self.date,
            items=self.items,
            results=self.results,
            history=health.ReproductiveHistory(**history.dict()) if history else None,
            risk_level=self.risk_level,
            risk_factor_codes=self.risk_factors,
            risk_note=self.risk_note,
            advice=self.advice,
        )


class ReferralCompleteIn(Schema):
    completed_on: dt.date
    result: str = Field(max_length=1000)


class RiskFactorActiveIn(Schema):
    active: bool


class ReferralQuery(Schema):
    state: Literal["", "open", "done"] = ""
    assignee_id: Id | None = None
    overdue: bool = False


def _checkup_out(actor: Actor, checkup_id: int) -> dict[str, Any]:
    view = couple_selectors.checkup_detail(actor=actor, checkup_id=checkup_id)
    checkup = view.checkup
    return {
        **CheckupSummary.from_orm(checkup).dict(),
        "results": view.results,
        "reproductive_history": (
            health.load(checkup.reproductive_history) if view.history else None
        ),
        "risk_factors": view.factor_codes,
        "risk_note": view.risk_note,
        "advice": checkup.advice or "",
        "referral_id": view.referral.pk if view.referral else None,
    }


@router.post("/checkups", response={201: CheckupOut}, summary="登记一方的孕前优生健康检查")
def checkup_create(request: HttpRequest, body: CheckupIn) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    checkup = checkups.checkup_record(
        actor=actor,
        couple=couple_in_scope(actor, body.couple_id),
        spouse=body.spouse,
        data=body.to_data(),
    )
    return Status(201, _checkup_out(actor, checkup.pk))


@router.get("/checkups/{checkup_id}", response=CheckupOut, summary="检查结果（含健康信息）")
def checkup_detail(request: HttpRequest, checkup_id: PathId) -> dict[str, Any]:
    return _checkup_out(api_actor(request), checkup_id)


@router.get("/referrals", response=list[ReferralOut], summary="高风险转诊任务")
@paginate(Pages)
def referral_list(request: HttpRequest, query: Query[ReferralQuery]) -> object:
    actor = api_actor(request)
    worklists.worklist_viewed(actor=actor, object_type="prepregnancy.referral", detail=query.dict())
    return worklists.referral_list(
        user=actor.user,
        state=query.state,
        assignee_id=query.assignee_id,
        due_before=timezone.localdate() if query.overdue else None,
    )


@router.post(
    "/referrals/{checkup_referral_id}/complete",
    response=ReferralOut,
    summary="完成转诊",
    openapi_extra=json_body(ReferralCompleteIn),
)
def referral_complete(request: HttpRequest, checkup_referral_id: PathId) -> Referral:
    actor = api_actor(request)
    referral = worklists.referral_visible(user=actor.user, referral_id=checkup_referral_id)
    body = parse_body(request, ReferralCompleteIn)
    return checkups.referral_complete(
        actor=actor, referral=referral, completed_on=body.completed_on, result=body.result
    )


@router.get("/risk-factors", response=list[RiskFactorOut], summary="风险因素目录")
def risk_factor_list(request: HttpRequest) -> list[RiskFactor]:
    return list(factor_selectors.risk_factor_list(user=api_actor(request).user))


@router.post(
    "/risk-factors/{risk_factor_id}/active",
    response=RiskFactorOut,
    summary="停用或启用风险因素",
    openapi_extra=json_body(RiskFactorActiveIn),
)
def risk_factor_active(request: HttpRequest, risk_factor_id: PathId) -> RiskFactor:
    actor = api_actor(request)
    # Refused before the body is read, as an action on a record outside the area is.
    checkups.require_list_keeper(actor)
    factor = factor_selectors.risk_factor_or_404(user=actor.user, risk_factor_id=risk_factor_id)
    active = parse_body(request, RiskFactorActiveIn).active
    return checkups.risk_factor_set_active(actor=actor, factor=factor, active=active)
