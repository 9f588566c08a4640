"""Dashboard charts as data: what a chart shows, the same numbers as its table, and where a
bar leads. Apps declare charts in ``ModuleConfig.dashboard_charts``; the reports app draws
them (ECharts) for the user who asks, so a domain app adds a chart without importing reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.utils.functional import Promise

if TYPE_CHECKING:
    from jisheng.accounts.models import User

ChartKind = Literal["bar", "pyramid"]


@dataclass(frozen=True)
class Series:
    """One row of numbers along the categories: drawn as bars (stacked by ``stack``) or a line
    (on the right axis when ``right_axis``); ``table_only``: a column of the table, not drawn.

    ``links``: for each category, the scoped list behind this series' bar (or ``""``), when the
    series' bars lead to different lists (inflow and outflow of one month); empty: the
    category's link of the chart."""

    name: str | Promise
    values: list[float | int | None]
    line: bool = False
    stack: str = ""
    right_axis: bool = False
    table_only: bool = False
    links: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ChartData:
    """A chart and its table: one row per category, one column per series.

    ``links``: for each category, the scoped list of its records, or ``""`` (no list, or
    the user may not read the records). ``as_of``: when the figures were last refreshed.
    """

    categories: list[str]
    series: list[Series]
    as_of: dt.datetime | None
    kind: ChartKind = "bar"
    links: list[str] = field(default_factory=list)
    category_label: str | Promise = ""
    note: str | Promise = ""


@dataclass(frozen=True)
class Chart:
    """A chart an app offers: ``build(user)`` returns its data for that user, or None when the
    user's duties do not cover it. ``order``: lower is higher on the page."""

    key: str
    title: str | Promise
    build: Callable[[User], ChartData | None]
    order: int = 50
