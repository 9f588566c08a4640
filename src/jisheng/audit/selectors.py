"""Reading the audit trail: the security auditor's duty and no one else's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.audit.models import AuditEvent, SecurityAlert
from jisheng.core.errors import Forbidden
from jisheng.core.permissions import require
from jisheng.core.roles import Capability


def audit_search(*, actor: User, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Events matching the auditor's filters, newest first."""
    require(actor, Capability.VIEW_AUDIT)
    events = AuditEvent.objects.all()
    for field in ("username", "action", "result", "object_type", "object_id", "ip"):
        if filters.get(field):
            events = events.filter(**{field: filters[field]})
    tz = dt.UTC  # the trail is shown in UTC, so its days are UTC days too
    if filters.get("date_from"):
        start = dt.datetime.combine(filters["date_from"], dt.time.min, tzinfo=tz)
        events = events.filter(at__gte=start)
    if filters.get("date_to"):
        end = dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        events = events.filter(at__lt=end)
    return events.order_by("-at", "-id")


def security_alerts(*, actor: User, days: int = 7) -> QuerySet[SecurityAlert]:
    """Bursts of refused requests of the last ``days``: the security administrator's duty."""
    if not actor.has_capability(Capability.MANAGE_ROLES):
        raise Forbidden()
    return SecurityAlert.objects.filter(at__gte=timezone.now() - dt.timedelta(days=days))
