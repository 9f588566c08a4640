"""Reads of leading groups, B-ultrasound supervision and dispensings, scoped to the user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.governance.models import (
    DepartmentDuty,
    DeviceStatus,
    Dispensing,
    GroupMember,
    Inspection,
    LeadingGroup,
    Outlet,
    Pledge,
    UltrasoundDevice,
    UltrasoundOperator,
)
from jisheng.governance.selectors.pregnancies import pregnant_at
from jisheng.targets.models import Meeting, MeetingKind

DEFAULT_INSPECTION_DAYS = 180
GROUP_LEVELS = (OrgUnit.Kind.DISTRICT, OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY)
# Gestation from which a dispensing to a pregnant woman goes to the review list.
REVIEW_WEEKS = 14


def inspection_interval_days() -> int:
    """Days between inspections of a device in use (``GOVERNANCE_INSPECTION_DAYS``)."""
    return int(getattr(settings, "GOVERNANCE_INSPECTION_DAYS", DEFAULT_INSPECTION_DAYS))


# Leading groups ---------------------------------------------------------------------------


def group_units(user: Any) -> QuerySet[OrgUnit]:
    """The district, street and community units whose leading group the user may read."""
    return (
        OrgUnit.objects.visible_to(user)
        .filter(kind__in=[*GROUP_LEVELS, OrgUnit.Kind.VILLAGE])
        .order_by("path")
    )


def managed_units(user: Any) -> QuerySet[OrgUnit]:
    """Units of the user's scope a group, device or outlet may belong to."""
    return OrgUnit.objects.filter(pk__in=user.scope_unit_ids()).order_by("path")


@dataclass(frozen=True)
class GroupPage:
    """One unit's printable page: its group, the members serving on ``on``, the duties of each
    department and the coordination meetings held."""

    unit: OrgUnit
    group: LeadingGroup | None
    members: list[GroupMember]
    former: list[GroupMember]
    duties: list[DepartmentDuty]
    meetings: list[Meeting]


def group_page(user: Any, unit_id: int, *, on: dt.date) -> GroupPage:
    unit = visible_or_404(group_units(user), user=user, pk=unit_id)
    group = LeadingGroup.objects.visible_to(user).filter(org_unit=unit).first()
    members = list(GroupMember.objects.visible_to(user).filter(group=group)) if group else []
    current = [m for m in members if m.from_date <= on and (m.to_date is None or m.to_date >= on)]
    return GroupPage(
        unit=unit,
        group=group,
        members=current,
        former=[m for m in members if m not in current],
        duties=list(DepartmentDuty.objects.visible_to(user).filter(org_unit=unit)),
        meetings=list(
            Meeting.objects.visible_to(user).filter(org_unit=unit, kind=MeetingKind.COORDINATION)[
                :50
            ]
        ),
    )


def member_detail(user: Any, member_id: int) -> GroupMember:
    return visible_or_404(GroupMember.objects.select_related("group"), user=user, pk=member_id)


# B-ultrasound ----------------------------------------------------------------------------


def devices(user: Any, *, status: str = "") -> QuerySet[UltrasoundDevice]:
    found = (
        UltrasoundDevice.objects.visible_to(user)
        .select_related("org_unit")
        .annotate(last_inspected=Max("inspections__date"))
        # A grouped query drops the model's ordering: pages need a stable one.
        .order_by("institution", "serial_number", "pk")
    )
    return found.filter(status=status) if status else found


def device_detail(user: Any, device_id: int) -> UltrasoundDevice:
    return visible_or_404(devices(user), user=user, pk=device_id)


def device_inspections(user: Any, device: UltrasoundDevice) -> QuerySet[Inspection]:
    return Inspection.objects.visible_to(user).filter(device=device)


def overdue_devices(user: Any, *, today: dt.date) -> QuerySet[UltrasoundDevice]:
    """Devices in use not inspected within the interval (or never), longest waiting first."""
    cutoff = today - dt.timedelta(days=inspection_interval_days())
    return (
        UltrasoundDevice.objects.visible_to(user)
        .filter(status=DeviceStatus.IN_USE)
        .select_related("org_unit")
        .annotate(last_inspected=Max("inspections__date"))
        .filter(Q(last_inspected__isnull=True) | Q(last_inspected__lt=cutoff))
        # Never inspected first, on every database (PostgreSQL sorts NULL last by default).
        .order_by(F("last_inspected").asc(nulls_first=True), "institution", "pk")
    )


def open_rectifications(user: Any) -> QuerySet[Inspection]:
    """Inspections whose asked rectification is not done yet, soonest due first."""
    return (
        Inspection.objects.visible_to(user)
        .filter(rectification_due__isnull=False, rectified_on__isnull=True)
        .select_related("device")
        .order_by("rectification_due", "pk")
    )


def inspection_detail(user: Any, inspection_id: int) -> Inspection:
    return visible_or_404(Inspection.objects.select_related("device"), user=user, pk=inspection_id)


def operators(user: Any) -> QuerySet[UltrasoundOperator]:
    return (
        UltrasoundOperator.objects.visible_to(user)
        .annotate(last_pledge=Max("pledges__signed_on"))
        .order_by("institution", "name", "pk")
    )


def operator_detail(user: Any, operator_id: int) -> UltrasoundOperator:
    return visible_or_404(operators(user), user=user, pk=operator_id)


def operator_pledges(user: Any, operator: UltrasoundOperator) -> QuerySet[Pledge]:
    return Pledge.objects.visible_to(user).filter(operator=operator)


def pledge_detail(user: Any, pledge_id: int) -> Pledge:
    return visible_or_404(Pledge.objects.select_related("operator"), user=user, pk=pledge_id)


# Dispensings ------------------------------------------------------------------------------


def outlets(user: Any) -> QuerySet[Outlet]:
    return Outlet.objects.visible_to(user).select_related("org_unit")


def outlet_detail(user: Any, outlet_id: int) -> Outlet:
    return visible_or_404(outlets(user), user=user, pk=outlet_id)


def dispensings(user: Any, *, outlet: Outlet | None = None) -> QuerySet[Dispensing]:
    found = Dispensing.objects.visible_to(user).select_related("outlet")
    return found.filter(outlet=outlet) if outlet is not None else found


def dispensing_detail(user: Any, dispensing_id: int) -> Dispensing:
    return visible_or_404(dispensings(user), user=user, pk=dispensing_id)


NO_PRESCRIPTION = _("Dispensed without a prescription")
PREGNANT = _("The buyer has a registered pregnancy of 14 weeks or more")


@dataclass(frozen=True)
class ReviewEntry:
    dispensing: Dispensing
    reasons: list[str]


def review_list(user: Any) -> list[ReviewEntry]:
    """Dispensings to look into: without a prescription, or to a woman then pregnant 14+
    weeks by the registry's pregnancy records. Newest first."""
    visible = dispensings(user)
    bought = list(visible.filter(buyer__isnull=False).values_list("pk", "buyer_id", "dispensed_on"))
    flagged = pregnant_at({(buyer, day) for _pk, buyer, day in bought}, weeks=REVIEW_WEEKS)
    pregnant_ids = {pk for pk, buyer, day in bought if (buyer, day) in flagged}
    entries = []
    for dispensing in visible.filter(Q(prescription_ref="") | Q(pk__in=pregnant_ids)):
        reasons = []
        if not dispensing.prescription_ref:
            reasons.append(str(NO_PRESCRIPTION))
        if dispensing.pk in pregnant_ids:
            reasons.append(str(PREGNANT))
        entries.append(ReviewEntry(dispensing=dispensing, reasons=reasons))
    return entries
