"""Governance API: 两非 case files. Case officers and leaders only; every read of one case
is audited; who reported a clue is told only to that reporter (``reported_by_me``)."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.core.actors import Actor
from jisheng.core.api_helpers import Id, Pages, PathId, api_actor
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.governance.models import Case, CaseStage
from jisheng.governance.selectors import cases as selectors
from jisheng.governance.services import cases as services

router = Router(tags=["governance: cases"])

Text = Annotated[str, Field(max_length=5000)]


class CaseFileOut(Schema):
    id: int
    number: str
    street_id: int
    source: str
    summary: str
    received_on: dt.date
    stage: str
    due_on: dt.date
    overdue: bool
    reported_by_me: bool
    source_reference: str
    dispensing_id: int | None
    inspection_id: int | None
    investigation_started_on: dt.date | None
    findings: str
    transfer_to: str
    receiving_unit: str
    transfer_reference: str
    transferred_on: dt.date | None
    closed_on: dt.date | None
    result: str
    result_text: str


class CaseFileIn(Schema):
    source: Annotated[str, Field(max_length=24)]
    summary: Text
    received_on: dt.date
    informant: Annotated[str, Field(max_length=500)] = ""
    source_reference: Annotated[str, Field(max_length=100)] = ""
    dispensing_id: Id | None = None
    inspection_id: Id | None = None
    due_on: dt.date | None = None


class CaseInvestigateIn(Schema):
    started_on: dt.date
    due_on: dt.date | None = None


class CaseTransferIn(Schema):
    transfer_to: Annotated[str, Field(max_length=16)]
    receiving_unit: Annotated[str, Field(max_length=100)]
    reference: Annotated[str, Field(max_length=64)]
    transferred_on: dt.date
    findings: Text = ""
    due_on: dt.date | None = None


class CaseCloseIn(Schema):
    closed_on: dt.date
    result: Annotated[str, Field(max_length=24)]
    result_text: Text
    findings: Text = ""


def _out(case: Case, actor: Actor) -> dict[str, Any]:
    fields = {name: getattr(case, name) for name in CaseFileOut.model_fields if hasattr(case, name)}
    fields["overdue"] = selectors.is_overdue(case, timezone.localdate())
    fields["reported_by_me"] = case.reported_by_id == actor.user.pk
    return fields


def _reader(request: HttpRequest) -> Actor:
    actor = api_actor(request)
    require(actor, Capability.VIEW_CASES)
    return actor


@router.get("/cases", response=list[CaseFileOut], summary="两非案件列表")
@paginate(Pages)
def case_list(
    request: HttpRequest, stage: CaseStage | None = None, overdue: bool = False
) -> list[dict[str, Any]]:
    actor = _reader(request)
    found = selectors.cases(
        actor.user,
        stage=stage or "",
        overdue_on=timezone.localdate() if overdue else None,
    )
    shown = list(found)
    selectors.cases_listed(actor, shown)
    return [_out(case, actor) for case in shown]


@router.get("/cases/{case_id}", response=CaseFileOut, summary="一份两非案卷（留痕）")
def case_detail(request: HttpRequest, case_id: PathId) -> dict[str, Any]:
    actor = _reader(request)
    return _out(selectors.case_read(actor, case_id), actor)


@router.post("/cases", response={201: CaseFileOut}, summary="登记线索")
def case_open(request: HttpRequest, payload: CaseFileIn) -> Status[dict[str, Any]]:
    actor = api_actor(request)
    return Status(201, _out(services.case_open(actor=actor, **payload.dict()), actor))


@router.post("/cases/{case_id}/investigate", response=CaseFileOut, summary="开始调查")
def case_investigate(
    request: HttpRequest, case_id: PathId, payload: CaseInvestigateIn
) -> dict[str, Any]:
    actor = api_actor(request)
    return _out(services.case_investigate(actor=actor, case_id=case_id, **payload.dict()), actor)


@router.post("/cases/{case_id}/transfer", response=CaseFileOut, summary="移送卫生或公安处理")
def case_transfer(request: HttpRequest, case_id: PathId, payload: CaseTransferIn) -> dict[str, Any]:
    actor = api_actor(request)
    return _out(services.case_transfer(actor=actor, case_id=case_id, **payload.dict()), actor)


@router.post("/cases/{case_id}/close", response=CaseFileOut, summary="结案")
def case_close(request: HttpRequest, case_id: PathId, payload: CaseCloseIn) -> dict[str, Any]:
    actor = api_actor(request)
    return _out(services.case_close(actor=actor, case_id=case_id, **payload.dict()), actor)
