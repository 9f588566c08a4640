"""Targets API: books and their lines, assessments, meetings and action items.

The same services and selectors as the pages; every path is scoped to the caller.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from jisheng.accounts.models import User
from jisheng.core.api_helpers import Id, PathId, api_actor
from jisheng.core.errors import JishengError
from jisheng.core.indicators import Period
from jisheng.core.lookups import visible_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.targets import selectors, services
from jisheng.targets.models import (
    ActionItem,
    Assessment,
    BookLine,
    Department,
    Meeting,
    TargetBook,
)

router = Router(tags=["targets"])

Year = Annotated[int, Field(ge=2000, le=2100)]
Figure = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]


class LineOut(Schema):
    id: int
    indicator: str
    target: Decimal
    floor: Decimal
    scoring: str
    weight: Decimal
    responsible_id: int | None


class BookOut(Schema):
    id: int
    year: int
    kind: str
    party: str
    community_id: int | None
    cadre_id: int | None
    department_id: int | None
    state: str
    signed_on: dt.date | None
    party_signatory: str
    veto_item_ids: list[int]
    lines: list[LineOut]

    @staticmethod
    def resolve_party(obj: TargetBook) -> str:
        return obj.party_name

    @staticmethod
    def resolve_veto_item_ids(obj: TargetBook) -> list[int]:
        return [item.pk for item in obj.veto_items.all()]

    @staticmethod
    def resolve_lines(obj: TargetBook) -> list[BookLine]:
        return list(obj.lines.all())


class BookIn(Schema):
    year: int  # checked by the service (a 400 with its code)
    kind: Literal["community", "cadre", "department"]
    community_id: Id | None = None
    cadre_id: Id | None = None
    department_id: Id | None = None


class CopyIn(Schema):
    year: int  # checked by the service, after the source book's scope


class LineIn(Schema):
    indicator: str = Field(max_length=64)
    target: Figure
    floor: Figure
    scoring: Literal["linear", "step"]
    weight: Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2)]
    responsible_id: Id | None = None


class SignIn(Schema):
    party_signatory: str = Field(max_length=50)
    signed_on: dt.date


class AssessmentLineOut(Schema):
    indicator: str
    target: Decimal
    floor: Decimal
    scoring: str
    weight: Decimal
    value: Decimal | None
    points: Decimal | None


class AssessmentOut(Schema):
    id: int
    book_id: int
    year: int
    quarter: int
    state: str
    line_points: Decimal
    adjustment_points: Decimal
    vetoed: bool
    total: Decimal
    bonus_coefficient: Decimal | None
    lines: list[AssessmentLineOut]

    @staticmethod
    def resolve_lines(obj: Assessment) -> list[object]:
        return list(obj.lines.all())


class RunIn(Schema):
    quarter: Annotated[int, Field(ge=0, le=4)]


class RankOut(Schema):
    assessment_id: int
    party: str
    total: Decimal
    rank: int


class MeetingOut(Schema):
    id: int
    org_unit_id: int
    kind: str
    date: dt.date
    title: str
    chair_id: int | None
    attendee_ids: list[int]
    other_attendees: str
    topics: str
    decisions: str

    @staticmethod
    def resolve_attendee_ids(obj: Meeting) -> list[int]:
        return [user.pk for user in obj.attendees.all()]


class MeetingIn(Schema):
    kind: Literal["joint", "weekly", "coordination"]
    date: dt.date
    title: str = Field(max_length=200)
    chair_id: Id | None = None
    attendee_ids: list[Id] = Field(default_factory=list, max_length=200)
    other_attendees: str = Field("", max_length=500)
    topics: str = Field("", max_length=5000)
    decisions: str = Field("", max_length=5000)


class ActionItemOut(Schema):
    id: int
    meeting_id: int
    description: str
    owner_id: int
    due_on: dt.date
    status: str
    done_on: dt.date | None


class ActionItemIn(Schema):
    description: str = Field(max_length=300)
    owner_id: Id
    due_on: dt.date


class DoneIn(Schema):
    done_on: dt.date


def _staff(user: User, pk: int | None) -> User | None:
    if pk is None:
        return None
    found = selectors.staff_choices(user).filter(pk=pk).first()
    if found is None:
        raise JishengError("unknown staff member", code="invalid_staff")
    return found


@router.get("/books", response=list[BookOut], summary="目标管理责任书列表")
def book_list(request: HttpRequest, year: Year | None = None) -> list[TargetBook]:
    user = api_actor(request).user
    return list(selectors.books(user, year=year).prefetch_related("lines", "veto_items"))


@router.get("/books/{book_id}", response=BookOut, summary="一份责任书")
def book_detail(request: HttpRequest, book_id: PathId) -> TargetBook:
    return selectors.book_detail(api_actor(request).user, book_id)


@router.post("/books", response={201: BookOut}, summary="起草责任书")
def book_create(request: HttpRequest, payload: BookIn) -> Status[TargetBook]:
    actor = api_actor(request)
    require(actor, Capability.MANAGE_TARGETS)
    community = (
        visible_or_404(selectors.communities(actor.user), user=actor.user, pk=payload.community_id)
        if payload.community_id
        else None
    )
    department = (
        visible_or_404(Department, user=actor.user, pk=payload.department_id)
        if payload.department_id
        else None
    )
    book = services.book_create(
        actor=actor,
        year=payload.year,
        kind=payload.kind,
        community=community,
        cadre=_staff(actor.user, payload.cadre_id),
        department=department,
    )
    return Status(201, book)


@router.post("/books/{book_id}/copy", response={201: BookOut}, summary="复制为新年度责任书")
def book_copy(request: HttpRequest, book_id: PathId, payload: CopyIn) -> Status[TargetBook]:
    actor = api_actor(request)
    source = selectors.book_detail(actor.user, book_id)
    return Status(201, services.book_copy(actor=actor, source=source, year=payload.year))


@router.post("/books/{book_id}/lines", response=LineOut, summary="设置责任书指标（新增或修改）")
def book_line_set(request: HttpRequest, book_id: PathId, payload: LineIn) -> BookLine:
    actor = api_actor(request)
    book = selectors.book_detail(actor.user, book_id)
    return services.book_line_set(
        actor=actor,
        book=book,
        indicator=payload.indicator,
        target=payload.target,
        floor=payload.floor,
        scoring=payload.scoring,
        weight=payload.weight,
        responsible=_staff(actor.user, payload.responsible_id),
    )


@router.delete("/books/{book_id}/lines/{line_id}", response={204: None}, summary="删除指标")
def book_line_remove(request: HttpRequest, book_id: PathId, line_id: PathId) -> Status[None]:
    actor = api_actor(request)
    line = visible_or_404(BookLine.objects.filter(book_id=book_id), user=actor.user, pk=line_id)
    services.book_line_remove(actor=actor, line=line)
    return Status(204, None)


@router.post("/books/{book_id}/sign", response=BookOut, summary="签订责任书")
def book_sign(request: HttpRequest, book_id: PathId, payload: SignIn) -> TargetBook:
    actor = api_actor(request)
    book = selectors.book_detail(actor.user, book_id)
    return services.book_sign(
        actor=actor, book=book, party_signatory=payload.party_signatory, signed_on=payload.signed_on
    )


@router.post(
    "/books/{book_id}/assessments", response=AssessmentOut, summary="计算考核（季度或年度）"
)
def assessment_run(request: HttpRequest, book_id: PathId, payload: RunIn) -> Assessment:
    actor = api_actor(request)
    book = selectors.book_detail(actor.user, book_id)
    return services.assessment_run(
        actor=actor, book=book, period=Period(book.year, payload.quarter or None)
    )


@router.get("/assessments/{assessment_id}", response=AssessmentOut, summary="一次考核")
def assessment_detail(request: HttpRequest, assessment_id: PathId) -> Assessment:
    return selectors.assessment_detail(api_actor(request).user, assessment_id)


@router.post(
    "/assessments/{assessment_id}/approve", response=AssessmentOut, summary="审批并冻结考核"
)
def assessment_approve(request: HttpRequest, assessment_id: PathId) -> Assessment:
    actor = api_actor(request)
    assessment = selectors.assessment_detail(actor.user, assessment_id)
    return services.assessment_approve(actor=actor, assessment=assessment)


@router.get("/ranking", response=list[RankOut], summary="考核排名（社居只见本社居）")
def ranking(
    request: HttpRequest,
    year: Year,
    quarter: Annotated[int, Field(ge=0, le=4)] = 0,
    kind: Literal["community", "cadre", "department"] = "community",
) -> list[dict[str, object]]:
    user = api_actor(request).user
    require(user, Capability.VIEW_TARGETS)
    rows = selectors.ranking(user, period=Period(year, quarter or None), kind=kind)
    return [
        {
            "assessment_id": row.assessment.pk,
            "party": row.assessment.book.party_name,
            "total": row.assessment.total,
            "rank": row.rank,
        }
        for row in rows
    ]


@router.get("/meetings", response=list[MeetingOut], summary="会议列表")
def meeting_list(request: HttpRequest) -> list[Meeting]:
    user = api_actor(request).user
    require(user, Capability.VIEW_TARGETS)
    return list(selectors.meetings(user).prefetch_related("attendees")[:500])


@router.post("/meetings", response={201: MeetingOut}, summary="记录会议")
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Status[Meeting]:
    actor = api_actor(request)
    attendees = [_staff(actor.user, pk) for pk in payload.attendee_ids]
    meeting = services.meeting_create(
        actor=actor,
        kind=payload.kind,
        date=payload.date,
        title=payload.title,
        chair=_staff(actor.user, payload.chair_id),
        attendees=[a for a in attendees if a is not None],
        other_attendees=payload.other_attendees,
        topics=payload.topics,
        decisions=payload.decisions,
    )
    return Status(201, meeting)


@router.get("/meetings/{meeting_id}/action-items", response=list[ActionItemOut], summary="会议任务")
def action_item_list(request: HttpRequest, meeting_id: PathId) -> list[ActionItem]:
    user = api_actor(request).user
    require(user, Capability.VIEW_TARGETS)
    return list(selectors.meeting_detail(user, meeting_id).action_items.all())


@router.post(
    "/meetings/{meeting_id}/action-items", response={201: ActionItemOut}, summary="布置任务"
)
def action_item_add(
    request: HttpRequest, meeting_id: PathId, payload: ActionItemIn
) -> Status[ActionItem]:
    actor = api_actor(request)
    meeting = selectors.meeting_detail(actor.user, meeting_id)
    owner = _staff(actor.user, payload.owner_id)
    assert owner is not None  # noqa: S101 - owner_id is required by the schema
    item = services.action_item_add(
        actor=actor,
        meeting=meeting,
        description=payload.description,
        owner=owner,
        due_on=payload.due_on,
    )
    return Status(201, item)


@router.post("/action-items/{item_id}/done", response=ActionItemOut, summary="任务完成")
def action_item_done(request: HttpRequest, item_id: PathId, payload: DoneIn) -> ActionItem:
    actor = api_actor(request)
    item = selectors.action_item_for(actor.user, item_id)
    return services.action_item_done(actor=actor, item=item, done_on=payload.done_on)
