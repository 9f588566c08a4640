"""Governance API: B-ultrasound devices and their inspections, pharmacies and dispensings.

The same services and selectors as the pages; every path is scoped to the caller.
"""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.accounts.models import User
from jisheng.core.api_helpers import Id, Pages, PathId, api_actor
from jisheng.core.lookups import visible_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.governance.models import Dispensing, Inspection, Outlet, UltrasoundDevice
from jisheng.governance.selectors import supervision as selectors
from jisheng.governance.services import supervision as services

router = Router(tags=["governance: supervision"])

Text100 = Annotated[str, Field(max_length=100)]
Text200 = Annotated[str, Field(max_length=200)]


class UltrasoundDeviceOut(Schema):
    id: int
    unit_id: int = Field(alias="org_unit_id")
    institution: str
    model_name: str
    serial_number: str
    location: str
    licence: str
    status: str
    last_inspected: dt.date | None = None


class UltrasoundDeviceIn(Schema):
    unit_id: Id
    institution: Text100
    model_name: Text100
    serial_number: Annotated[str, Field(max_length=64)]
    location: Text200
    licence: Annotated[str, Field(max_length=64)] = ""


class InspectionOut(Schema):
    id: int
    device_id: int
    date: dt.date
    inspectors: str
    findings: str
    rectification_due: dt.date | None
    rectified_on: dt.date | None


class InspectionIn(Schema):
    date: dt.date
    inspectors: Text200
    findings: Annotated[str, Field(max_length=5000)] = ""
    rectification_due: dt.date | None = None


class OutletOut(Schema):
    id: int
    unit_id: int = Field(alias="org_unit_id")
    kind: str
    name: str
    licence: str
    address: str


class OutletIn(Schema):
    unit_id: Id
    kind: Annotated[str, Field(max_length=16)]
    name: Text100
    licence: Annotated[str, Field(max_length=64)] = ""
    address: Text200 = ""


class DispensingOut(Schema):
    id: int
    outlet_id: int
    dispensed_on: dt.date
    drug: str
    quantity: int
    buyer_name: str
    buyer_id_masked: str
    prescriber: str
    prescription_ref: str


class DispensingIn(Schema):
    dispensed_on: dt.date
    drug: Text100
    quantity: Annotated[int, Field(ge=1, le=1000)]
    buyer_name: Annotated[str, Field(max_length=50)]
    buyer_id_number: Annotated[str, Field(max_length=18)]
    prescriber: Annotated[str, Field(max_length=50)] = ""
    prescription_ref: Annotated[str, Field(max_length=64)] = ""


class DispensingReviewOut(Schema):
    dispensing: DispensingOut
    reasons: list[str]


def _viewer(request: HttpRequest) -> User:
    actor = api_actor(request)
    require(actor, Capability.VIEW_SUPERVISION)
    return actor.user


@router.get("/devices", response=list[UltrasoundDeviceOut], summary="B超设备列表")
@paginate(Pages)
def device_list(request: HttpRequest) -> list[UltrasoundDevice]:
    return selectors.devices(_viewer(request))  # type: ignore[return-value]


@router.get("/devices/overdue", response=list[UltrasoundDeviceOut], summary="逾期未检查的B超设备")
def device_overdue(request: HttpRequest) -> list[UltrasoundDevice]:
    return list(selectors.overdue_devices(_viewer(request), today=timezone.localdate()))


@router.get("/devices/{device_id}", response=UltrasoundDeviceOut, summary="一台B超设备")
def device_detail(request: HttpRequest, device_id: PathId) -> UltrasoundDevice:
    return selectors.device_detail(_viewer(request), device_id)


@router.post("/devices", response={201: UltrasoundDeviceOut}, summary="登记B超设备")
def device_register(request: HttpRequest, payload: UltrasoundDeviceIn) -> Status[UltrasoundDevice]:
    actor = api_actor(request)
    require(actor, Capability.MANAGE_SUPERVISION)
    unit = visible_or_404(selectors.managed_units(actor.user), user=actor.user, pk=payload.unit_id)
    data = payload.dict(exclude={"unit_id"})
    device = services.device_register(actor=actor, unit=unit, **data)
    return Status(201, selectors.device_detail(actor.user, device.pk))


@router.get(
    "/devices/{device_id}/inspections", response=list[InspectionOut], summary="设备检查记录"
)
def inspection_list(request: HttpRequest, device_id: PathId) -> list[Inspection]:
    user = _viewer(request)
    return list(selectors.device_inspections(user, selectors.device_detail(user, device_id)))


@router.post(
    "/devices/{device_id}/inspections", response={201: InspectionOut}, summary="记录设备检查"
)
def inspection_record(
    request: HttpRequest, device_id: PathId, payload: InspectionIn
) -> Status[Inspection]:
    actor = api_actor(request)
    return Status(
        201, services.inspection_record(actor=actor, device_id=device_id, **payload.dict())
    )


@router.get("/outlets", response=list[OutletOut], summary="药店和诊所")
@paginate(Pages)
def outlet_list(request: HttpRequest) -> list[Outlet]:
    return selectors.outlets(_viewer(request))  # type: ignore[return-value]


@router.post("/outlets", response={201: OutletOut}, summary="登记药店或诊所")
def outlet_register(request: HttpRequest, payload: OutletIn) -> Status[Outlet]:
    actor = api_actor(request)
    require(actor, Capability.MANAGE_SUPERVISION)
    unit = visible_or_404(selectors.managed_units(actor.user), user=actor.user, pk=payload.unit_id)
    return Status(
        201, services.outlet_register(actor=actor, unit=unit, **payload.dict(exclude={"unit_id"}))
    )


@router.get("/dispensings", response=list[DispensingOut], summary="流引产药物实名登记")
@paginate(Pages)
def dispensing_list(request: HttpRequest, outlet_id: Id | None = None) -> list[Dispensing]:
    user = _viewer(request)
    outlet = selectors.outlet_detail(user, outlet_id) if outlet_id else None
    return selectors.dispensings(user, outlet=outlet)  # type: ignore[return-value]


@router.get("/dispensings/review", response=list[DispensingReviewOut], summary="需核查的售药记录")
def dispensing_review(request: HttpRequest) -> list[selectors.ReviewEntry]:
    return selectors.review_list(_viewer(request))


@router.get("/dispensings/{dispensing_id}", response=DispensingOut, summary="一条售药记录")
def dispensing_detail(request: HttpRequest, dispensing_id: PathId) -> Dispensing:
    return selectors.dispensing_detail(_viewer(request), dispensing_id)


@router.post(
    "/outlets/{outlet_id}/dispensings", response={201: DispensingOut}, summary="登记一次售药"
)
def dispensing_record(
    request: HttpRequest, outlet_id: PathId, payload: DispensingIn
) -> Status[Dispensing]:
    actor = api_actor(request)
    return Status(
        201, services.dispensing_record(actor=actor, outlet_id=outlet_id, **payload.dict())
    )
