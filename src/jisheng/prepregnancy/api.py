"""API of the pre-pregnancy module (/api/prepregnancy/): the same services and scope as the pages.

Actions on an existing record (``/followups/{id}/early`` …) read their JSON body only after
the record's scope is checked: a record outside the caller's area is 404 whatever is sent.
"""

import datetime as dt
import json
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import ValidationError as PydanticValidationError

from jisheng.accounts.decorators import request_user
from jisheng.accounts.roles import Capability, Role
from jisheng.audit.services import Actor, client_ip
from jisheng.core.errors import Forbidden, JishengError, NotFound
from jisheng.prepregnancy import health
from jisheng.prepregnancy.models import (
    Checkup,
    Contact,
    FollowUp,
    Pregnancy,
    Referral,
    RiskFactor,
    TargetCouple,
    TaskState,
)
from jisheng.prepregnancy.selectors import couples as couple_selectors
from jisheng.prepregnancy.selectors import indicators as indicator_selectors
from jisheng.prepregnancy.selectors import risk_factors as factor_selectors
from jisheng.prepregnancy.selectors import worklists
from jisheng.prepregnancy.services import checkups, contacts, couples, pregnancies
from jisheng.registry import selectors as registry
from jisheng.registry.models import LifeEvent, Person

router = Router(tags=["prepregnancy"])


def _actor(request: HttpRequest) -> Actor:
    user = request_user(request)
    if not user.has_capability(Capability.VIEW_HEALTH):
        raise Forbidden()
    return Actor(user=user, ip=client_ip(request))


def _json_body(model: type[Schema]) -> dict[str, Any]:
    """OpenAPI for a body that the endpoint reads itself (see :func:`_parse`)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


def _parse[S: Schema](request: HttpRequest, model: type[S]) -> S:
    """The request's JSON body as ``model``; 422 like any other invalid input."""
    try:
        data = json.loads(request.body or b"null")
    except ValueError as exc:
        raise JishengError("请求体不是有效的 JSON", code="invalid_input") from exc
    if not isinstance(data, dict):
        raise NinjaValidationError([{"loc": ["body"], "msg": "JSON object required"}])
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError(
            [{**error, "loc": ["body", *error["loc"]]} for error in exc.errors()]
        ) from exc


# ---------------------------------------------------------------- schemas


class PersonBrief(Schema):
    id: int
    name: str
    sex: str
    birth_date: dt.date
    id_number_masked: str
    phone_masked: str
    is_floating: bool
    status: str


class CoupleOut(Schema):
    id: int
    community_id: int
    community_name: str
    husband: PersonBrief
    wife: PersonBrief
    marriage_id: int | None
    source: str
    entered_on: dt.date
    planning_since: dt.date | None
    state: str
    wife_checked: bool = False
    husband_checked: bool = False
    last_contact: dt.date | None = None

    @staticmethod
    def resolve_community_name(obj: TargetCouple | dict[str, Any]) -> str:
        # A detail is assembled as a dict that already holds the name.
        return str(obj["community_name"]) if isinstance(obj, dict) else obj.community.name


class ContactOut(Schema):
    id: int
    couple_id: int
    method: str
    outcome: str
    date: dt.date
    appointment_date: dt.date | None
    note: str
    worker: str

    @staticmethod
    def resolve_worker(obj: Contact) -> str:
        return obj.worker.username


class CheckupSummary(Schema):
    id: int
    couple_id: int
    spouse: str
    person_id: int
    institution: str
    date: dt.date
    items: list[str]
    risk_level: str


class CheckupOut(CheckupSummary):
    results: dict[str, str]
    reproductive_history: dict[str, Any] | None
    risk_factors: list[str]
    risk_note: str
    advice: str
    referral_id: int | None


class ReferralOut(Schema):
    id: int
    couple_id: int
    checkup_id: int
    due_date: dt.date
    state: str
    assignee: str
    completed_on: dt.date | None
    overdue: bool

    @staticmethod
    def resolve_assignee(obj: Referral) -> str:
        return obj.assignee.username

    @staticmethod
    def resolve_overdue(obj: Referral) -> bool:
        return obj.state == TaskState.OPEN and obj.due_date < timezone.localdate()


class FollowUpOut(Schema):
    id: int
    couple_id: int
    pregnancy_id: int
    kind: str
    due_date: dt.date
    state: str
    assignee: str
    done_on: dt.date | None
    overdue: bool

    @staticmethod
    def resolve_assignee(obj: FollowUp) -> str:
        return obj.assignee.username

    @staticmethod
    def resolve_overdue(obj: FollowUp) -> bool:
        return obj.state == TaskState.OPEN and obj.due_date < timezone.localdate()


class PregnancyOut(Schema):
    id: int
    couple_id: int
    reported_on: dt.date
    last_period: dt.date | None
    outcome: str
    outcome_date: dt.date | None
    birth_event_id: int | None
    followups: list[FollowUpOut]

    @staticmethod
    def resolve_followups(obj: Pregnancy) -> list[FollowUp]:
        return list(
            obj.followups.select_related("assignee").defer("findings").order_by("due_date", "pk")
        )


class CoupleDetail(CoupleOut):
    contacts: list[ContactOut]
    checkups: list[CheckupSummary]
    referrals: list[ReferralOut]
    pregnancies: list[PregnancyOut]
    sms_opted_out: list[str]
    sms_recipients: int


class RefreshOut(Schema):
    created: int
    updated: int
    first_day: dt.date
    last_day: dt.date


class IndicatorRowOut(Schema):
    community_id: int | None
    community_name: str
    counts: dict[str, int]
    rates: dict[str, float | None]


class RiskFactorOut(Schema):
    id: int
    code: str
    name: str
    category: str
    applies_to: str
    active: bool


# ---------------------------------------------------------------- inputs

Text200 = Field("", max_length=200)
Text500 = Field("", max_length=500)


class CoupleQuery(Schema):
    state: str = ""
    source: str = ""
    community_id: int | None = None
    name: str = Field("", max_length=50)


class PlanningIn(Schema):
    wife_id: int
    since: dt.date | None = None


class ContactIn(Schema):
    couple_id: int
    method: Literal["home_visit", "phone", "letter"]
    outcome: Literal["reached", "appointment", "declined", "not_reached"]
    date: dt.date
    appointment_date: dt.date | None = None
    note: str = Text200


class SmsOptOutIn(Schema):
    spouse: Literal["wife", "husband"]
    opted_out: bool


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

    couple_id: int
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


class PregnancyIn(Schema):
    couple_id: int
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
    birth_event_id: int | None = None


class BirthLinkIn(Schema):
    birth_event_id: int


class ReferralCompleteIn(Schema):
    completed_on: dt.date
    result: str = Field(max_length=1000)


class RiskFactorActiveIn(Schema):
    active: bool


class FollowUpQuery(Schema):
    state: Literal["", "open", "done"] = ""
    kind: Literal["", "early", "outcome"] = ""
    assignee_id: int | None = None
    overdue: bool = False


class ReferralQuery(Schema):
    state: Literal["", "open", "done"] = ""
    assignee_id: int | None = None
    overdue: bool = False


class PeriodQuery(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


# ---------------------------------------------------------------- helpers


def _couple(actor: Actor, couple_id: int) -> TargetCouple:
    return couple_selectors.couple_visible(user=actor.user, couple_id=couple_id)


def _couple_detail(actor: Actor, couple_id: int) -> dict[str, Any]:
    file = couple_selectors.couple_file(actor=actor, couple_id=couple_id)
    listed = _couple(actor, couple_id)
    return {
        **CoupleOut.from_orm(listed).dict(),
        "contacts": file.contacts,
        "checkups": list(file.checkups.values()),
        "referrals": file.referrals,
        "pregnancies": [row.pregnancy for row in file.pregnancies],
        "sms_opted_out": sorted(file.opted_out),
        "sms_recipients": file.sms_recipients,
    }


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


def _followup(actor: Actor, followup_id: int) -> FollowUp:
    found = worklists.followup_list(user=actor.user).filter(pk=followup_id).first()
    if found is None:
        raise NotFound()
    return found


def _pregnancy(actor: Actor, pregnancy_id: int) -> Pregnancy:
    return couple_selectors.pregnancy_visible(user=actor.user, pregnancy_id=pregnancy_id)


# ---------------------------------------------------------------- couples


@router.get("/couples", response=list[CoupleOut], summary="目标人群（服务档案）列表")
@paginate(PageNumberPagination)
def couple_list(request: HttpRequest, query: Query[CoupleQuery]) -> object:
    actor = _actor(request)
    filters = couple_selectors.CoupleFilters(**query.dict())
    couple_selectors.couple_search_record(actor=actor, filters=filters)
    return couple_selectors.couple_list(user=actor.user, filters=filters)


@router.post("/couples/refresh", response=RefreshOut, summary="按户籍婚姻登记更新目标人群")
def couple_refresh(request: HttpRequest) -> object:
    return couples.target_couples_refresh(actor=_actor(request))


@router.post(
    "/couples/planning",
    response={200: CoupleOut, 201: CoupleOut},
    summary="登记计划怀孕夫妇（按女方 person id）",
)
def couple_planning(request: HttpRequest, body: PlanningIn) -> Status[TargetCouple]:
    actor = _actor(request)
    wife = registry.visible_or_404(Person, user=actor.user, pk=body.wife_id)
    couple, created = couples.couple_mark_planning(actor=actor, wife=wife, since=body.since)
    return Status(201 if created else 200, _couple(actor, couple.pk))


@router.get("/couples/{couple_id}", response=CoupleDetail, summary="服务档案详情")
def couple_detail(request: HttpRequest, couple_id: int) -> dict[str, Any]:
    return _couple_detail(_actor(request), couple_id)


@router.get("/couples/{couple_id}/contacts", response=list[ContactOut], summary="告知记录")
def couple_contacts(request: HttpRequest, couple_id: int) -> list[Contact]:
    return couple_selectors.couple_file(actor=_actor(request), couple_id=couple_id).contacts


@router.post("/couples/{couple_id}/sms", response={201: ContactOut}, summary="发送告知短信")
def couple_sms(request: HttpRequest, couple_id: int) -> Status[Contact]:
    actor = _actor(request)
    return Status(201, contacts.contact_send_sms(actor=actor, couple=_couple(actor, couple_id)))


@router.put(
    "/couples/{couple_id}/sms-opt-out",
    response=SmsOptOutIn,
    summary="设置不接收短信",
    openapi_extra=_json_body(SmsOptOutIn),
)
def couple_sms_opt_out(request: HttpRequest, couple_id: int) -> SmsOptOutIn:
    actor = _actor(request)
    couple = _couple(actor, couple_id)
    body = _parse(request, SmsOptOutIn)
    contacts.sms_opt_out_set(
        actor=actor, couple=couple, spouse=body.spouse, opted_out=body.opted_out
    )
    return body


@router.get("/couples/{couple_id}/checkups", response=list[CheckupSummary], summary="夫妇双方检查")
def couple_checkups(request: HttpRequest, couple_id: int) -> list[Checkup]:
    file = couple_selectors.couple_file(actor=_actor(request), couple_id=couple_id)
    return list(file.checkups.values())


# ---------------------------------------------------------------- notification


@router.post("/contacts", response={201: ContactOut}, summary="登记告知（上门、电话、告知书）")
def contact_create(request: HttpRequest, body: ContactIn) -> Status[Contact]:
    actor = _actor(request)
    contact = contacts.contact_record(
        actor=actor,
        couple=_couple(actor, body.couple_id),
        method=body.method,
        outcome=body.outcome,
        date=body.date,
        appointment_date=body.appointment_date,
        note=body.note,
    )
    return Status(201, contact)


# ---------------------------------------------------------------- checkups


@router.post("/checkups", response={201: CheckupOut}, summary="登记一方的孕前优生健康检查")
def checkup_create(request: HttpRequest, body: CheckupIn) -> Status[dict[str, Any]]:
    actor = _actor(request)
    checkup = checkups.checkup_record(
        actor=actor,
        couple=_couple(actor, body.couple_id),
        spouse=body.spouse,
        data=body.to_data(),
    )
    return Status(201, _checkup_out(actor, checkup.pk))


@router.get("/checkups/{checkup_id}", response=CheckupOut, summary="检查结果（含健康信息）")
def checkup_detail(request: HttpRequest, checkup_id: int) -> dict[str, Any]:
    return _checkup_out(_actor(request), checkup_id)


@router.get("/referrals", response=list[ReferralOut], summary="高风险转诊任务")
@paginate(PageNumberPagination)
def referral_list(request: HttpRequest, query: Query[ReferralQuery]) -> object:
    actor = _actor(request)
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
    openapi_extra=_json_body(ReferralCompleteIn),
)
def referral_complete(request: HttpRequest, checkup_referral_id: int) -> Referral:
    actor = _actor(request)
    referral = registry.visible_or_404(Referral, user=actor.user, pk=checkup_referral_id)
    body = _parse(request, ReferralCompleteIn)
    return checkups.referral_complete(
        actor=actor, referral=referral, completed_on=body.completed_on, result=body.result
    )


@router.get("/risk-factors", response=list[RiskFactorOut], summary="风险因素目录")
def risk_factor_list(request: HttpRequest) -> list[RiskFactor]:
    _actor(request)
    return list(factor_selectors.risk_factor_list())


@router.post(
    "/risk-factors/{risk_factor_id}/active",
    response=RiskFactorOut,
    summary="停用或启用风险因素",
    openapi_extra=_json_body(RiskFactorActiveIn),
)
def risk_factor_active(request: HttpRequest, risk_factor_id: int) -> RiskFactor:
    actor = _actor(request)
    if Role.STREET_STAFF not in actor.user.role_set:
        raise Forbidden()
    factor = factor_selectors.risk_factor_list().filter(pk=risk_factor_id).first()
    if factor is None:
        raise NotFound()
    active = _parse(request, RiskFactorActiveIn).active
    return checkups.risk_factor_set_active(actor=actor, factor=factor, active=active)


# ---------------------------------------------------------------- pregnancies and follow-ups


@router.post("/pregnancies", response={201: PregnancyOut}, summary="登记怀孕（安排早孕随访）")
def pregnancy_create(request: HttpRequest, body: PregnancyIn) -> Status[Pregnancy]:
    actor = _actor(request)
    pregnancy = pregnancies.pregnancy_report(
        actor=actor,
        couple=_couple(actor, body.couple_id),
        reported_on=body.reported_on,
        last_period=body.last_period,
    )
    return Status(201, pregnancy)


@router.post(
    "/pregnancies/{pregnancy_id}/birth",
    response=PregnancyOut,
    summary="关联户籍出生登记",
    openapi_extra=_json_body(BirthLinkIn),
)
def pregnancy_birth(request: HttpRequest, pregnancy_id: int) -> Pregnancy:
    actor = _actor(request)
    pregnancy = _pregnancy(actor, pregnancy_id)
    body = _parse(request, BirthLinkIn)
    event = registry.visible_or_404(LifeEvent, user=actor.user, pk=body.birth_event_id)
    return pregnancies.pregnancy_link_birth(actor=actor, pregnancy=pregnancy, event=event)


@router.get("/followups", response=list[FollowUpOut], summary="随访任务（早孕、妊娠结局）")
@paginate(PageNumberPagination)
def followup_list(request: HttpRequest, query: Query[FollowUpQuery]) -> object:
    actor = _actor(request)
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
    openapi_extra=_json_body(EarlyIn),
)
def followup_early(request: HttpRequest, pregnancy_followup_id: int) -> FollowUp:
    actor = _actor(request)
    followup = _followup(actor, pregnancy_followup_id)
    body = _parse(request, EarlyIn)
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
    openapi_extra=_json_body(OutcomeIn),
)
def followup_outcome(request: HttpRequest, pregnancy_followup_id: int) -> FollowUp:
    actor = _actor(request)
    followup = _followup(actor, pregnancy_followup_id)
    body = _parse(request, OutcomeIn)
    event = (
        registry.visible_or_404(LifeEvent, user=actor.user, pk=body.birth_event_id)
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


# ---------------------------------------------------------------- indicators


@router.get("/indicators", response=list[IndicatorRowOut], summary="各社居指标（默认本年度）")
def indicator_table(request: HttpRequest, query: Query[PeriodQuery]) -> list[dict[str, Any]]:
    actor = _actor(request)
    default = indicator_selectors.Period.year_of(timezone.localdate())
    period = indicator_selectors.Period(query.start or default.start, query.end or default.end)
    if period.start > period.end:
        raise JishengError("统计期的结束日期早于开始日期", code="invalid_period")
    return [
        {
            "community_id": row.unit.pk if row.unit else None,
            "community_name": row.unit.name if row.unit else "合计",
            "counts": row.counts,
            "rates": {k: float(v) if v is not None else None for k, v in row.rates.items()},
        }
        for row in indicator_selectors.indicator_table(user=actor.user, period=period)
    ]
