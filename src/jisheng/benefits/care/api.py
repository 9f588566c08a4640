"""API of visits and certifications (mounted by ``benefits.api``).

Writes call the same services as the pages.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.functions import Query as QueryParam

from jisheng.benefits.care import selectors, services
from jisheng.benefits.models import Certification, Visit
from jisheng.benefits.selectors import program_by_id
from jisheng.core.actors import request_user
from jisheng.core.api_helpers import Id, Pages, PathId, api_actor
from jisheng.core.lookups import visible_or_404
from jisheng.registry.models import Household

router = Router(tags=["benefits: care"])


# ------------------------------------------------------------------------------- visits


class VisitOut(Schema):
    id: int
    program_id: int
    program: str
    community_id: int
    person_id: int
    person_name: str
    household_id: int | None
    date: dt.date
    visitors: str
    given: str
    cost: Decimal
    note: str
    photo_count: int
    recorded_at: dt.datetime

    @staticmethod
    def resolve_program(obj: Visit) -> str:
        return obj.program.name

    @staticmethod
    def resolve_person_name(obj: Visit) -> str:
        return obj.person.name

    @staticmethod
    def resolve_photo_count(obj: Visit) -> int:
        count = getattr(obj, "photo_count", None)
        return count if count is not None else obj.photos.count()


class VisitQuery(Schema):
    program_id: Id | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    community_id: Id | None = None


class VisitIn(Schema):
    program_id: Id
    person_id: Id
    household_id: Id | None = Field(None, description="走访的户（须为该居民所在的户）")
    date: dt.date
    visitors: str = Field(max_length=200, description="走访人")
    given: str = Field("", max_length=300, description="慰问金或慰问品")
    cost: Decimal = Field(Decimal("0.00"), ge=0, max_digits=12, decimal_places=2)
    note: str = Field("", max_length=2000)


class SpendingOut(Schema):
    community_id: int
    community: str
    visits: int
    families: int
    cost: Decimal


@router.get("/visits", response=list[VisitOut], summary="走访慰问列表")
@paginate(Pages)
def visit_list(request: HttpRequest, query: Query[VisitQuery]) -> Any:
    actor = api_actor(request)
    filters = selectors.VisitFilters(**query.dict())
    selectors.list_view_record(actor=actor, model=Visit, filters=filters)
    return selectors.visit_list(actor.user, filters)


@router.post("/visits", response={201: VisitOut}, summary="登记走访慰问")
def visit_create(request: HttpRequest, body: VisitIn) -> Status[Visit]:
    actor = api_actor(request)
    household = (
        None
        if body.household_id is None
        else visible_or_404(Household, user=actor.user, pk=body.household_id)
    )
    visit = services.visit_record(
        actor=actor,
        program=program_by_id(actor.user, body.program_id),
        person=selectors.resident_for(actor.user, person_id=body.person_id),
        household=household,
        date=body.date,
        visitors=body.visitors,
        given=body.given,
        cost=body.cost,
        note=body.note,
    )
    return Status(201, visit)


@router.get(
    "/visits/spending",
    response=list[SpendingOut],
    summary="救助项目支出（按社居汇总走访次数、户数、金额）",
)
def visit_spending(
    request: HttpRequest, program_id: Id, year: Annotated[int, QueryParam(ge=2000, le=2100)]
) -> list[Any]:
    user = request_user(request)
    return selectors.relief_spending(user, program_by_id(user, program_id), year)


@router.get("/visits/{visit_id}", response=VisitOut, summary="走访详情")
def visit_detail(request: HttpRequest, visit_id: PathId) -> Visit:
    return selectors.visit_detail(actor=api_actor(request), visit_id=visit_id)


# ------------------------------------------------------------------------------- certifications


class CertificationOut(Schema):
    id: int
    number: str
    program_id: int
    program: str
    person_id: int
    person_name: str
    community_id: int
    purpose: str
    details: str
    issued_on: dt.date
    status: str
    revoked_reason: str

    @staticmethod
    def resolve_program(obj: Certification) -> str:
        return obj.program.name

    @staticmethod
    def resolve_person_name(obj: Certification) -> str:
        return obj.person.name


class CertificationIn(Schema):
    program_id: Id
    person_id: Id
    purpose: str = Field(max_length=200)
    details: str = Field("", max_length=2000)
    issued_on: dt.date | None = None


class CertificationQuery(Schema):
    program_id: Id | None = None
    status: Literal["valid", "revoked", ""] = ""
    community_id: Id | None = None
    year: int | None = Field(None, ge=2000, le=2100)


class VerifyQuery(Schema):
    number: str = Field(max_length=40, description="证明上的核验编号，如 JS-2026-7KQ4M2XA")


class VerificationOut(Schema):
    number: str
    result: Literal["valid", "revoked", "not_found"]
    certification: CertificationOut | None


@router.get("/certifications", response=list[CertificationOut], summary="证明列表")
@paginate(Pages)
def certification_list(request: HttpRequest, query: Query[CertificationQuery]) -> Any:
    actor = api_actor(request)
    filters = selectors.CertificationFilters(**query.dict())
    selectors.list_view_record(actor=actor, model=Certification, filters=filters)
    return selectors.certification_list(actor.user, filters)


@router.post("/certifications", response={201: CertificationOut}, summary="出具证明")
def certification_create(request: HttpRequest, body: CertificationIn) -> Status[Certification]:
    actor = api_actor(request)
    certification = services.certification_issue(
        actor=actor,
        program=program_by_id(actor.user, body.program_id),
        person=selectors.resident_for(actor.user, person_id=body.person_id),
        purpose=body.purpose,
        details=body.details,
        issued_on=body.issued_on,
    )
    return Status(201, certification)


@router.get(
    "/certifications/verify",
    response=VerificationOut,
    summary="核验证明编号（本辖区内：有效 / 已撤销 / 未找到）",
)
def certification_verify(request: HttpRequest, query: Query[VerifyQuery]) -> selectors.Verification:
    return selectors.certification_verify(actor=api_actor(request), number=query.number)


@router.get("/certifications/{certification_id}", response=CertificationOut, summary="证明详情")
def certification_detail(request: HttpRequest, certification_id: PathId) -> Certification:
    return selectors.certification_detail(
        actor=api_actor(request), certification_id=certification_id
    )
