"""Inflow and outflow records, the stale list, the services each person is owed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jisheng.accounts.models import User
from jisheng.core.dates import add_months, full_years
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.migrants.models import MigrantRecord, MoveKind, Verification
from jisheng.migrants.services.records import stale_months
from jisheng.registry.models import LifeEvent, MaritalStatus, ParentLink, Person

# The services a floating resident is owed as any resident is (服务均等), by label.
PREPREGNANCY = _("Pre-pregnancy health check")
CONTRACEPTIVES = _("Free contraceptives")
CHILDCARE = _("Childcare subsidy")
CHILDCARE_YEARS = 3


def records(
    user: User,
    *,
    kind: str,
    open_only: bool = True,
    month: dt.date | None = None,
    since: dt.date | None = None,
    community: OrgUnit | None = None,
) -> QuerySet[MigrantRecord]:
    """The user's records of one kind, newest move first, with what the pages show; ``month``:
    moved in that month (its first day), ``since``: moved on or after that day."""
    found = (
        MigrantRecord.objects.visible_to(user)
        .filter(kind=kind)
        .select_related("person", "community", "complex", "landlord")
        .annotate(
            young_child=Exists(
                ParentLink.objects.filter(
                    parent=OuterRef("person"),
                    child__birth_date__gt=add_months(timezone.localdate(), -12 * CHILDCARE_YEARS),
                )
            )
        )
        .order_by("-moved_on", "-pk")
    )
    if month is not None:
        found = found.filter(moved_on__gte=month, moved_on__lt=add_months(month, 1))
    if since is not None:
        found = found.filter(moved_on__gte=since)
    if community is not None:
        found = found.filter(community=community)
    return found.filter(ended_on__isnull=True) if open_only else found


def stale_cutoff(today: dt.date | None = None) -> dt.date:
    """Records last verified on or before this day are stale."""
    return add_months(today or timezone.localdate(), -stale_months())


def stale(user: User, *, today: dt.date | None = None) -> QuerySet[MigrantRecord]:
    """Open records not verified for the stale period (a setting), oldest verification first."""
    return (
        MigrantRecord.objects.visible_to(user)
        .filter(ended_on__isnull=True, last_verified_on__lte=stale_cutoff(today))
        .select_related("person", "community")
        .order_by("last_verified_on", "pk")
    )


def record_detail(user: User, record_id: int) -> MigrantRecord:
    return visible_or_404(
        MigrantRecord.objects.select_related(
            "person", "community", "complex", "landlord", "move_event", "end_event"
        ),
        user=user,
        pk=record_id,
    )


def visits(user: User, record: MigrantRecord) -> QuerySet[Verification]:
    return Verification.objects.visible_to(user).filter(record=record).select_related("visited_by")


def events_of(user: User, record: MigrantRecord) -> list[LifeEvent]:
    """The record's registry events (move in, move out) the user may read."""
    ids = [pk for pk in (record.move_event_id, record.end_event_id) if pk]
    return list(LifeEvent.objects.visible_to(user).filter(pk__in=ids).order_by("date", "pk"))


@dataclass(frozen=True)
class Owed:
    label: str | Promise
    owed: bool


def services_owed(person: Person, *, young_child: bool, today: dt.date | None = None) -> list[Owed]:
    """Which of the equal services the person is owed today: checks of married couples of
    childbearing age, contraceptives for them, the subsidy for a child under three."""
    age = full_years(person.birth_date, today or timezone.localdate())
    married = person.marital_status == MaritalStatus.MARRIED
    return [
        Owed(PREPREGNANCY, married and 20 <= age <= 49),
        Owed(CONTRACEPTIVES, married and 15 <= age <= 49),
        Owed(CHILDCARE, young_child),
    ]


def owed_for(record: MigrantRecord) -> list[Owed]:
    """:func:`services_owed` for a record read by :func:`records` (or any record)."""
    young = getattr(record, "young_child", None)
    if young is None:
        young = ParentLink.objects.filter(
            parent=record.person_id,
            child__birth_date__gt=add_months(timezone.localdate(), -12 * CHILDCARE_YEARS),
        ).exists()
    return services_owed(record.person, young_child=bool(young))


def kind_label(kind: str) -> str:
    return str(MoveKind(kind).label)
