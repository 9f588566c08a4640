"""Home-page figures, always within the user's scope, read from the rollups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jisheng.accounts.models import User
from jisheng.core.roles import Capability
from jisheng.registry.models import ResidentStatus
from jisheng.reports.rollups import selectors as rollups


@dataclass(frozen=True)
class Figure:
    key: str
    label: str | Promise
    value: int


def home_figures(user: User) -> list[Figure]:
    """Headline counts for the user's scope; empty for roles that hold no personal data."""
    if not user.has_capability(Capability.VIEW_PERSONAL):
        return []
    persons = rollups.totals(user, "persons", ("d1", "d4"))

    def count(status: str, floating: str | None = None) -> int:
        return sum(
            n for (s, f), (n, _a) in persons.items() if s == status and floating in (None, f)
        )

    households = rollups.totals(user, "households", ())
    return [
        Figure("persons", _("Residents living here"), count(ResidentStatus.LIVING)),
        Figure("floating", _("Floating residents"), count(ResidentStatus.LIVING, "1")),
        Figure("households", _("Households"), households.get((), (0, 0))[0]),
        Figure("moved_out", _("Moved out"), count(ResidentStatus.MOVED_OUT)),
    ]


def figures_as_of(user: User) -> dt.datetime | None:
    """When the home figures were last refreshed."""
    return rollups.as_of() if user.has_capability(Capability.VIEW_PERSONAL) else None


def unit_breakdown(user: User) -> list[dict[str, Any]]:
    """Residents and households per unit side by side (a street's communities, a district's
    streets), for users above community level."""
    if not user.has_capability(Capability.VIEW_PERSONAL) or user.org_unit is None:
        return []
    if user.org_unit.is_community:
        return []
    layout, persons = rollups.by_group(user, "persons", ("d1",))
    _layout, households = rollups.by_group(user, "households")
    return [
        {
            "name": unit.name,
            "code": unit.code,
            "persons": persons.get((unit.pk, (ResidentStatus.LIVING.value,)), (0, 0))[0],
            "households": households.get((unit.pk, ()), (0, 0))[0],
        }
        for unit in layout.groups
    ]
