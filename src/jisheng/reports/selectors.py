"""Home-page figures, always within the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jisheng.accounts.models import User
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.registry.models import Household, Person, ResidentStatus


@dataclass(frozen=True)
class Figure:
    key: str
    label: str | Promise
    value: int


def home_figures(user: User) -> list[Figure]:
    """Headline counts for the user's scope; empty for roles that hold no personal data."""
    if not user.has_capability(Capability.VIEW_PERSONAL):
        return []
    persons = Person.objects.visible_to(user)
    totals = persons.aggregate(
        living=Count("id", filter=Q(status=ResidentStatus.LIVING)),
        floating=Count("id", filter=Q(status=ResidentStatus.LIVING, is_floating=True)),
        moved_out=Count("id", filter=Q(status=ResidentStatus.MOVED_OUT)),
    )
    return [
        Figure("persons", _("Residents living here"), totals["living"]),
        Figure("floating", _("Floating residents"), totals["floating"]),
        Figure("households", _("Households"), Household.objects.visible_to(user).count()),
        Figure("moved_out", _("Moved out"), totals["moved_out"]),
    ]


def unit_breakdown(user: User) -> list[dict[str, Any]]:
    """Residents and households per community, for users above community level."""
    if not user.has_capability(Capability.VIEW_PERSONAL) or user.org_unit is None:
        return []
    if user.org_unit.is_community:
        return []
    units = OrgUnit.objects.visible_to(user).filter(kind__in=["community", "village"])
    persons = dict(
        Person.objects.visible_to(user)
        .filter(status=ResidentStatus.LIVING)
        .values_list("community")
        .annotate(n=Count("id"))
        .values_list("community", "n")
    )
    households = dict(
        Household.objects.visible_to(user)
        .values_list("community")
        .annotate(n=Count("id"))
        .values_list("community", "n")
    )
    return [
        {
            "name": u.name,
            "code": u.code,
            "persons": persons.get(u.pk, 0),
            "households": households.get(u.pk, 0),
        }
        for u in units
    ]
