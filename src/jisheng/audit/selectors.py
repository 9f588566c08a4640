"""Reading the audit trail: the security auditor's duty and no one else's."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.accounts.models import User
from jisheng.audit.models import AuditEvent, SecurityAlert
from jisheng.core.errors import Forbidden
from jisheng.core.permissions import require
from jisheng.core.roles import Capability, Role


def audit_search(*, actor: User, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Events matching the auditor's filters, newest first."""
    require(actor, Capability.VIEW_AUDIT)
    events = AuditEvent.objects.all()
    for field in ("username", "action", "result", "object_type", "object_id", "ip"):
        if filters.get(field):
            events = events.filter(**{field: filters[field]})
    # Days are Beijing days, like the times the page shows (the rows are stored in UTC).
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        start = dt.datetime.combine(filters["date_from"], dt.time.min, tzinfo=tz)
        events = events.filter(at__gte=start)
    if filters.get("date_to"):
        end = dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        events = events.filter(at__lt=end)
    return events.order_by("-at", "-id")


@dataclass(frozen=True)
class ObjectShown:
    """What the trail names as an event's object, as far as the viewer may know it: its kind
    always; its name and page only when the viewer may open the record itself."""

    kind: str
    object_id: str
    name: str = ""
    url: str = ""


@dataclass(frozen=True)
class EventShown:
    """One audit event as the auditor's page shows it."""

    event: AuditEvent
    roles: str
    obj: ObjectShown | None
    change: str


def role_labels(codes: str) -> str:
    """``"leader,street_staff"`` as the roles' names; an unknown code is shown as it is."""
    return "、".join(
        str(Role(code).label) if code in Role.values else code for code in codes.split(",") if code
    )


def _change(event: AuditEvent) -> str:
    """The permission an event changed, in words (the trail keeps role codes)."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    if event.action != AuditEvent.Action.PERMISSION_CHANGE:
        return ""
    if isinstance(detail.get("granted"), str):
        return str(_("Granted the role %(role)s") % {"role": role_labels(detail["granted"])})
    if isinstance(detail.get("revoked"), str):
        return str(_("Revoked the role %(role)s") % {"role": role_labels(detail["revoked"])})
    if detail.get("revoked") is True:
        return str(_("Revoked an API token"))
    if "token_for" in detail:
        return str(_("Issued an API token"))
    if detail.get("second_factor") == "reset":
        return str(_("Reset the second factor"))
    return ""


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def objects_shown(viewer: User, events: list[AuditEvent]) -> dict[tuple[str, str], ObjectShown]:
    """The objects of ``events`` as ``viewer`` may see them: one query per object type.

    A scoped record is named and linked only when it is in ``viewer``'s ``visible_to``: the
    security auditor, who holds no duty to read residents' data, sees "resident 6956" and
    never the resident's name. Accounts are named by their user name, as the trail already
    names who acted; other unscoped rows are shown by kind and number only.
    """
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.object_type and event.object_id:
            wanted[event.object_type].add(event.object_id)
    shown: dict[tuple[str, str], ObjectShown] = {}
    for object_type, ids in wanted.items():
        model = _model(object_type)
        if model is None:
            for object_id in ids:
                shown[object_type, object_id] = ObjectShown(object_type, object_id)
            continue
        kind = str(model._meta.verbose_name)
        keys = [pk for pk in ids if pk.isdigit()]
        manager: Any = model._default_manager
        if hasattr(manager, "visible_to"):
            rows = manager.visible_to(viewer).filter(pk__in=keys)
        elif model is get_user_model():
            rows = manager.filter(pk__in=keys)
        else:
            rows = manager.none()
        found: dict[str, models.Model] = {str(row.pk): row for row in rows}
        for object_id in ids:
            row = found.get(object_id)
            if row is None:
                shown[object_type, object_id] = ObjectShown(kind, object_id)
                continue
            name = row.get_username() if isinstance(row, AbstractBaseUser) else str(row)
            url = row.get_absolute_url() if hasattr(row, "get_absolute_url") else ""
            shown[object_type, object_id] = ObjectShown(
                kind, object_id, name="" if name == object_id else name, url=url
            )
    return shown


def audit_rows(*, viewer: User, events: Iterable[AuditEvent]) -> list[EventShown]:
    """A page of events with role names, the changed permission, and each object as far as
    ``viewer`` may see it."""
    require(viewer, Capability.VIEW_AUDIT)
    listed = list(events)
    objects = objects_shown(viewer, listed)
    return [
        EventShown(
            event=event,
            roles=role_labels(event.roles),
            obj=objects.get((event.object_type, event.object_id)),
            change=_change(event),
        )
        for event in listed
    ]


def security_alerts(*, actor: User, days: int = 7) -> QuerySet[SecurityAlert]:
    """Bursts of refused requests of the last ``days``: the security administrator's duty."""
    if not actor.has_capability(Capability.MANAGE_ROLES):
        raise Forbidden()
    return SecurityAlert.objects.filter(at__gte=timezone.now() - dt.timedelta(days=days))
