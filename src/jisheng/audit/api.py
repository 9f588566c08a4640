import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from jisheng.audit import services
from jisheng.core.actors import Actor
from jisheng.core.api_helpers import Pages

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    username: str
    roles: str
    ip: str | None
    action: str
    object_type: str
    object_id: str
    result: str


class AuditQuery(Schema):
    username: str = ""
    action: str = ""
    result: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@router.get("/audit/events", response=list[AuditEventOut], summary="审计日志（仅安全审计员）")
@paginate(Pages)
def audit_events(request: HttpRequest, query: Query[AuditQuery]) -> object:
    filters = {k: v for k, v in query.dict().items() if v}
    actor = Actor.from_request(request)
    events = services.audit_search_recorded(actor=actor, filters=filters)
    return events
