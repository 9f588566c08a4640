"""Answering a pivot question from the rollups: one grouped read over the viewer's area,
then the cells regrouped in Python by the two dimensions asked (a few thousand cells)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.core.charts import ChartData, Series
from jisheng.core.figures_cache import cached_figures
from jisheng.reports.forms.tables import Column, FormTable, Row
from jisheng.reports.pivot.cube import Cut, Dimension
from jisheng.reports.pivot.models import SavedPivot
from jisheng.reports.pivot.query import PivotQuery
from jisheng.reports.rollups import selectors as rollups

# Beyond these the table is no longer something to read: the page asks for a narrower cut.
MAX_ROWS = 400
MAX_COLUMNS = 40
TOTAL = "total"

Number = int | Decimal


class TooLarge(ValueError):
    """The cut has more rows or columns than a page can show (the message says which)."""


@dataclass(frozen=True)
class Values:
    """A dimension's values in the answer, in order, with their names."""

    keys: list[str]
    labels: dict[str, str]

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """``(key, name)`` in order, for a picker (a key without a name: ``""``)."""
        return [(key, self.labels.get(key, "")) for key in self.keys]


@dataclass(frozen=True)
class PivotAnswer:
    """The figures of a question: ``cells[(row, column)]`` (column ``""`` with no columns);
    ``options``: every value of every dimension in the period, for the filter pickers."""

    query: PivotQuery
    rows: Values
    columns: Values | None
    cells: dict[tuple[str, str], Number]
    options: dict[str, Values]
    as_of: dt.datetime | None

    def figure(self, row: str, column: str = "") -> Number:
        return self.cells.get((row, column), self._zero)

    @property
    def _zero(self) -> Number:
        return Decimal("0.00") if self.query.amount else 0


def _values(dimension: Dimension, keys: set[str]) -> Values:
    ordered = sorted(keys, key=dimension.order)  # type: ignore[arg-type]
    return Values(ordered, dimension.labels(ordered))


# An answer without its question (which holds functions, not kept in a cache): rows, columns,
# cells, options, as of.
_Figures = tuple[
    Values, Values | None, dict[tuple[str, str], Number], dict[str, Values], dt.datetime | None
]


def answer(user: User, query: PivotQuery, *, today: dt.date) -> PivotAnswer:
    """The question's figures over the user's area; ``TooLarge`` for a cut too wide to read.
    Kept per question, area, duties and rollup version (``core.figures_cache``)."""
    as_of = rollups.as_of()
    figures = cached_figures(
        "reports.pivot",
        user,
        lambda: _figures(user, query, today=today, as_of=as_of),
        version=as_of,
        params=query.params(),
    )
    return PivotAnswer(query, *figures)


def _figures(
    user: User, query: PivotQuery, *, today: dt.date, as_of: dt.datetime | None
) -> _Figures:
    measure = query.measure
    period_filter: dict[str, object] = {}
    if measure.periods == "month":
        period_filter = {"period__gte": query.start, "period__lte": query.end}
    elif measure.periods == "year":
        period_filter = {"period__gte": query.start[:4], "period__lte": query.end[:4]}
    totals = rollups.totals(
        user, measure.rollup, ("unit_id", "period", "d1", "d2", "d3", "d4"), **period_filter
    )
    layout = rollups.unit_groups(user)
    # Side-by-side units in the page's order (the unit dimension sorts by it, not by id).
    unit_rank = {str(unit.pk): rank for rank, unit in enumerate(layout.groups)}
    seen: dict[str, set[str]] = defaultdict(set)
    cells: dict[tuple[str, str], Number] = defaultdict(
        lambda: Decimal("0.00") if query.amount else 0
    )
    for key, (count, amount) in totals.items():
        group = layout.group_of.get(int(key[0]))
        if group is None:
            continue
        cut = Cut(group, *key[1:])
        values = {d.key: d.read(cut, today) for d in measure.dimensions}
        for dimension_key, value in values.items():
            seen[dimension_key].add(value)
        if any(values[k] not in kept for k, kept in query.filters.items()):
            continue
        column = values[query.columns.key] if query.columns else ""
        cells[(values[query.rows.key], column)] += amount if query.amount else count
    options = {}
    for dimension in measure.dimensions:
        if dimension.key == "unit":
            keys = sorted(seen["unit"], key=lambda k: unit_rank.get(k, len(unit_rank)))
            options["unit"] = Values(keys, dimension.labels(keys))
        else:
            options[dimension.key] = _values(dimension, seen[dimension.key])
    row_keys = {row for row, _column in cells}
    column_keys = {column for _row, column in cells}
    rows = _keep_order(options[query.rows.key], row_keys)
    columns = _keep_order(options[query.columns.key], column_keys) if query.columns else None
    if len(rows.keys) > MAX_ROWS:
        raise TooLarge(
            _("The table would have %(n)d rows; choose a narrower cut or fewer months.")
            % {"n": len(rows.keys)}
        )
    if columns is not None and len(columns.keys) > MAX_COLUMNS:
        raise TooLarge(
            _("The table would have %(n)d columns; choose other columns or fewer months.")
            % {"n": len(columns.keys)}
        )
    return rows, columns, dict(cells), options, as_of


def _keep_order(values: Values, present: set[str]) -> Values:
    return Values([k for k in values.keys if k in present], values.labels)


def as_table(found: PivotAnswer, *, area: str, period: str) -> FormTable:
    """The answer as a form table (page, print, workbook and outside-party suppression): one
    column per column value and a total column; a total row."""
    query = found.query
    kind = "amount" if query.amount else "count"
    value_label = str(query.measure.amount if query.amount else query.measure.count)
    columns = (
        [
            Column(f"c{i}", found.columns.label(key), kind=kind)
            for i, key in enumerate(found.columns.keys)
        ]
        if found.columns
        else []
    )
    columns.append(Column(TOTAL, _("Total") if found.columns else value_label, kind=kind))
    column_keys = found.columns.keys if found.columns else []
    zero: Number = Decimal("0.00") if query.amount else 0

    def row_values(row: str) -> dict[str, Number | None]:
        values: dict[str, Number | None] = {
            f"c{i}": found.figure(row, key) for i, key in enumerate(column_keys)
        }
        values[TOTAL] = (
            sum((found.figure(row, key) for key in column_keys), zero)
            if column_keys
            else found.figure(row)
        )
        return values

    rows = [Row(found.rows.label(key), row_values(key)) for key in found.rows.keys]
    total = {
        column.key: sum((row.values[column.key] or zero for row in rows), zero)
        for column in columns
    }
    return FormTable(
        slug="pivot",
        title=str(query.measure.label),
        period=_Period(period),
        area=area,
        columns=columns,
        rows=rows,
        total=Row(_("Total"), total),
        subtotals=[tuple(c.key for c in columns)] if column_keys else (),
        row_label=str(query.rows.label),
    )


@dataclass(frozen=True)
class _Period:
    label: str


def as_chart(found: PivotAnswer) -> ChartData:
    """The answer as bars: one bar per row value, one series per column value."""
    query = found.query
    categories = [found.rows.label(key) for key in found.rows.keys]
    if found.columns is None:
        series = [
            Series(
                (query.measure.amount or "") if query.amount else query.measure.count,
                [float(found.figure(key)) for key in found.rows.keys],
            )
        ]
    else:
        series = [
            Series(
                found.columns.label(column),
                [float(found.figure(row, column)) for row in found.rows.keys],
            )
            for column in found.columns.keys
        ]
    return ChartData(
        categories=categories,
        series=series,
        as_of=found.as_of,
        category_label=query.rows.label,
    )


def favourites(user: User) -> list[SavedPivot]:
    """The user's own saved questions, by name."""
    return list(SavedPivot.objects.filter(owner=user).order_by("name"))
