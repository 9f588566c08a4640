"""Small-cell suppression: counts under 5 hidden, and never recoverable from the totals."""

from __future__ import annotations

import random

from jisheng.core.suppression import Mark, Sum, derived_mark, grid_sums, shown, suppress


def with_totals(cells: list[list[int]]) -> list[list[int | None]]:
    """Rows with a row-total column, then the column-total row."""
    rows: list[list[int | None]] = [[*row, sum(row)] for row in cells]
    rows.append([sum(column) for column in zip(*rows, strict=True)])  # type: ignore[arg-type]
    return rows


def sums_of(cells: list[list[int]]) -> list[Sum]:
    width = len(cells[0])
    return grid_sums(
        len(cells),
        list(range(width + 1)),
        total_row=len(cells),
        row_parts=[tuple(range(width + 1))],
    )


def hidden_cells(marks: list[list[Mark]]) -> list[tuple[int, int]]:
    return [
        (r, c) for r, row in enumerate(marks) for c, mark in enumerate(row) if mark != Mark.SHOWN
    ]


def feasible_values(
    values: list[list[int | None]], marks: list[list[Mark]], sums: list[Sum], cell: tuple[int, int]
) -> set[int]:
    """Every value ``cell`` can take given what is published: the visible cells, "<5" as
    1–4, "×" as anything up to the grand total, and every sum (a search that fills the
    hidden cells one by one, a sum with one cell left fixing that cell)."""
    hidden = hidden_cells(marks)
    grand = max(v or 0 for row in values for v in row)
    bounds = {at: (1, 4) if marks[at[0]][at[1]] == Mark.SMALL else (0, grand) for at in hidden}
    found: set[int] = set()

    def known(trial: dict[tuple[int, int], int], at: tuple[int, int]) -> int | None:
        if at in bounds:
            return trial.get(at)
        return values[at[0]][at[1]] or 0

    def search(trial: dict[tuple[int, int], int]) -> None:
        # Propagate: a sum with a single open cell fixes it.
        trial = dict(trial)
        changed = True
        while changed:
            changed = False
            for one in sums:
                cells = (*one.parts, one.total)
                open_ = [at for at in cells if known(trial, at) is None]
                if len(open_) == 1:
                    at = open_[0]
                    parts = sum(known(trial, p) or 0 for p in one.parts if p != at)
                    value = parts if at == one.total else (known(trial, one.total) or 0) - parts
                    low, high = bounds[at]
                    if not low <= value <= high:
                        return
                    trial[at] = value
                    changed = True
                elif not open_ and sum(known(trial, p) or 0 for p in one.parts) != known(
                    trial, one.total
                ):
                    return
        open_cells = [at for at in hidden if at not in trial]
        if not open_cells:
            found.add(trial[cell])
            return
        at = open_cells[0]
        low, high = bounds[at]
        for value in range(low, high + 1):
            search({**trial, at: value})
            if len(found) >= 2 and cell in trial:
                return

    search({})
    return found


def assert_safe(cells: list[list[int]]) -> list[list[Mark]]:
    values, sums = with_totals(cells), sums_of(cells)
    marks = suppress(values, sums)
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            if value is not None and 0 < value < 5:
                assert marks[r][c] == Mark.SMALL, (r, c)
    for cell in hidden_cells(marks):
        if marks[cell[0]][cell[1]] == Mark.SMALL:
            assert len(feasible_values(values, marks, sums, cell)) >= 2, (cells, cell, marks)
    return marks


def test_counts_of_five_or_more_and_zeros_are_shown() -> None:
    marks = suppress([[0, 5, 12]], [])
    assert marks == [[Mark.SHOWN, Mark.SHOWN, Mark.SHOWN]]


def test_a_row_with_a_single_small_cell_hides_a_second_cell_of_the_row() -> None:
    # Row 0: 3 beside 10 and 20, total 33: hiding only the 3 leaves 33 - 10 - 20 = 3.
    cells = [[3, 10, 20], [8, 9, 30]]
    marks = assert_safe(cells)
    assert marks[0][0] == Mark.SMALL
    row_hidden = [c for c in range(4) if marks[0][c] != Mark.SHOWN]
    assert len(row_hidden) >= 2
    # The complement is the smallest other count of the row, not its total.
    assert marks[0][1] == Mark.HIDDEN
    assert marks[0][3] == Mark.SHOWN


def test_complementary_cells_close_the_column_as_well() -> None:
    # The row complement (10) opens its column, so that column hides a second cell too:
    # the classic rectangle of four hidden cells.
    cells = [[3, 10, 20], [8, 9, 30], [7, 6, 25]]
    marks = assert_safe(cells)
    for column in range(4):
        in_column = [r for r in range(4) if marks[r][column] != Mark.SHOWN]
        assert len(in_column) != 1, (column, marks)
    for row in range(4):
        in_row = [c for c in range(4) if marks[row][c] != Mark.SHOWN]
        assert len(in_row) != 1, (row, marks)


def test_two_small_cells_that_pin_each_other_get_a_third() -> None:
    # 4 + 4 = 8 with nothing else hidden: "<5" and "<5" making 8 must both be 4.
    values: list[list[int | None]] = [[4, 4, 8]]
    marks = suppress(values, [Sum(((0, 0), (0, 1)), (0, 2))])
    assert marks[0][2] == Mark.HIDDEN


def test_a_small_total_is_hidden_with_a_complement_in_its_column() -> None:
    cells = [[1, 20], [2, 30]]
    marks = assert_safe(cells)
    assert marks[2][0] == Mark.SMALL  # the column total 3


def test_random_tables_never_reveal_a_small_cell() -> None:
    rng = random.Random(17)
    for _ in range(25):
        cells = [[rng.choice([0, 1, 2, 3, 6, 9, 12]) for _c in range(3)] for _r in range(2)]
        assert_safe(cells)


def test_rates_and_amounts_follow_the_counts_they_come_from() -> None:
    assert derived_mark([Mark.SHOWN, Mark.SHOWN]) == Mark.SHOWN
    assert derived_mark([Mark.SHOWN, Mark.SMALL]) == Mark.HIDDEN
    assert shown(3, Mark.SMALL) == "<5"
    assert shown(40, Mark.HIDDEN) == "×"
    assert shown(40, Mark.SHOWN) == 40


def test_the_checker_finds_a_value_recovered_from_a_total() -> None:
    # Primary suppression alone: the 3 is the row total less the visible cells.
    cells = [[3, 10, 20], [8, 9, 30]]
    values, sums = with_totals(cells), sums_of(cells)
    only_primary = [[Mark.SMALL if v == 3 else Mark.SHOWN for v in row] for row in values]
    assert feasible_values(values, only_primary, sums, (0, 0)) == {3}
    # With the complements chosen by ``suppress`` it can be any of several values.
    assert len(feasible_values(values, suppress(values, sums), sums, (0, 0))) >= 2
