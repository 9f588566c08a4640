"""Roster reads. Lists and details of people's methods are health data: every list and
every detail read is written to the audit trail before it is returned."""

from __future__ import annotations

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
from jisheng.core.lookups import units_in_scope, visible_or_404
from jisheng.core.pages import Concatenated, by_unit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability


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


# What the list page shows of an entry and its person (it never shows the notes, the
# timestamps or who enrolled): a page of 50 builds 200 objects, reading every column of
# them cost more than the page's query.
_SHOWN = (
    "person_id",
    "community_id",
    "method",
    "start_date",
    "stop_date",
    "stop_reason",
    "person__name",
    "person__sex",
    "person__birth_date",
    "person__id_number_masked",
    "community__name",
    "point__name",
)


def roster_pages(*, user: User, filters: RosterFilters) -> Concatenated[RosterEntry]:
    """``roster_list`` in its order (community path, name, method, id), for the list page:
    each unit in scope in path order, each one's entries read in the order of the
    (community, stop date, name, method, id) index, so no page sorts a whole area's entries;
    only the columns the page shows."""
    entries = roster_list(user=user, filters=filters).only(*_SHOWN)
    units = units_in_scope(RosterEntry, user)
    if filters.community_id:
        units = units.filter(pk=filters.community_id)
    unit_ids = units.order_by("path").values_list("pk", flat=True)
    return by_unit(entries.order_by("person_name", "method", "pk"), list(unit_ids))


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
