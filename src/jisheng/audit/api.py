import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from jisheng.accounts.decorators import request_user
from jisheng.audit import services
from jisheng.audit.selectors import audit_search

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
@paginate(PageNumberPagination)
def audit_events(request: HttpRequest, query: Query[AuditQuery]) -> object:
    user = request_user(request)
    filters = {k: v for k, v in query.dict().items() if v}
    with transaction.atomic():
        events = audit_search(actor=user, filters=filters)
        services.record(
            action=services.Action.SEARCH,
            actor=services.Actor(user=user, ip=services.client_ip(request)),
            object_type="audit.auditevent",
            detail={"filters": {k: str(v) for k, v in filters.items()}},
        )
    return events
