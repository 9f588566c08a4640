"""Roster reads. Lists and details of people's methods are health data: every list and
every detail read is written to the audit trail before it is returned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.contraceptives.models import (
    Method,
    MoveKind,
    RosterEntry,
    RosterFollowUp,
    StockMove,
)
from jisheng.core.actors import Actor
from jisheng.core.choices import labels
from jisheng.core.lookups import units_in_scope, visible_or_404
from jisheng.core.pages import Concatenated, by_unit, in_order
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.registry.models import Person


@dataclass(frozen=True)
class RosterFilters:
    method: str = ""
    community_id: int | None = None
    active_only: bool = True

    def as_audit_detail(self) -> dict[str, object]:
        """What was searched for: IDs and flags, never the method searched (health data)."""
        return {
            "by_method": bool(self.method),
            "community": self.community_id,
            "active_only": self.active_only,
        }


def roster_list(*, user: User, filters: RosterFilters) -> QuerySet[RosterEntry]:
    """Entries in scope matching the filters, with masked person data only; a health-duty
    read (403 for others)."""
    require(user, Capability.VIEW_HEALTH)
    entries = (
        RosterEntry.objects.visible_to(user)
        .select_related("community", "person", "point")
        .defer("notes", "person__id_number", "person__phone")
    )
    if filters.method:
        entries = entries.filter(method=filters.method)
    if filters.community_id:
        entries = entries.filter(community_id=filters.community_id)
    if filters.active_only:
        entries = entries.filter(stop_date__isnull=True)
    return entries.order_by("community__path", "person_name", "method", "pk")


def roster_pages(*, user: User, filters: RosterFilters) -> Concatenated[RosterEntry]:
    """``roster_list`` in its order (community path, name, method, id), for the list page:
    each unit in scope in path order, each one's entries read in the order of the
    (community, stop date, name, method, id) index, so no page sorts a whole area's entries.
    The page reads its rows with ``roster_rows``."""
    units = units_in_scope(RosterEntry, user)
    if filters.community_id:
        units = units.filter(pk=filters.community_id)
    unit_ids = units.order_by("path").values_list("pk", flat=True)
    entries = roster_list(user=user, filters=filters)
    return by_unit(entries.order_by("person_name", "method", "pk"), list(unit_ids))


@dataclass(frozen=True, slots=True)
class RosterRow:
    """An entry as the roster page shows it, read as values (never its notes, timestamps or
    who enrolled): built as model objects, a page's rows were four objects each (entry,
    person, community, point)."""

    pk: int
    person_id: int
    name: str  # the person's
    sex_label: str
    birth_date: dt.date
    id_number_masked: str
    community_name: str
    method: str
    method_label: str
    start_date: dt.date
    stop_date: dt.date | None
    stop_reason: str
    stop_reason_label: str
    point_name: str | None  # None: no distribution point


_ROW_VALUES = (
    "pk",
    "person_id",
    "person__name",
    "person__sex",
    "person__birth_date",
    "person__id_number_masked",
    "community__name",
    "method",
    "start_date",
    "stop_date",
    "stop_reason",
    "point__name",
)


def roster_rows(*, user: User, ids: Sequence[int]) -> list[RosterRow]:
    """The roster rows of these entries in the user's area, in the order of ``ids``."""
    require(user, Capability.VIEW_HEALTH)
    sexes, methods = labels(Person, "sex"), labels(RosterEntry, "method")
    reasons = labels(RosterEntry, "stop_reason")
    found = RosterEntry.objects.visible_to(user).filter(pk__in=ids)
    rows = (
        RosterRow(
            pk=pk,
            person_id=person,
            name=name,
            sex_label=sexes.get(sex, sex),
            birth_date=born,
            id_number_masked=masked,
            community_name=community,
            method=method,
            method_label=methods.get(method, method),
            start_date=start,
            stop_date=stop,
            stop_reason=reason,
            stop_reason_label=reasons.get(reason, reason),
            point_name=point,
        )
        for pk, person, name, sex, born, masked, community, method, start, stop, reason, point in (
            found.values_list(*_ROW_VALUES)
        )
    )
    return in_order(rows, list(ids))


def roster_search_record(*, actor: Actor, filters: RosterFilters) -> None:
    with transaction.atomic():
        audit.record(
            action=Action.SEARCH,
            actor=actor,
            object_type="contraceptives.rosterentry",
            detail=filters.as_audit_detail(),
        )


def roster_entry_detail(*, actor: Actor, entry_id: int) -> RosterEntry:
    """One entry with its decrypted notes; the read is audited before it is returned."""
    require(actor, Capability.VIEW_HEALTH)
    entry = visible_or_404(
        RosterEntry.objects.select_related("person__community", "point", "enrolled_by").defer(
            "person__id_number", "person__phone"
        ),
        user=actor.user,
        pk=entry_id,
    )
    with transaction.atomic():
        audit.record(action=Action.VIEW, actor=actor, obj=entry)
    return entry


def roster_entry_for_form(*, actor: Actor, entry_id: int, shown: bool) -> RosterEntry:
    """An entry in scope for a form page (no notes). A page that is ``shown`` names the
    person beside their method, so that read is audited before it is returned."""
    require(actor, Capability.VIEW_HEALTH)
    entry = visible_or_404(
        RosterEntry.objects.select_related("person").defer(
            "notes", "person__id_number", "person__phone"
        ),
        user=actor.user,
        pk=entry_id,
    )
    if shown:
        with transaction.atomic():
            audit.record(action=Action.VIEW, actor=actor, obj=entry)
    return entry


def follow_ups(user: User, entry: RosterEntry) -> QuerySet[RosterFollowUp]:
    return (
        RosterFollowUp.objects.visible_to(user)
        .filter(entry=entry)
        .select_related("recorded_by")
        .order_by("date", "pk")
    )


def person_entries(user: User, entry: RosterEntry) -> QuerySet[RosterEntry]:
    """The person's other roster entries (earlier or parallel methods)."""
    return (
        RosterEntry.objects.visible_to(user)
        .filter(person_id=entry.person_id)
        .exclude(pk=entry.pk)
        .defer("notes")
        .order_by("-start_date", "-pk")
    )


def supply_history(user: User, entry: RosterEntry) -> QuerySet[StockMove]:
    """Issues to the person of products of the entry's method at the points in the user's
    scope, newest first."""
    return (
        StockMove.objects.visible_to(user)
        .filter(
            person_id=entry.person_id,
            kind=MoveKind.ISSUE,
            lot__product__category__in=Method.categories(entry.method),
        )
        .select_related("point", "lot__product", "recorded_by")
        .annotate(is_reversed=Exists(StockMove.objects.filter(reverses=OuterRef("pk"))))
        .order_by("-occurred_on", "-pk")
    )
