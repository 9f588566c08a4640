"""The monitor's periods: what each key names, the step back, and refused keys."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.core.errors import JishengError
from jisheng.governance.periods import of_month, parse_period


def test_each_kind_of_period_spans_its_days() -> None:
    assert parse_period("2026-02").start == dt.date(2026, 2, 1)
    assert parse_period("2026-02").end == dt.date(2026, 2, 28)
    quarter = parse_period("2026Q2")
    assert (quarter.start, quarter.end) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    year = parse_period("2025")
    assert (year.start, year.end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    rolling = parse_period("R2026-05")
    assert (rolling.start, rolling.end) == (dt.date(2025, 6, 1), dt.date(2026, 5, 31))


def test_stepping_back_keeps_the_kind() -> None:
    assert of_month("rolling", dt.date(2026, 5, 9)).previous().key == "R2026-04"
    assert of_month("quarter", dt.date(2026, 2, 9)).previous().key == "2025Q4"
    assert of_month("month", dt.date(2026, 1, 9)).previous(2).key == "2025-11"
    assert of_month("year", dt.date(2026, 1, 9)).previous().key == "2025"


@pytest.mark.parametrize("text", ["", "2026-13", "2026Q5", "R2026", "1800", "２０２６", "2026-1"])
def test_a_bad_key_is_refused(text: str) -> None:
    with pytest.raises(JishengError):
        parse_period(text)
