"""Small-cell suppression for tables given to outside parties (对外).

A count from 1 to 4 is shown as "<5" (primary suppression). A table also publishes sums —
a column's total row, a row's subtotal — and one hidden cell among otherwise visible cells
of a sum is recovered by subtraction, so further cells are hidden (secondary suppression,
shown as "×") until every published sum that involves a hidden cell hides at least two, and
no hidden count is pinned down by the sum and what "<5" tells (two "<5" cells adding up to
8 must both be 4).

The rule is the usual one-sum-at-a-time heuristic, repeated until nothing changes: it
guarantees that no single published sum reveals a hidden value. Complements are the
smallest visible counts above zero (a hidden 0 next to a 1 would reveal both), interior
cells before totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

THRESHOLD = 5
SMALL = "<5"
HIDDEN = "×"

Cell = tuple[int, int]


class Mark(StrEnum):
    SHOWN = "shown"
    SMALL = "small"  # primary: a count from 1 to threshold - 1
    HIDDEN = "hidden"  # secondary: hidden so that a small one cannot be worked out


@dataclass(frozen=True)
class Sum:
    """A published sum: the cells ``parts`` add up to the cell ``total``."""

    parts: tuple[Cell, ...]
    total: Cell

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (*self.parts, self.total)


def grid_sums(
    rows: int, columns: Sequence[int], *, total_row: int, row_parts: Sequence[Sequence[int]] = ()
) -> list[Sum]:
    """The sums of a form: each column in ``columns`` over rows ``0..rows-1`` is its cell in
    ``total_row``; each group ``(part, …, total)`` of ``row_parts`` adds up within every row
    (the total row included)."""
    sums = [
        Sum(tuple((row, column) for row in range(rows)), (total_row, column)) for column in columns
    ]
    for group in row_parts:
        *parts, total = group
        for row in [*range(rows), total_row]:
            sums.append(Sum(tuple((row, part) for part in parts), (row, total)))
    return sums


def suppress(
    values: Sequence[Sequence[int | None]], sums: Sequence[Sum], *, threshold: int = THRESHOLD
) -> list[list[Mark]]:
    """Which cells of ``values`` to show, to show as "<5", and to hide.

    ``None`` cells are not counts (rates, amounts): they are marked shown here and follow
    the counts they derive from (see :func:`derived_mark`). Every published sum with a
    hidden cell ends with two or more hidden cells, none of them pinned by the sum.
    """
    marks = [
        [Mark.SMALL if value is not None and 0 < value < threshold else Mark.SHOWN for value in row]
        for row in values
    ]
    changed = True
    while changed:
        changed = False
        for one in sums:
            hidden = [cell for cell in one.cells if _mark(marks, cell) != Mark.SHOWN]
            if not hidden or (len(hidden) >= 2 and not _pinned(values, marks, one, threshold)):
                continue
            complement = _complement(values, marks, one)
            if complement is None:
                continue  # every cell of the sum is hidden already
            row, column = complement
            marks[row][column] = Mark.HIDDEN
            changed = True
    return marks


def _mark(marks: Sequence[Sequence[Mark]], cell: Cell) -> Mark:
    return marks[cell[0]][cell[1]]


def _value(values: Sequence[Sequence[int | None]], cell: Cell) -> int:
    return values[cell[0]][cell[1]] or 0


def _bounds(mark: Mark, threshold: int, known: int) -> tuple[int, int]:
    """What a reader can tell of a hidden cell: "<5" is 1 to 4; "×" anything up to the sum."""
    return (1, threshold - 1) if mark == Mark.SMALL else (0, known)


def _pinned(
    values: Sequence[Sequence[int | None]], marks: Sequence[Sequence[Mark]], one: Sum, t: int
) -> bool:
    """Whether a reader can work out a hidden cell of the sum from the visible ones."""
    total_hidden = _mark(marks, one.total) != Mark.SHOWN
    if total_hidden:
        # The sum itself is hidden: the parts are bounded only by their own marks; a
        # reader learns nothing exact from this sum unless all of it is hidden but one.
        return False
    remainder = _value(values, one.total) - sum(
        _value(values, cell) for cell in one.parts if _mark(marks, cell) == Mark.SHOWN
    )
    hidden = [cell for cell in one.parts if _mark(marks, cell) != Mark.SHOWN]
    bounds = [_bounds(_mark(marks, cell), t, remainder) for cell in hidden]
    low_all, high_all = sum(b[0] for b in bounds), sum(b[1] for b in bounds)
    for low, high in bounds:
        # This cell's range: the remainder less what the others can hold.
        lowest = max(low, remainder - (high_all - high))
        highest = min(high, remainder - (low_all - low))
        if lowest >= highest:
            return True
    return False


def _complement(
    values: Sequence[Sequence[int | None]], marks: Sequence[Sequence[Mark]], one: Sum
) -> Cell | None:
    visible = [cell for cell in one.cells if _mark(marks, cell) == Mark.SHOWN]
    if not visible:
        return None

    def cost(cell: Cell) -> tuple[bool, bool, int]:
        value = _value(values, cell)
        return (value == 0, cell == one.total, value)

    return min(visible, key=cost)


def derived_mark(marks: Sequence[Mark]) -> Mark:
    """The mark of a figure computed from counts (a rate, an amount): hidden with any of them."""
    return Mark.SHOWN if all(mark == Mark.SHOWN for mark in marks) else Mark.HIDDEN


def shown(value: object, mark: Mark) -> object:
    """The cell as an outside party sees it."""
    if mark == Mark.SMALL:
        return SMALL
    if mark == Mark.HIDDEN:
        return HIDDEN
    return value
