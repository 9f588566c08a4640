"""csv_chunks makes every text cell formula-safe, for every caller, as write_xlsx does."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from jisheng.core.exports import FORMULA_PREFIXES, csv_chunks


def read(header: list[str], rows: list[list[object]]) -> list[list[str]]:
    text = b"".join(csv_chunks(header, rows)).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_text_starting_like_a_formula_gets_an_apostrophe(prefix: str) -> None:
    (_header, row) = read(["a"], [[f'{prefix}HYPERLINK("http://x")']])
    assert row == [f'\'{prefix}HYPERLINK("http://x")']


def test_header_cells_are_escaped_too() -> None:
    assert read(["=cmd", "姓名"], [])[0] == ["'=cmd", "姓名"]


def test_numbers_dates_and_plain_text_are_left_alone() -> None:
    rows = read(
        ["n"],
        [[Decimal("-960.00"), -3, dt.date(2026, 1, 2), None, "王芳", "'=already"]],
    )
    assert rows[1] == ["-960.00", "-3", "2026-01-02", "", "王芳", "'=already"]
