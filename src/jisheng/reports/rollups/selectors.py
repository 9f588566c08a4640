"""Reading the rollups: figures summed over the user's area, or per unit side by side."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from jisheng.accounts.models import User
from jisheng.core.models import OrgUnit
from jisheng.core.prepared import Prepared
from jisheng.reports.rollups.models import RollupCell, RollupState
from jisheng.reports.rollups.services import STATE_KEY

DIMENSIONS = ("period", "d1", "d2", "d3", "d4")


# Read by every report page and the home page (their figures' version): compiled once.
_STATE = Prepared(lambda: RollupState.objects.only("as_of"), "key")


def as_of() -> dt.datetime | None:
    """When the figures were last brought up to date (None: never built)."""
    state = _STATE.first(STATE_KEY)
    return None if state is None else state.as_of


def cells(user: User, measure: str) -> QuerySet[RollupCell]:
    """The measure's cells in the user's area (counts only: the page decides who may ask)."""
    return RollupCell.objects.visible_to(user).filter(measure=measure)


def totals(
    user: User, measure: str, by: tuple[str, ...], **filters: object
) -> dict[tuple[str, ...], tuple[int, Decimal]]:
    """``(count, amount)`` summed over the user's area, keyed by the ``by`` columns."""
    if not by:
        # values_list() with no columns means every column: the sums would be grouped by
        # unit and period, and each group's sum would overwrite the last under the key ().
        whole = (
            cells(user, measure).filter(**filters).aggregate(n=Sum("count"), total=Sum("amount"))
        )
        return {(): (int(whole["n"] or 0), Decimal(whole["total"] or 0))}
    rows = (
        cells(user, measure)
        .filter(**filters)
        .values_list(*by)
        .annotate(n=Sum("count"), total=Sum("amount"))
        .order_by()
    )
    return {
        tuple(str(v) for v in row[: len(by)]): (int(row[-2] or 0), Decimal(row[-1] or 0))
        for row in rows
    }


@dataclass(frozen=True)
class UnitGroups:
    """The units a user sees side by side: a community worker their community, a street its
    communities, a district its streets. ``group_of`` maps every unit in the area to one."""

    groups: list[OrgUnit]
    group_of: dict[int, int]


def unit_groups(user: User) -> UnitGroups:
    root = user.org_unit
    if root is None:
        return UnitGroups([], {})
    units = list(OrgUnit.objects.filter(pk__in=user.scope_unit_ids()).order_by("path"))
    if root.is_community:
        return UnitGroups([root], {u.pk: root.pk for u in units})
    groups = [u for u in units if u.parent_id == root.pk and u.kind != OrgUnit.Kind.GRID]
    group_of: dict[int, int] = {}
    for unit in units:
        owner = next((g for g in groups if unit.path.startswith(g.path)), root)
        group_of[unit.pk] = owner.pk
    return UnitGroups(groups, group_of)


def by_group(
    user: User, measure: str, by: tuple[str, ...] = (), **filters: object
) -> tuple[UnitGroups, dict[tuple[int, tuple[str, ...]], tuple[int, Decimal]]]:
    """Like :func:`totals`, per side-by-side group: keyed by (group id, the ``by`` values)."""
    layout = unit_groups(user)
    summed: dict[tuple[int, tuple[str, ...]], tuple[int, Decimal]] = defaultdict(
        lambda: (0, Decimal(0))
    )
    for key, (n, amount) in totals(user, measure, ("unit_id", *by), **filters).items():
        group = layout.group_of.get(int(key[0]))
        if group is None:
            continue
        old_n, old_amount = summed[(group, key[1:])]
        summed[(group, key[1:])] = (old_n + n, old_amount + amount)
    # Figures kept at the user's own unit (a street's own distribution point) get a column.
    root = user.org_unit
    if root is not None and root not in layout.groups and any(g == root.pk for g, _k in summed):
        layout = UnitGroups([*layout.groups, root], layout.group_of)
    return layout, dict(summed)
