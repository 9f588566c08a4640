"""What the pivot page offers: each rollup measure with the dimensions it can be cut by.

A dimension reads its value from one rollup cell (``Cut``) and names its values for people.
The unit dimension is the side-by-side unit of the viewer (a street's communities, a
district's streets), the same grouping as the dashboards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.benefits.models import Program
from jisheng.contraceptives.models import DistributionPoint, ProductCategory
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.registry.models import LifeEvent, ResidentStatus, Sex
from jisheng.reports.dashboards.charts import age_bands, band_label


class Cut(NamedTuple):
    """One rollup cell as the pivot reads it: the viewer's unit group instead of the unit."""

    group: int
    period: str
    d1: str
    d2: str
    d3: str
    d4: str


Labeller = Callable[[list[str]], dict[str, str]]


def _same(values: list[str]) -> dict[str, str]:
    return {value: value for value in values}


def _choices(choices: Iterable[tuple[str, object]]) -> Labeller:
    def label(values: list[str]) -> dict[str, str]:
        names = {str(value): str(name) for value, name in choices}
        return {value: names.get(value, value) for value in values}

    return label


def _units(values: list[str]) -> dict[str, str]:
    units = OrgUnit.objects.in_bulk([int(v) for v in values if v.isdigit()])
    return {v: units[int(v)].name if int(v) in units else v for v in values}


def _programs(values: list[str]) -> dict[str, str]:
    programs = Program.objects.in_bulk([int(v) for v in values if v.isdigit()])
    return {v: programs[int(v)].name if int(v) in programs else v for v in values}


def _points(values: list[str]) -> dict[str, str]:
    points = DistributionPoint.objects.in_bulk([int(v) for v in values if v.isdigit()])
    return {v: points[int(v)].name if int(v) in points else v for v in values}


def _birth_orders(values: list[str]) -> dict[str, str]:
    names = {"1": _("First child"), "2": _("Second child"), "3": _("Third child or later")}
    return {v: names.get(v, v) for v in values}


def _floating(values: list[str]) -> dict[str, str]:
    names = {"0": _("Registered here"), "1": _("Floating")}
    return {v: names.get(v, v) for v in values}


def _spouses_checked(values: list[str]) -> dict[str, str]:
    names = {"0": _("Not checked"), "1": _("One spouse checked"), "2": _("Both spouses checked")}
    return {v: names.get(v, v) for v in values}


@lru_cache(maxsize=1024)  # called once per rollup cell: a pivot by age reads thousands
def age_band_of(birth_year: str, today: dt.date) -> str:
    """The 5-year age band (this year minus the birth year) a birth year falls in, as its label."""
    age = max(0, today.year - int(birth_year))
    bands = age_bands()
    low, high = bands[min(age // 5, len(bands) - 1)]
    return band_label(low, high)


def _band_order(value: str) -> tuple[int, str]:
    digits = value.split("-")[0].rstrip("+")
    return (int(digits) if digits.isdigit() else 999, value)


def _quarter(period: str) -> str:
    return f"{period[:4]}Q{(int(period[5:7]) - 1) // 3 + 1}" if len(period) == 7 else period


@dataclass(frozen=True)
class Dimension:
    """``read(cut, today)``: the cell's value; ``labels``: people's names for values;
    ``order``: sort key of a value (default: the value itself)."""

    key: str
    label: str | Promise
    read: Callable[[Cut, dt.date], str]
    labels: Labeller = _same
    order: Callable[[str], object] = str


UNIT = Dimension("unit", gettext_lazy("Unit"), lambda c, _t: str(c.group), _units)
YEAR = Dimension("year", gettext_lazy("Year"), lambda c, _t: c.period[:4])
QUARTER = Dimension("quarter", gettext_lazy("Quarter"), lambda c, _t: _quarter(c.period))
MONTH = Dimension("month", gettext_lazy("Month"), lambda c, _t: c.period)
MONTHLY = (UNIT, YEAR, QUARTER, MONTH)


def _column(
    key: str,
    label: Promise,
    column: str,
    labels: Labeller = _same,
    order: Callable[[str], object] = str,
) -> Dimension:
    return Dimension(key, label, lambda c, _t: getattr(c, column), labels, order)


def _choice_order(choices: Iterable[tuple[str, object]]) -> Callable[[str], object]:
    """Values in the order their choices are declared (男 before 女), unknown ones last."""
    rank = {str(value): i for i, (value, _name) in enumerate(choices)}
    return lambda value: (rank.get(value, len(rank)), value)


@dataclass(frozen=True)
class CubeMeasure:
    """A rollup measure offered on the pivot page.

    ``periods``: ``"month"`` (cells per month), ``"year"`` or ``""`` (the state now: no period
    filter). ``amount``: the label of the summed amount, when the measure has one.
    ``readers``: the duties that may see it (any one), as on the dashboards.
    """

    key: str
    label: str | Promise
    rollup: str
    count: str | Promise
    periods: str
    dimensions: tuple[Dimension, ...]
    readers: tuple[Capability, ...]
    amount: str | Promise | None = None

    def dimension(self, key: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.key == key), None)


RESIDENTS = (Capability.VIEW_PERSONAL, Capability.VIEW_AGGREGATES)

MEASURES: dict[str, CubeMeasure] = {
    m.key: m
    for m in (
        CubeMeasure(
            "persons",
            gettext_lazy("Residents"),
            "persons",
            gettext_lazy("Persons"),
            "",
            (
                UNIT,
                _column("status", gettext_lazy("Status"), "d1", _choices(ResidentStatus.choices)),
                _column(
                    "sex",
                    gettext_lazy("Sex"),
                    "d2",
                    _choices(Sex.choices),
                    _choice_order(Sex.choices),
                ),
                Dimension(
                    "age_band",
                    gettext_lazy("Age band"),
                    lambda c, today: age_band_of(c.d3, today) if c.d3.isdigit() else "",
                    order=_band_order,
                ),
                _column("floating", gettext_lazy("Registered here or floating"), "d4", _floating),
            ),
            RESIDENTS,
        ),
        CubeMeasure(
            "households",
            gettext_lazy("Households"),
            "households",
            gettext_lazy("Households"),
            "",
            (UNIT,),
            RESIDENTS,
        ),
        CubeMeasure(
            "births",
            gettext_lazy("Births"),
            "births",
            gettext_lazy("Births"),
            "month",
            (
                *MONTHLY,
                _column(
                    "sex",
                    gettext_lazy("Sex"),
                    "d1",
                    _choices(Sex.choices),
                    _choice_order(Sex.choices),
                ),
                _column("birth_order", gettext_lazy("Birth order"), "d2", _birth_orders),
            ),
            RESIDENTS,
        ),
        CubeMeasure(
            "deaths",
            gettext_lazy("Deaths"),
            "deaths",
            gettext_lazy("Deaths"),
            "month",
            MONTHLY,
            RESIDENTS,
        ),
        CubeMeasure(
            "moves",
            gettext_lazy("Moves in and out"),
            "moves",
            gettext_lazy("Moves"),
            "month",
            (
                *MONTHLY,
                _column(
                    "move_kind",
                    gettext_lazy("Move"),
                    "d1",
                    _choices(
                        [
                            (LifeEvent.Kind.MOVE_IN, LifeEvent.Kind.MOVE_IN.label),
                            (LifeEvent.Kind.MOVE_OUT, LifeEvent.Kind.MOVE_OUT.label),
                        ]
                    ),
                ),
            ),
            RESIDENTS,
        ),
        CubeMeasure(
            "couples",
            gettext_lazy("Pre-pregnancy target couples"),
            "couples",
            gettext_lazy("Couples"),
            "month",
            (
                *MONTHLY,
                _column("spouses_checked", gettext_lazy("Checked"), "d1", _spouses_checked),
            ),
            (Capability.VIEW_HEALTH, Capability.VIEW_AGGREGATES),
        ),
        CubeMeasure(
            "issues",
            gettext_lazy("Contraceptives issued"),
            "issues",
            gettext_lazy("Issues"),
            "month",
            (
                *MONTHLY,
                _column(
                    "category",
                    gettext_lazy("Product kind"),
                    "d1",
                    _choices(ProductCategory.choices),
                ),
            ),
            (Capability.MANAGE_STOCK, Capability.VIEW_AGGREGATES),
            amount=gettext_lazy("Units issued"),
        ),
        CubeMeasure(
            "stock",
            gettext_lazy("Contraceptive stock on hand"),
            "stock",
            gettext_lazy("Units on hand"),
            "",
            (
                UNIT,
                _column("point", gettext_lazy("Distribution point"), "d1", _points),
                _column("expiry", gettext_lazy("Expiry month"), "d2"),
            ),
            (Capability.MANAGE_STOCK, Capability.VIEW_AGGREGATES),
        ),
        CubeMeasure(
            "payouts",
            gettext_lazy("Benefit payouts"),
            "payouts",
            gettext_lazy("Persons paid (per program and year)"),
            "year",
            (
                UNIT,
                YEAR,
                _column("program", gettext_lazy("Program"), "d1", _programs),
            ),
            RESIDENTS,
            amount=gettext_lazy("Amount (yuan)"),
        ),
    )
}
