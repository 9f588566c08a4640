import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from jisheng.accounts.decorators import request_user
from jisheng.audit.services import Actor, client_ip
from jisheng.registry import selectors
from jisheng.registry.models import Person

router = Router(tags=["registry"])


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request_user(request), ip=client_ip(request))


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


class PersonDetail(PersonListItem):
    id_number: str | None
    phone: str | None
    address: str
    hukou_type: str
    hukou_division: str
    marital_status: str


class PersonQuery(Schema):
    name: str = ""
    id_number: str = ""
    community_id: int | None = None
    status: str = ""


@router.get("/persons", response=list[PersonListItem], summary="居民列表")
@paginate(PageNumberPagination)
def person_list(request: HttpRequest, query: Query[PersonQuery]) -> object:
    actor = _actor(request)
    filters = selectors.PersonFilters(**query.dict())
    with transaction.atomic():
        selectors.person_search_record(actor=actor, filters=filters)
    return selectors.person_list(user=actor.user, filters=filters)


@router.get("/persons/{person_id}", response=PersonDetail, summary="居民详情")
def person_detail(request: HttpRequest, person_id: int) -> Person:
    return selectors.person_detail(actor=_actor(request), person_id=person_id)
