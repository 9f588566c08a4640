"""A standard form as data: columns, one row per community, the total row; the same table
feeds the page, the print view and the workbook, for staff or for outside parties."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from jisheng.core import suppression
from jisheng.core.models import OrgUnit
from jisheng.core.suppression import Mark
from jisheng.reports.forms.periods import Labelled

Number = int | Decimal


@dataclass(frozen=True)
class Column:
    """One column. ``kind``: a count, an amount (yuan) that ``follows`` a count, or a rate
    (percent) of two counts, ``rate_of`` = (numerator, denominator)."""

    key: str
    label: str
    group: str = ""
    kind: str = "count"
    follows: str = ""
    rate_of: tuple[str, str] | None = None

    @property
    def is_count(self) -> bool:
        return self.kind == "count"

    @property
    def sources(self) -> tuple[str, ...]:
        """The counts this column's figure is made from (hidden with any of them)."""
        if self.rate_of is not None:
            return self.rate_of
        return (self.follows,) if self.follows else ()


@dataclass(frozen=True)
class Row:
    label: str
    values: Mapping[str, Number | None]
    unit: OrgUnit | None = None


@dataclass(frozen=True)
class Cell:
    value: object
    mark: Mark = Mark.SHOWN
    kind: str = "count"
    key: str = ""

    @property
    def shown(self) -> object:
        return suppression.shown(self.value, self.mark)

    @property
    def text(self) -> str:
        """The cell as printed: thousands separated, amounts with cents, rates with one decimal."""
        if self.mark != Mark.SHOWN:
            return str(self.shown)
        if self.value is None:
            return "—"
        if self.kind == "amount":
            return f"{self.value:,.2f}"
        if self.kind == "rate":
            return f"{self.value:.1f}"
        return f"{self.value:,}"


@dataclass(frozen=True)
class FormTable:
    """The form for one period over the user's area. ``subtotals``: groups of column keys
    ``(part, …, total)`` that add up within a row (suppression keeps them safe too)."""

    slug: str
    title: str
    period: Labelled
    area: str
    columns: Sequence[Column]
    rows: Sequence[Row]
    total: Row
    subtotals: Sequence[tuple[str, ...]] = ()
    notes: Sequence[str] = field(default_factory=tuple)
    # The first column's heading; the standard forms' rows are communities.
    row_label: str = ""

    @property
    def groups(self) -> list[tuple[str, int]]:
        """(group label, number of columns) for the header's first row."""
        spans: list[tuple[str, int]] = []
        for column in self.columns:
            if spans and spans[-1][0] == column.group and column.group:
                spans[-1] = (column.group, spans[-1][1] + 1)
            else:
                spans.append((column.group, 1))
        return spans

    @property
    def has_groups(self) -> bool:
        return any(column.group for column in self.columns)

    @property
    def header(self) -> tuple[list[tuple[str, int, int]], list[str]]:
        """The header's two rows: (label, colspan, rowspan) of the first — a group over its
        columns, or an ungrouped column over both rows — and the grouped columns' labels."""
        first: list[tuple[str, int, int]] = []
        second: list[str] = []
        index = 0
        for group, span in self.groups:
            if group:
                first.append((group, span, 1))
                second.extend(column.label for column in self.columns[index : index + span])
            else:
                first.append((self.columns[index].label, 1, 2))
            index += span
        return first, second

    def grid(self, *, outside: bool = False) -> list[list[Cell]]:
        """Each row's cells, the total row last; ``outside``: small counts suppressed."""
        all_rows = [*self.rows, self.total]
        values = [[row.values.get(column.key) for column in self.columns] for row in all_rows]
        if not outside:
            marks = [[Mark.SHOWN] * len(self.columns) for _row in all_rows]
        else:
            marks = self._marks(values)
        return [
            [
                Cell(value, mark, column.kind, column.key)
                for value, mark, column in zip(row_values, row_marks, self.columns, strict=True)
            ]
            for row_values, row_marks in zip(values, marks, strict=True)
        ]

    def _marks(self, values: list[list[Number | None]]) -> list[list[Mark]]:
        index = {column.key: i for i, column in enumerate(self.columns)}
        counts = [
            [
                int(value or 0) if column.is_count else None
                for value, column in zip(row, self.columns, strict=True)
            ]
            for row in values
        ]
        sums = suppression.grid_sums(
            len(self.rows),
            [i for i, column in enumerate(self.columns) if column.is_count],
            total_row=len(self.rows),
            row_parts=[tuple(index[key] for key in group) for group in self.subtotals],
        )
        marks = suppression.suppress(counts, sums)
        for row_marks in marks:
            for i, column in enumerate(self.columns):
                if column.sources:
                    row_marks[i] = suppression.derived_mark(
                        [row_marks[index[key]] for key in column.sources]
                    )
        return marks


def rate(numerator: Number | None, denominator: Number | None) -> Decimal | None:
    """A percentage with one decimal, half up; None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator or 0) * 100 / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def table_of(
    *,
    slug: str,
    title: str,
    period: Labelled,
    area: str,
    columns: Sequence[Column],
    units: Sequence[OrgUnit],
    figures: Mapping[int, Mapping[str, Number]],
    total_label: str,
    subtotals: Sequence[tuple[str, ...]] = (),
    notes: Sequence[str] = (),
) -> FormTable:
    """The form from each unit's counts and amounts: rates computed per row, the total row
    summed from the rows (its rates from its sums). Units with figures but not in ``units``
    (a street's own store) get a row of their own after the communities."""
    listed = {unit.pk for unit in units}
    extra = [pk for pk in figures if pk not in listed]
    all_units = list(units) + sorted(OrgUnit.objects.filter(pk__in=extra), key=lambda u: u.path)
    rows = [
        Row(unit.name, _with_rates(columns, figures.get(unit.pk, {})), unit) for unit in all_units
    ]
    sums: dict[str, Number] = {}
    for column in columns:
        if column.rate_of is None:
            sums[column.key] = sum(
                (row.values.get(column.key) or 0 for row in rows),
                Decimal("0.00") if column.kind == "amount" else 0,
            )
    return FormTable(
        slug=slug,
        title=title,
        period=period,
        area=area,
        columns=columns,
        rows=rows,
        total=Row(total_label, _with_rates(columns, sums)),
        subtotals=subtotals,
        notes=notes,
    )


def _with_rates(
    columns: Sequence[Column], values: Mapping[str, Number]
) -> dict[str, Number | None]:
    row: dict[str, Number | None] = {}
    for column in columns:
        if column.rate_of is not None:
            row[column.key] = rate(values.get(column.rate_of[0]), values.get(column.rate_of[1]))
        else:
            row[column.key] = values.get(column.key) or (
                Decimal("0.00") if column.kind == "amount" else 0
            )
    return row
