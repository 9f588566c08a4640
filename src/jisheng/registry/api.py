import datetime as dt
from typing import Annotated, Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.core.actors import Actor, request_user
from jisheng.core.api_helpers import Id, Pages, PathId, api_actor, required
from jisheng.core.errors import JishengError
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.registry import selectors
from jisheng.registry.models import DuplicateFlag, Household, LifeEvent, Marriage, Person
from jisheng.registry.services import duplicates, events
from jisheng.registry.services.persons import PersonData

router = Router(tags=["registry"])


class PersonListItem(Schema):
    id: int
    name: str
    sex: str
    birth_date: dt.date
    id_number_masked: str
    community_code: str
    status: str
    is_floating: bool

    @staticmethod
    def resolve_community_code(obj: Person) -> str:
        return obj.community.code


class EventOut(Schema):
    id: int
    kind: str
    date: dt.date
    person_id: int
    other_person_id: int | None
    note: str
    data: dict[str, Any]
    reverses_id: int | None
    recorded_at: dt.datetime


class PersonDetail(PersonListItem):
    id_number: str | None
    phone: str | None
    address: str
    hukou_type: str
    hukou_division: str
    marital_status: str
    ethnicity: str
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj: Person, context: dict[str, Any]) -> list[LifeEvent]:
        return list(selectors.person_timeline(request_user(context["request"]), obj))


class PersonQuery(Schema):
    name: str = Field("", description="姓名开头，或拼音首字母（如 zsm）")
    id_number: str = ""
    household: str = ""
    address: str = ""
    community_id: Id | None = None
    age_min: int | None = Field(None, ge=0, le=150)
    age_max: int | None = Field(None, ge=0, le=150)
    status: str = ""


Text200 = Annotated[str, Field(max_length=200)]
RelationCode = Literal["02", "10", "20", "30", "40", "50", "99"]


class PersonIn(Schema):
    name: str = Field(max_length=50)
    sex: Literal["M", "F"]
    birth_date: dt.date
    id_number: str = Field("", max_length=20)
    phone: str = Field("", max_length=20)
    ethnicity: str = Field("01", max_length=2)
    hukou_type: Literal["urban", "rural"] = "urban"
    hukou_division: str = Field("", max_length=12)
    is_floating: bool = False
    address: Text200 = ""
    marital_status: Literal["10", "20", "30", "40", "90"] = "10"

    def to_data(self) -> PersonData:
        return PersonData(**self.dict())


class PersonCreate(PersonIn):
    community_id: Id
    household_id: Id | None = None
    relation: RelationCode = "02"
    date: dt.date | None = None


class HouseholdOut(Schema):
    id: int
    number: str
    address: str
    community_id: int
    head_id: int | None


class MemberOut(Schema):
    person_id: int
    name: str
    relation: str
    start_date: dt.date
    end_date: dt.date | None

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.person.name)


class HouseholdDetail(HouseholdOut):
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj: Household) -> list[Any]:
        return list(selectors.household_members(obj))


class CorrectionIn(Schema):
    """Facts to correct; only the fields sent are changed."""

    name: str | None = Field(None, max_length=50)
    sex: Literal["M", "F"] | None = None
    birth_date: dt.date | None = None
    id_number: str | None = Field(None, max_length=20)
    phone: str | None = Field(None, max_length=20)
    ethnicity: str | None = Field(None, max_length=2)
    hukou_type: Literal["urban", "rural"] | None = None
    hukou_division: str | None = Field(None, max_length=12)
    address: str | None = Field(None, max_length=200)
    is_floating: bool | None = None


class EventIn(Schema):
    """A life event. Which fields are needed depends on ``kind``; see the docs page."""

    kind: Literal[
        "birth",
        "death",
        "move_in",
        "move_out",
        "marriage",
        "divorce",
        "household_change",
        "correction",
        "reversal",
    ]
    date: dt.date
    person_id: Id | None = Field(
        None, description="主体：死亡/迁出/户变更/更正的居民；出生时为母亲"
    )
    other_person_id: Id | None = Field(
        None, description="出生时为父亲；结婚时为妻子（person_id 为丈夫）"
    )
    community_id: Id | None = Field(None, description="迁入的社居")
    household_id: Id | None = None
    marriage_id: Id | None = None
    event_id: Id | None = Field(None, description="撤销（reversal）的事件")
    relation: RelationCode = "02"
    address: Text200 = ""
    destination: Text200 = ""
    origin: Text200 = ""
    note: Text200 = ""
    reason: Text200 = ""
    person: PersonIn | None = Field(None, description="出生的子女，或新迁入的居民")
    changes: CorrectionIn | None = Field(None, description="更正的字段（只传要改的）")


def _person(actor: Actor, pk: int | None) -> Person:
    return visible_or_404(Person, user=actor.user, pk=required(pk, "person_id"))


def _optional[M](actor: Actor, model: type[M], pk: int | None) -> M | None:
    return None if pk is None else visible_or_404(model, user=actor.user, pk=pk)  # type: ignore[type-var]


def _community(actor: Actor, pk: int | None) -> OrgUnit:
    return visible_or_404(OrgUnit, user=actor.user, pk=required(pk, "community_id"))


def _event(actor: Actor, body: EventIn) -> LifeEvent:
    """Translate the request into exactly one service call."""
    match body.kind:
        case "birth":
            if body.person is None:
                raise JishengError("出生登记需要 person（子女信息）", code="invalid_input")
            return events.birth_record(
                actor=actor,
                mother=_person(actor, body.person_id),
                child=body.person.to_data(),
                father=_optional(actor, Person, body.other_person_id),
                household=_optional(actor, Household, body.household_id),
            )
        case "death":
            return events.death_record(
                actor=actor, person=_person(actor, body.person_id), date=body.date, note=body.note
            )
        case "move_out":
            return events.move_out_record(
                actor=actor,
                person=_person(actor, body.person_id),
                date=body.date,
                destination=body.destination,
                note=body.note,
            )
        case "move_in":
            return events.move_in_record(
                actor=actor,
                community=_community(actor, body.community_id),
                date=body.date,
                person=_optional(actor, Person, body.person_id),
                data=body.person.to_data() if body.person else None,
                address=body.address,
                household=_optional(actor, Household, body.household_id),
                relation=body.relation,
                origin=body.origin,
            )
        case "marriage":
            return events.marriage_record(
                actor=actor,
                husband=_person(actor, body.person_id),
                wife=_person(actor, body.other_person_id),
                date=body.date,
            )
        case "divorce":
            marriage = _optional(actor, Marriage, body.marriage_id)
            if marriage is None:
                raise JishengError("离婚登记需要 marriage_id", code="invalid_input")
            return events.divorce_record(actor=actor, marriage=marriage, date=body.date)
        case "household_change":
            return events.household_change_record(
                actor=actor,
                person=_person(actor, body.person_id),
                date=body.date,
                household=_optional(actor, Household, body.household_id),
                address=body.address,
                relation=body.relation,
            )
        case "correction":
            return events.person_correct(
                actor=actor,
                person=_person(actor, body.person_id),
                changes=body.changes.dict(exclude_unset=True) if body.changes else {},
                reason=body.reason,
                date=body.date,
            )
        case "reversal":
            target = _optional(actor, LifeEvent, body.event_id)
            if target is None:
                raise JishengError("撤销需要 event_id", code="invalid_input")
            return events.event_reverse(
                actor=actor, event=target, reason=body.reason, date=body.date
            )


@router.get("/persons", response=list[PersonListItem], summary="居民列表")
@paginate(Pages)
def person_list(request: HttpRequest, query: Query[PersonQuery]) -> object:
    actor = api_actor(request)
    filters = selectors.PersonFilters(**query.dict())
    with transaction.atomic():
        selectors.person_search_record(actor=actor, filters=filters)
    return selectors.person_search(user=actor.user, filters=filters)


@router.post("/persons", response={201: PersonDetail}, summary="登记居民（建档）")
def person_create(request: HttpRequest, body: PersonCreate) -> Status[Person]:
    actor = api_actor(request)
    event = events.registration_record(
        actor=actor,
        community=_community(actor, body.community_id),
        data=PersonIn(**body.dict(include=set(PersonIn.model_fields))).to_data(),
        date=body.date or timezone.localdate(),
        household=_optional(actor, Household, body.household_id),
        relation=body.relation,
    )
    return Status(201, event.person)


@router.get("/persons/{person_id}", response=PersonDetail, summary="居民详情（含生活事件）")
def person_detail(request: HttpRequest, person_id: PathId) -> Person:
    return selectors.person_detail(actor=api_actor(request), person_id=person_id)


@router.get("/households", response=list[HouseholdOut], summary="户列表")
@paginate(Pages)
def household_list(request: HttpRequest) -> object:
    return selectors.household_list(user=request_user(request))


@router.get("/households/{household_id}", response=HouseholdDetail, summary="户详情")
def household_detail(request: HttpRequest, household_id: PathId) -> Household:
    return selectors.household_detail(actor=api_actor(request), household_id=household_id)


@router.post("/events", response={201: EventOut}, summary="登记生活事件")
def event_create(request: HttpRequest, body: EventIn) -> Status[LifeEvent]:
    return Status(201, _event(api_actor(request), body))


class DuplicatePersonOut(Schema):
    id: int
    name: str
    sex: str
    birth_date: dt.date
    id_number_masked: str
    community_code: str
    status: str

    @staticmethod
    def resolve_community_code(obj: Person) -> str:
        return obj.community.code


class DuplicateFlagOut(Schema):
    id: int
    reason: str
    state: str
    person: DuplicatePersonOut
    candidate: DuplicatePersonOut
    created_at: dt.datetime


class MergeIn(Schema):
    keep_id: Id = Field(description="保留的记录：person 或 candidate 的 id")


@router.get("/duplicates", response=list[DuplicateFlagOut], summary="疑似重复记录（待处理）")
@paginate(Pages)
def duplicate_list(request: HttpRequest) -> object:
    actor = api_actor(request)
    require(actor, Capability.EDIT_REGISTRY)  # as the page: deciding flags is registry work
    return selectors.duplicate_flags(user=actor.user)


@router.post("/duplicates/{flag_id}/dismiss", response=DuplicateFlagOut, summary="确认不是同一人")
def duplicate_dismiss(request: HttpRequest, flag_id: PathId) -> DuplicateFlag:
    flag = duplicates.duplicate_dismiss(actor=api_actor(request), flag_id=flag_id)
    return selectors.duplicate_flag(user=request_user(request), flag_id=flag.pk)


@router.post("/duplicates/{flag_id}/merge", response=PersonDetail, summary="合并为一条记录")
def duplicate_merge(request: HttpRequest, flag_id: PathId, body: MergeIn) -> Person:
    actor = api_actor(request)
    kept = duplicates.duplicate_merge(actor=actor, flag_id=flag_id, keep_id=body.keep_id)
    return selectors.person_detail(actor=actor, person_id=kept.pk)
