"""Inflow and outflow records, the stale list and partner reports, through the page services.

Creating posts take an ``Idempotency-Key`` header (core.idempotency): a retry with the same
key returns the first record and moves nobody twice."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.functions import Header as HeaderParam

from jisheng.core.actors import Actor
from jisheng.core.api_helpers import Id, Pages, PathId, api_actor, required
from jisheng.core.idempotency import Once, run_once
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require, require_any
from jisheng.core.roles import Capability
from jisheng.migrants.models import (
    MigrantRecord,
    PartnerReport,
    ReportKind,
    ResidentialComplex,
)
from jisheng.migrants.regions import region_name
from jisheng.migrants.selectors import partners as report_selectors
from jisheng.migrants.selectors import records as selectors
from jisheng.migrants.services import partners as report_services
from jisheng.migrants.services import records as services
from jisheng.registry.models import HukouType, Person, Sex
from jisheng.registry.services.persons import PersonData

router = Router()

KEY_HELP = "可带 Idempotency-Key 头：网络重试时同一键只记一次；同一键用于不同请求返回 409。"


class MigrantRecordOut(Schema):
    id: int
    kind: str
    person_id: int
    name: str = Field(alias="person.name")
    community_id: int
    region_code: str
    region_name: str
    moved_on: dt.date
    address: str
    contact: str
    employer: str
    complex_id: int | None
    landlord_id: int | None
    move_event_id: int | None
    end_event_id: int | None
    last_verified_on: dt.date
    ended_on: dt.date | None
    services_owed: list[str]

    @staticmethod
    def resolve_address(obj: MigrantRecord) -> str:
        return obj.address or ""

    @staticmethod
    def resolve_contact(obj: MigrantRecord) -> str:
        return obj.contact or ""

    @staticmethod
    def resolve_region_name(obj: MigrantRecord) -> str:
        return region_name(obj.region_code)

    @staticmethod
    def resolve_services_owed(obj: MigrantRecord) -> list[str]:
        return [str(o.label) for o in selectors.owed_for(obj) if o.owed]


class MigrantRecordQuery(Schema):
    kind: Literal["inflow", "outflow"] = "inflow"
    open_only: bool = True


class MigrantArrivalIn(Schema):
    name: str = Field(max_length=50)
    sex: Literal[tuple(Sex.values)]  # type: ignore[valid-type]
    id_number: str = Field(max_length=18)
    birth_date: dt.date | None = None
    hukou_type: Literal[tuple(HukouType.values)] = HukouType.URBAN  # type: ignore[valid-type]


class MigrantInflowIn(Schema):
    community_id: Id
    person_id: Id | None = Field(None, description="已登记的居民；新来的人填 person")
    person: MigrantArrivalIn | None = None
    region_code: str = Field(max_length=6, description="户籍地 GB/T 2260 代码")
    moved_on: dt.date
    address: str = Field(max_length=200)
    contact: str = Field("", max_length=100)
    complex_id: Id | None = None
    landlord_id: Id | None = None
    employer: str = Field("", max_length=100)


class MigrantOutflowIn(Schema):
    person_id: Id
    region_code: str = Field(max_length=6, description="现居住地 GB/T 2260 代码")
    moved_on: dt.date
    address: str = Field("", max_length=200)
    contact: str = Field("", max_length=100)


class MigrantRecordEndIn(Schema):
    ended_on: dt.date
    note: str = Field("", max_length=200)


class MigrantVisitIn(Schema):
    visited_on: dt.date
    address: str = Field(max_length=200)
    contact: str = Field("", max_length=100)
    employer: str = Field("", max_length=100)
    complex_id: Id | None = None
    note: str = Field("", max_length=200)


class MigrantVisitOut(Schema):
    id: int
    record_id: int
    visited_on: dt.date
    changes: list[str]
    note: str


class PartnerReportOut(Schema):
    id: int
    partner_id: int
    kind: str
    state: str
    name: str
    id_number_masked: str
    moved_on: dt.date
    region_code: str
    reason: str
    record_id: int | None


class PartnerReportIn(Schema):
    kind: Literal[tuple(ReportKind.values)]  # type: ignore[valid-type]
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=18)
    moved_on: dt.date
    phone: str = Field("", max_length=20)
    hukou_type: str = Field("", max_length=8)
    region_code: str = Field("", max_length=6)
    address: str = Field("", max_length=200)
    employer: str = Field("", max_length=100)
    note: str = Field("", max_length=200)


class PartnerReportQuery(Schema):
    state: Literal["", "pending", "confirmed", "rejected"] = ""


class PartnerReportRejectIn(Schema):
    reason: str = Field(max_length=200)


def _replayed[T](response: HttpResponse, once: Once[T]) -> Status[T]:
    if once.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(201, once.value)


def _record(pk: int) -> MigrantRecord:
    return MigrantRecord.objects.select_related("person").get(pk=pk)


# ----------------------------------------------------------------------------------- records


@router.get("/records", response=list[MigrantRecordOut], summary="流入、流出人员")
@paginate(Pages)
def record_list(request: HttpRequest, query: Query[MigrantRecordQuery]) -> object:
    actor = api_actor(request)
    require(actor, Capability.VIEW_PERSONAL)
    return selectors.records(actor.user, kind=query.kind, open_only=query.open_only)


@router.get("/stale", response=list[MigrantRecordOut], summary="逾期未核查")
@paginate(Pages)
def stale_list(request: HttpRequest) -> object:
    actor = api_actor(request)
    require(actor, Capability.VIEW_PERSONAL)
    return selectors.stale(actor.user).select_related("complex", "landlord")


@router.get("/records/{record_id}", response=MigrantRecordOut, summary="流动人口记录")
def record_detail(request: HttpRequest, record_id: PathId) -> MigrantRecord:
    return selectors.record_detail(api_actor(request).user, record_id)


@router.post("/inflow", response={201: MigrantRecordOut}, summary="登记流入", description=KEY_HELP)
def inflow_create(
    request: HttpRequest,
    response: HttpResponse,
    body: MigrantInflowIn,
    idempotency_key: str | None = HeaderParam(None, alias="Idempotency-Key"),
) -> Status[MigrantRecord]:
    actor = api_actor(request)
    require(actor, Capability.EDIT_REGISTRY)

    def run() -> MigrantRecord:
        user = actor.user
        person = visible_or_404(Person, user=user, pk=body.person_id) if body.person_id else None
        data = None
        if person is None:
            new = required(body.person, "person")
            data = PersonData(
                name=new.name,
                sex=new.sex,
                birth_date=new.birth_date,
                id_number=new.id_number,
                hukou_type=new.hukou_type,
            )
        return services.inflow_open(
            actor=actor,
            community=visible_or_404(OrgUnit, user=user, pk=body.community_id),
            moved_on=body.moved_on,
            region_code=body.region_code,
            address=body.address,
            contact=body.contact,
            person=person,
            data=data,
            complex_=_complex(actor, body.complex_id),
            landlord=(
                visible_or_404(report_selectors.partners(user), user=user, pk=body.landlord_id)
                if body.landlord_id
                else None
            ),
            employer=body.employer,
        )

    once = run_once(
        user=actor.user,
        scope="migrants.inflow",
        key=idempotency_key,
        request=body.dict(),
        run=run,
        store=lambda record: record.pk,
        load=_record,
    )
    return _replayed(response, once)


def _complex(actor: Actor, complex_id: int | None) -> ResidentialComplex | None:
    if complex_id is None:
        return None
    return visible_or_404(ResidentialComplex, user=actor.user, pk=complex_id)


@router.post("/outflow", response={201: MigrantRecordOut}, summary="登记流出", description=KEY_HELP)
def outflow_create(
    request: HttpRequest,
    response: HttpResponse,
    body: MigrantOutflowIn,
    idempotency_key: str | None = HeaderParam(None, alias="Idempotency-Key"),
) -> Status[MigrantRecord]:
    actor = api_actor(request)
    require(actor, Capability.EDIT_REGISTRY)
    once = run_once(
        user=actor.user,
        scope="migrants.outflow",
        key=idempotency_key,
        request=body.dict(),
        run=lambda: services.outflow_open(
            actor=actor,
            person=visible_or_404(Person, user=actor.user, pk=body.person_id),
            moved_on=body.moved_on,
            region_code=body.region_code,
            address=body.address,
            contact=body.contact,
        ),
        store=lambda record: record.pk,
        load=_record,
    )
    return _replayed(response, once)


@router.post(
    "/records/{record_id}/end", response=MigrantRecordOut, summary="结束记录（迁走或返回）"
)
def record_end(request: HttpRequest, record_id: PathId, body: MigrantRecordEndIn) -> MigrantRecord:
    actor = api_actor(request)
    record = selectors.record_detail(actor.user, record_id)
    return services.record_end(actor=actor, record=record, ended_on=body.ended_on, note=body.note)


@router.post("/records/{record_id}/visits", response={201: MigrantVisitOut}, summary="核查走访")
def record_visit(request: HttpRequest, record_id: PathId, body: MigrantVisitIn) -> Status[object]:
    actor = api_actor(request)
    record = selectors.record_detail(actor.user, record_id)
    visit = services.record_verify(
        actor=actor,
        record=record,
        visited_on=body.visited_on,
        address=body.address,
        contact=body.contact,
        employer=body.employer,
        complex_=_complex(actor, body.complex_id),
        note=body.note,
    )
    return Status(201, visit)


# ----------------------------------------------------------------------------------- reports


@router.get("/reports", response=list[PartnerReportOut], summary="合作方报告（合作方只见本人所报）")
@paginate(Pages)
def report_list(request: HttpRequest, query: Query[PartnerReportQuery]) -> object:
    actor = api_actor(request)
    require_any(actor, Capability.VIEW_PERSONAL, Capability.REPORT_AS_PARTNER)
    return report_selectors.reports(actor.user, state=query.state)


@router.get("/reports/{report_id}", response=PartnerReportOut, summary="合作方报告详情")
def report_detail(request: HttpRequest, report_id: PathId) -> PartnerReport:
    actor = api_actor(request)
    require_any(actor, Capability.VIEW_PERSONAL, Capability.REPORT_AS_PARTNER)
    return report_selectors.report_detail(actor.user, report_id)


@router.post("/reports", response={201: PartnerReportOut}, summary="合作方报告入住或迁出")
def report_create(request: HttpRequest, body: PartnerReportIn) -> Status[PartnerReport]:
    """The same move sent again returns the first report (no Idempotency-Key needed)."""
    report = report_services.report_submit(
        actor=api_actor(request), data=report_services.ReportData(**body.dict())
    )
    return Status(201, report)


@router.post("/reports/{report_id}/confirm", response=PartnerReportOut, summary="社区确认报告")
def report_confirm(request: HttpRequest, report_id: PathId) -> PartnerReport:
    actor = api_actor(request)
    require(actor, Capability.EDIT_REGISTRY)
    report = report_selectors.report_detail(actor.user, report_id)
    return report_services.report_confirm(actor=actor, report=report)


@router.post("/reports/{report_id}/reject", response=PartnerReportOut, summary="社区退回报告")
def report_reject(
    request: HttpRequest, report_id: PathId, body: PartnerReportRejectIn
) -> PartnerReport:
    actor = api_actor(request)
    require(actor, Capability.EDIT_REGISTRY)
    report = report_selectors.report_detail(actor.user, report_id)
    return report_services.report_reject(actor=actor, report=report, reason=body.reason)
