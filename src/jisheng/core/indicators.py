"""Service indicators: each module declares, in code, figures computed from its live records.

An :class:`Indicator` measures service delivered (coverage, timeliness, accuracy) for one org
unit over one :class:`Period`; it never counts births against a quota. Modules list theirs in
``<app>/indicators.py`` and name the tuple in their ``ModuleConfig.indicators``;
``core.modules.indicators()`` gathers them. Target books and assessments (the ``targets``
app) refer to them by key only, so no domain app imports another.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.functional import Promise

if TYPE_CHECKING:
    from jisheng.accounts.models import User
    from jisheng.core.models import OrgUnit


class Direction(StrEnum):
    HIGHER = "higher"  # higher is better (a coverage)
    LOWER = "lower"  # lower is better (a variance)


@dataclass(frozen=True)
class Period:
    """A calendar year or quarter: ``start`` and ``end`` inclusive."""

    year: int
    quarter: int | None = None

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 9999 or self.quarter not in (None, 1, 2, 3, 4):
            raise ValueError(f"no such period: {self.year} Q{self.quarter}")

    @property
    def start(self) -> dt.date:
        month = 1 if self.quarter is None else 3 * self.quarter - 2
        return dt.date(self.year, month, 1)

    @property
    def end(self) -> dt.date:
        month = 12 if self.quarter is None else 3 * self.quarter
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def label(self) -> str:
        return f"{self.year}" if self.quarter is None else f"{self.year} Q{self.quarter}"

    @classmethod
    def quarter_of(cls, day: dt.date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month of the period."""
        first = self.start.month
        return [(self.year, month) for month in range(first, self.end.month + 1)]


@dataclass(frozen=True)
class IndicatorRecord:
    """One record behind a value: what it is, its date, whether it counted in the numerator."""

    text: str
    day: dt.date | None
    counted: bool
    url: str = ""


# compute_units(units, period): ``{unit id: value}`` from live data, each unit with everything
# below it, in a few grouped queries whatever the number of units. None where there is
# nothing to measure (no couple to serve, no follow-up due): neither good nor bad.
ComputeUnits = Callable[[Sequence["OrgUnit"], Period], dict[int, Decimal | None]]
# records(user, org_unit, period): the records behind the value that ``user`` may read
# (``visible_to``), so a leader who holds only counts sees the figure but not the files.
Records = Callable[["User", "OrgUnit", Period], Sequence[IndicatorRecord]]


@dataclass(frozen=True)
class Indicator:
    """One service indicator: how it is named, measured and drilled into."""

    key: str
    name: str | Promise
    unit: str
    direction: Direction
    compute_units: ComputeUnits
    records: Records

    @property
    def higher_is_better(self) -> bool:
        return self.direction == Direction.HIGHER

    def compute(self, org_unit: OrgUnit, period: Period) -> Decimal | None:
        """The value for one unit (and everything below it) over the period."""
        return self.compute_units([org_unit], period)[org_unit.pk]


PERCENT = "%"
# Drill-down lists stop here: a page of records is a check, not an export.
RECORDS_SHOWN = 200


def percent(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` as a percentage with one decimal, half up; None on 0."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def under(org_unit: OrgUnit, field: str) -> dict[str, Any]:
    """A filter: ``field`` (a path to an OrgUnit) is ``org_unit`` or below it.

    The unit ids are read first (a community and its grids: a handful), so the database
    filters the counted table by its own indexed column instead of joining the org tree.
    """
    from jisheng.core.models import OrgUnit

    ids = list(OrgUnit.objects.filter(path__startswith=org_unit.path).values_list("pk", flat=True))
    return {f"{field}__in": ids}


def _shared_path(paths: Sequence[str]) -> str:
    """The path of the lowest unit above or at all of ``paths`` (``/`` if none is shared)."""
    shared = []
    for codes in zip(*(path.strip("/").split("/") for path in paths), strict=False):
        if len(set(codes)) > 1:
            break
        shared.append(codes[0])
    return "/" + "".join(f"{code}/" for code in shared)


def owners_of(units: Sequence[OrgUnit]) -> dict[int, list[int]]:
    """For every unit at or below one of ``units``: the ids of the ``units`` it counts for."""
    from jisheng.core.models import OrgUnit

    if not units:
        return {}
    # One prefix for all the units (their street's path, for a street's communities): one
    # LIKE is a range on the unique path index, where an OR of a LIKE per unit is not, and
    # costs the ORM less to build. The exact owners are sorted out below.
    common = _shared_path([unit.path for unit in units])
    owners: dict[int, list[int]] = {}
    for pk, path in (
        OrgUnit.objects.filter(path__startswith=common).order_by().values_list("pk", "path")
    ):
        found = [unit.pk for unit in units if path.startswith(unit.path)]
        if found:
            owners[pk] = found
    return owners


def grouped(
    records: QuerySet[Any], field: str, units: Sequence[OrgUnit], **sums: Any
) -> dict[int, dict[str, int]]:
    """Counts or sums (``sums``: aggregate expressions) of ``records`` per unit of ``units``,
    each with its subtree; ``field`` leads from a record to its OrgUnit. One grouped query."""
    owners = owners_of(units)
    totals = {unit.pk: dict.fromkeys(sums, 0) for unit in units}
    rows = (
        records.filter(**{f"{field}__in": list(owners)}).order_by().values(field).annotate(**sums)
    )
    for row in rows:
        for unit_id in owners[row[field]]:
            for name in sums:
                totals[unit_id][name] += row[name] or 0
    return totals
