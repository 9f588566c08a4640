"""Writing the audit trail. Services call :func:`record` inside their own transaction,
so an action whose audit row cannot be written does not happen."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone

from jisheng.audit.chain import chain_append
from jisheng.audit.models import AuditEvent, DeniedWindow, SecurityAlert
from jisheng.audit.selectors import audit_search
from jisheng.audit.tasks import audit_export
from jisheng.core.actors import Actor, client_ip
from jisheng.core.models import TaskProgress
from jisheng.core.permissions import require
from jisheng.core.progress import progress_create
from jisheng.core.roles import Capability

if TYPE_CHECKING:
    from jisheng.accounts.models import User

logger = logging.getLogger(__name__)
# A browser's requests for assets that are missing refuse nothing worth a line in the trail.
NOT_AUDITED_PREFIXES = ("/static/", "/favicon")
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


def denied_record(request: HttpRequest, status: int) -> None:
    """Audit one refused request, at most ``JISHENG_DENIED_AUDIT_PER_MINUTE`` rows per user
    (or address) and minute, then one summary row; raise a security alert on a burst."""
    from jisheng.accounts.models import User  # accounts imports this module

    if request.path.startswith(NOT_AUDITED_PREFIXES):
        return
    # A refusal can come before the authentication middleware has run (no ``request.user``).
    signed_in = getattr(request, "user", None)
    user = signed_in if isinstance(signed_in, User) and signed_in.is_authenticated else None
    ip = client_ip(request)
    key = f"user:{user.pk}" if user is not None else f"ip:{ip or '-'}"
    now = timezone.now()
    limit = settings.JISHENG_DENIED_AUDIT_PER_MINUTE
    try:
        with transaction.atomic():
            refusals = _denied_count(key, now.replace(second=0, microsecond=0))
            detail: dict[str, Any] = {"status": status, "method": request.method}
            if refusals <= limit:
                # The path only: query strings may carry what was searched for.
                detail["path"] = request.path[:200]
            else:
                detail.update(suppressed=True, limit=limit)
            if refusals <= limit + 1:
                record(
                    action=Action.DENIED,
                    actor=Actor(user=user, ip=ip) if user is not None else None,
                    ip=ip,
                    result=Result.FAILURE,
                    detail=detail,
                )
            _denied_burst_check(key=key, user=user, ip=ip, now=now)
    except DatabaseError:
        # The refusal stands whether or not it could be written down; never turn it into a 500.
        logger.exception("could not audit a refused request")


def _denied_count(key: str, window_start: dt.datetime) -> int:
    """Count one more refusal for ``key`` in this minute, atomically across processes."""
    table = connection.ops.quote_name(DeniedWindow._meta.db_table)
    start = DeniedWindow._meta.get_field("window_start").get_db_prep_value(window_start, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, window_start, refusals) VALUES (%s, %s, 1) "  # noqa: S608
            "ON CONFLICT (key, window_start) DO UPDATE "
            f"SET refusals = {table}.refusals + 1 RETURNING refusals",
            [key, start],
        )
        (refusals,) = cursor.fetchone()
    return int(refusals)


def _denied_burst_check(*, key: str, user: User | None, ip: str | None, now: dt.datetime) -> None:
    minutes = settings.JISHENG_DENIED_BURST_MINUTES
    since = now - dt.timedelta(minutes=minutes)
    windows = DeniedWindow.objects.filter(key=key, window_start__gt=since - dt.timedelta(minutes=1))
    refusals = windows.aggregate(total=Sum("refusals"))["total"] or 0
    if refusals < settings.JISHENG_DENIED_BURST:
        return
    if SecurityAlert.objects.filter(key=key, at__gt=since).exists():
        return  # one alert per burst, not one per refusal
    SecurityAlert.objects.create(
        at=now,
        user_id=user.pk if user is not None else None,
        username=user.username if user is not None else "",
        ip=_stored_ip(ip),
        key=key,
        refusals=refusals,
        minutes=minutes,
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
