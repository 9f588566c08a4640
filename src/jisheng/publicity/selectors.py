"""Publicity reads: scoped lists, a staff member's trainings, the share of staff trained,
and coverage (activities per community per quarter, the yearly "五个一" checklist)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth

from jisheng.accounts.models import User
from jisheng.core.actors import Actor
from jisheng.core.errors import NotFound
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.occasions import OccasionRecord, records_at
from jisheng.core.permissions import require, require_any
from jisheng.core.roles import Capability, Role
from jisheng.publicity.models import FIVE_ONES, Activity, Asset, Photo, Training
from jisheng.publicity.occasions import ActivityOccasions

# Staff are the accounts whose duty is the service itself (not partners or administrators).
STAFF_ROLES = (Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.LEADER)
COMMUNITY_KINDS = (OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.VILLAGE)


class PeriodLike(Protocol):
    """A span of days, first and last inclusive (``core.indicators.Period`` is one)."""

    @property
    def start(self) -> dt.date: ...

    @property
    def end(self) -> dt.date: ...


# ------------------------------------------------------------------------------ lists


def unit_choices(user: User) -> QuerySet[OrgUnit]:
    """Units the user may record publicity for: their communities, and the street itself for
    those who manage street-wide publicity."""
    kinds = list(COMMUNITY_KINDS)
    if user.has_capability(Capability.MANAGE_PUBLICITY):
        kinds.append(OrgUnit.Kind.STREET)
    return OrgUnit.objects.visible_to(user).filter(kind__in=kinds).order_by("path")


def asset_list(user: User) -> QuerySet[Asset]:
    return Asset.objects.visible_to(user).select_related("org_unit")


def activity_list(
    user: User, *, year: int | None = None, org_unit_id: int | None = None
) -> QuerySet[Activity]:
    items = Activity.objects.visible_to(user).select_related("org_unit")
    if year is not None:
        items = items.filter(date__year=year)
    if org_unit_id is not None:
        items = items.filter(org_unit_id=org_unit_id)
    return items


def training_list(user: User, *, year: int | None = None) -> QuerySet[Training]:
    items = Training.objects.visible_to(user).select_related("org_unit")
    if year is not None:
        items = items.filter(start_date__year=year)
    return items.annotate(attendee_count=Count("attendees")).order_by("-start_date", "-pk")


def activity_detail(*, actor: Actor, activity_id: int) -> Activity:
    require(actor, Capability.RECORD_PUBLICITY)
    return visible_or_404(
        Activity.objects.select_related("org_unit"), user=actor.user, pk=activity_id
    )


def asset_detail(*, actor: Actor, asset_id: int) -> Asset:
    require(actor, Capability.RECORD_PUBLICITY)
    return visible_or_404(Asset.objects.select_related("org_unit"), user=actor.user, pk=asset_id)


def training_detail(*, actor: Actor, training_id: int) -> Training:
    require(actor, Capability.MANAGE_PUBLICITY)
    return visible_or_404(
        Training.objects.select_related("org_unit"), user=actor.user, pk=training_id
    )


def photo_for(*, actor: Actor, photo_id: int) -> Photo:
    """A photo whose unit is in the actor's scope, or 404."""
    require(actor, Capability.RECORD_PUBLICITY)
    return visible_or_404(Photo, user=actor.user, pk=photo_id)


def photos_of(user: User, record: Activity | Asset) -> QuerySet[Photo]:
    photos = Photo.objects.visible_to(user)
    if isinstance(record, Activity):
        return photos.filter(activity=record)
    return photos.filter(asset=record)


# -------------------------------------------------------------------------------- staff


def staff_in_scope(user: User) -> QuerySet[User]:
    """Active staff accounts attached to a unit in the user's scope."""
    return (
        User.objects.filter(
            is_active=True,
            org_unit_id__in=user.scope_unit_ids(),
            roles__role__in=[role.value for role in STAFF_ROLES],
        )
        .select_related("org_unit")
        .distinct()
        .order_by("org_unit__path", "username")
    )


def staff_member(*, actor: Actor, user_id: int) -> User:
    require(actor, Capability.MANAGE_PUBLICITY)
    # Staff are already bounded by the actor's units (User has no scope rule of its own).
    member = staff_in_scope(actor.user).filter(pk=user_id).first()
    if member is None:
        raise NotFound()
    return member


def training_history(user: User, member: User) -> QuerySet[Training]:
    """The trainings ``member`` attended that ``user`` may see, latest first."""
    return Training.objects.visible_to(user).filter(attendees=member).select_related("org_unit")


@dataclass(frozen=True)
class TrainedShare:
    staff: int
    trained: int

    @property
    def percent(self) -> Decimal | None:
        if not self.staff:
            return None
        return (Decimal(100) * self.trained / self.staff).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def trained_share(user: User, year: int) -> TrainedShare:
    """Of the staff in the user's area, how many attended a training that began in ``year``."""
    staff = staff_in_scope(user)
    trained = (
        staff.filter(
            pk__in=Training.attendees.through.objects.filter(
                training__in=Training.objects.counted_for(user).filter(start_date__year=year)
            ).values("user_id")
        )
        .values("pk")
        .count()
    )
    return TrainedShare(staff=staff.values("pk").count(), trained=trained)


# ----------------------------------------------------------------------------- coverage


@dataclass
class CommunityCoverage:
    """One row of the coverage page: activities per quarter and the "五个一" checklist."""

    unit: OrgUnit
    quarters: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    audience: int = 0
    cost: Decimal = Decimal("0.00")
    five_ones: dict[str, bool] = field(default_factory=dict)

    @property
    def activities(self) -> int:
        return sum(self.quarters)

    @property
    def five_ones_met(self) -> int:
        return sum(self.five_ones.values())


@dataclass
class Coverage:
    year: int
    rows: list[CommunityCoverage]
    street_wide: CommunityCoverage | None

    @property
    def quarters(self) -> list[int]:
        every = [*self.rows, *([self.street_wide] if self.street_wide else [])]
        return [sum(row.quarters[q] for row in every) for q in range(4)]

    @property
    def communities_covered(self) -> int:
        return sum(1 for row in self.rows if row.activities)

    @property
    def complete_five_ones(self) -> int:
        return sum(1 for row in self.rows if row.five_ones_met == len(FIVE_ONES))


def _assets_in_use(assets: QuerySet[Asset], start: dt.date, end: dt.date) -> QuerySet[Asset]:
    """Assets that stood at some time between ``start`` and ``end`` (not merely planned)."""
    return assets.exclude(status=Asset.Status.PLANNED).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=end),
        Q(closed_on__isnull=True) | Q(closed_on__gte=start),
    )


def coverage_for(user: User, year: int) -> Coverage:
    """The coverage page: every community in the user's area, counted (never listed)."""
    require_any(user, Capability.RECORD_PUBLICITY, Capability.VIEW_AGGREGATES)
    units = OrgUnit.objects.visible_to(user).filter(kind__in=COMMUNITY_KINDS).order_by("path")
    rows = {unit.pk: CommunityCoverage(unit=unit) for unit in units}
    streets = OrgUnit.objects.visible_to(user).filter(kind=OrgUnit.Kind.STREET).order_by("path")
    street_row = CommunityCoverage(unit=streets[0]) if streets.exists() else None
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    counted = (
        Activity.objects.counted_for(user)
        .filter(date__range=(start, end))
        .annotate(month=ExtractMonth("date"))
        .values("org_unit_id", "org_unit__kind", "month")
        .annotate(n=Count("pk"), audience=Sum("audience"), cost=Sum("cost"))
    )
    for item in counted:
        row = rows.get(item["org_unit_id"])
        if row is None and item["org_unit__kind"] == OrgUnit.Kind.STREET:
            row = street_row
        if row is None:
            continue
        row.quarters[(item["month"] - 1) // 3] += item["n"]
        row.audience += item["audience"] or 0
        row.cost += item["cost"] or Decimal(0)
    kinds_by_unit: dict[int, set[str]] = defaultdict(set)
    for unit_id, kind in _assets_in_use(Asset.objects.counted_for(user), start, end).values_list(
        "org_unit_id", "kind"
    ):
        kinds_by_unit[unit_id].add(kind)
    for row in rows.values():
        # A street's own asset (its TV or web column) serves every community of the street.
        held = kinds_by_unit[row.unit.pk] | kinds_by_unit.get(row.unit.parent_id or 0, set())
        row.five_ones = {item: bool(held & set(kinds)) for item, kinds in FIVE_ONES}
    return Coverage(year=year, rows=list(rows.values()), street_wide=street_row)


def coverage(org_unit: OrgUnit, period: PeriodLike) -> Decimal | None:
    """Indicator: percent of the communities under ``org_unit`` that held at least one
    publicity activity in ``period`` (None: no community to cover). Unscoped: the caller
    (an indicator table) decides who may see the figure."""
    communities = OrgUnit.objects.filter(
        path__startswith=org_unit.path, kind__in=COMMUNITY_KINDS
    ).values("pk")
    total = communities.count()
    if not total:
        return None
    covered = (
        Activity.objects.filter(org_unit__in=communities, date__range=(period.start, period.end))
        .values("org_unit_id")
        .distinct()
        .count()
    )
    return (Decimal(100) * covered / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def materials_at(user: User, activity: Activity) -> list[OccasionRecord]:
    """Materials other modules (the points' handouts) record as handed out at ``activity``,
    as far as ``user`` may read them."""
    return records_at(user, ActivityOccasions.kind, activity.pk)
