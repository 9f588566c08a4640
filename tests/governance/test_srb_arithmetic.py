"""The sex-ratio arithmetic against figures worked out by hand: the Wilson interval of the
proportion of boys mapped to boys per 100 girls, and where each verdict begins."""

from __future__ import annotations

import pytest

from jisheng.governance.srb import (
    Verdict,
    as_ratio,
    sex_ratio,
    wilson,
)


def test_wilson_interval_matches_the_hand_computation() -> None:
    # 540 boys of 1000 births, z = 1.96: p = 0.54, z²/n = 0.0038416,
    # centre = (0.54 + 0.0019208) / 1.0038416 = 0.539846..., half = 1.96·√(0.000248400...)/1.0038416
    low, high = wilson(540, 1000)
    assert low == pytest.approx(0.50900, abs=5e-5)
    assert high == pytest.approx(0.57069, abs=5e-5)


def test_ratio_and_interval_of_a_large_cell() -> None:
    figure = sex_ratio(540, 460, minimum=100)
    assert figure.births == 1000
    assert figure.ratio == pytest.approx(117.391, abs=1e-3)  # 540 / 460 · 100
    # The bounds are the proportion's bounds as ratios: 100 p / (1 - p).
    assert figure.low == pytest.approx(100 * 0.50900 / 0.49100, abs=0.02)  # 103.67
    assert figure.high == pytest.approx(100 * 0.57069 / 0.42931, abs=0.02)  # 132.93
    assert figure.verdict == Verdict.NORMAL  # 103.67 ≤ 107: the interval reaches the range


def test_no_girls_has_no_ratio_and_an_open_upper_bound() -> None:
    figure = sex_ratio(5, 0, minimum=1)
    assert figure.ratio is None
    assert figure.high is None
    # Wilson lower bound for 5 of 5: n / (n + z²) = 5 / 8.8415 = 0.56552 → 130.16 boys per 100.
    assert figure.low == pytest.approx(130.16, abs=0.01)
    assert figure.verdict == Verdict.HIGH


def test_no_boys_is_a_ratio_of_zero() -> None:
    figure = sex_ratio(0, 5, minimum=1)
    assert figure.ratio == 0
    assert figure.low == 0
    # Upper bound for 0 of 5: z² / (n + z²) = 3.8415 / 8.8415 = 0.43448 → 76.83.
    assert figure.high == pytest.approx(76.83, abs=0.01)
    assert figure.verdict == Verdict.LOW


def test_no_births_at_all() -> None:
    figure = sex_ratio(0, 0, minimum=0)
    assert figure.births == 0
    assert figure.ratio is None
    assert figure.interval is None
    assert figure.verdict == Verdict.TOO_FEW


def test_a_tiny_cell_has_a_wide_interval_and_is_not_judged() -> None:
    figure = sex_ratio(1, 1)
    assert figure.ratio == 100
    # 1 of 2: centre 0.5, half = 1.96·√(0.125 + 0.2401)/2.9208 ≈ 0.40546 → 0.0945 … 0.9055.
    assert figure.low == pytest.approx(100 * 0.094531 / 0.905469, abs=0.01)  # 10.44
    assert figure.high == pytest.approx(100 * 0.905469 / 0.094531, abs=0.1)  # 957.85
    assert figure.verdict == Verdict.TOO_FEW


def test_the_minimum_of_births_is_a_setting(settings) -> None:
    assert sex_ratio(60, 39).verdict == Verdict.TOO_FEW  # 99 births under the default 100
    assert sex_ratio(60, 40).verdict != Verdict.TOO_FEW
    settings.JISHENG_SRB_MINIMUM_BIRTHS = 50
    assert sex_ratio(30, 20).verdict != Verdict.TOO_FEW


def _boys_for_lower_bound(n: int, bound: float) -> int:
    """The fewest boys of n births whose interval's lower bound exceeds ``bound``."""
    return next(b for b in range(n + 1) if (as_ratio(wilson(b, n)[0]) or 0) > bound)


def test_verdict_changes_exactly_where_the_lower_bound_passes_107() -> None:
    n = 2000
    boys = _boys_for_lower_bound(n, 107)
    above = sex_ratio(boys, n - boys, minimum=100)
    below = sex_ratio(boys - 1, n - boys + 1, minimum=100)
    assert above.low is not None
    assert above.low > 107
    assert above.verdict == Verdict.HIGH
    assert below.low is not None
    assert below.low <= 107
    assert below.verdict == Verdict.NORMAL


def test_verdict_changes_exactly_where_the_upper_bound_falls_below_103() -> None:
    n = 2000
    boys = next(
        b
        for b in range(n, -1, -1)
        if (high := as_ratio(wilson(b, n)[1])) is not None and high < 103
    )
    low = sex_ratio(boys, n - boys, minimum=100)
    normal = sex_ratio(boys + 1, n - boys - 1, minimum=100)
    assert low.verdict == Verdict.LOW
    assert normal.high is not None
    assert normal.high >= 103
    assert normal.verdict == Verdict.NORMAL
