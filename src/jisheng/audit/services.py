"""Writing the audit trail. Services call :func:`record` inside their own transaction,
so an action whose audit row cannot be written does not happen."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from jisheng.audit.models import AuditEvent
from jisheng.audit.selectors import audit_search
from jisheng.audit.tasks import audit_export
from jisheng.core.actors import Actor
from jisheng.core.models import TaskProgress
from jisheng.core.permissions import require
from jisheng.core.progress import progress_create
from jisheng.core.roles import Capability

Action = AuditEvent.Action
Result = AuditEvent.Result


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
    """Append one event. Never pass personal data in ``detail``: IDs and counts only."""
    user = actor.user if actor is not None else None
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = obj.pk
    return AuditEvent.objects.create(
        at=timezone.now(),
        user_id=user.pk if user is not None else None,
        username=user.username if user is not None else username,
        roles=",".join(sorted(user.role_set)) if user is not None else "",
        ip=actor.ip if actor is not None else ip,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        result=result,
        detail=detail or {},
    )


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
    require(actor, Capability.VIEW_AUDIT)
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
