"""Writing the audit trail. Services call :func:`record` inside their own transaction,
so an action whose audit row cannot be written does not happen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from jisheng.accounts.roles import Capability
from jisheng.audit.chain import chain_append
from jisheng.audit.models import AuditEvent
from jisheng.audit.selectors import audit_search
from jisheng.audit.tasks import audit_export
from jisheng.core.errors import Forbidden
from jisheng.core.models import TaskProgress
from jisheng.core.progress import progress_create

if TYPE_CHECKING:
    from jisheng.accounts.models import User

Action = AuditEvent.Action
Result = AuditEvent.Result


@dataclass(frozen=True)
class Actor:
    """Who is acting, and from where: passed from views, API and CLI into services."""

    user: User
    ip: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        from jisheng.accounts.decorators import request_user  # accounts imports this module

        return cls(user=request_user(request), ip=client_ip(request))


def client_ip(request: HttpRequest) -> str | None:
    """The peer address. Behind a proxy, set the proxy to pass REMOTE_ADDR through."""
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: str,
    actor: Actor | None = None,
    username: str = "",
    ip: str | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    result: str = Result.SUCCESS,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the hash chain. Never pass personal data in ``detail``: IDs and
    counts only."""
    user = actor.user if actor is not None else None
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = obj.pk
    return chain_append(
        at=timezone.now(),
        user_id=user.pk if user is not None else None,
        username=user.username if user is not None else username,
        roles=",".join(sorted(user.role_set)) if user is not None else "",
        ip=_stored_ip(actor.ip if actor is not None else ip),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        result=result,
        detail=detail or {},
    )


def _stored_ip(ip: str | None) -> str | None:
    # The form the database gives back (IPv6 compressed, lower case), so the entry's hash
    # is computed over the value that will be read; an unparsable peer is not recorded.
    try:
        return AuditEvent._meta.get_field("ip").to_python(ip) or None
    except ValidationError:
        return None


def audit_search_recorded(*, actor: Actor, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The auditor's search, itself written to the trail (pages and API alike)."""
    with transaction.atomic():
        events = audit_search(actor=actor.user, filters=filters)
        record(
            action=Action.SEARCH,
            actor=actor,
            object_type="audit.auditevent",
            detail={"filters": {k: str(v) for k, v in filters.items()}},
        )
    return events


def audit_export_start(*, actor: Actor, filters: dict[str, Any]) -> TaskProgress:
    """Queue a CSV export of the filtered trail; the export itself is audited."""
    if not actor.user.has_capability(Capability.VIEW_AUDIT):
        raise Forbidden()
    encoded = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in filters.items()}
    with transaction.atomic():
        progress = progress_create(owner_id=actor.user.pk, kind="audit_export")
        record(
            action=Action.EXPORT,
            actor=actor,
            object_type="audit.auditevent",
            detail={"filters": encoded},
        )
        transaction.on_commit(
            lambda: audit_export.enqueue(
                progress_id=progress.pk, actor_id=actor.user.pk, filters=encoded
            )
        )
    return progress
