"""How a book line turns a value into points, how points make a total, and how totals rank.

Pure functions over decimals: the services call them, the tests check them by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from jisheng.core.indicators import Direction

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Terms:
    """A line's terms: the target, the floor (where points reach zero), scoring, weight."""

    target: Decimal
    floor: Decimal
    scoring: str  # "linear" or "step" (models.Scoring)
    weight: Decimal
    direction: Direction


def points(terms: Terms, value: Decimal | None) -> Decimal | None:
    """The line's points: the weight when the target is met; for ``linear``, a straight line
    from 0 at the floor up to the weight at the target; for ``step``, 0 short of it.
    None when there is no value (nothing to measure)."""
    if value is None:
        return None
    higher = terms.direction == Direction.HIGHER
    met = value >= terms.target if higher else value <= terms.target
    if met:
        return terms.weight
    if terms.scoring == "step":
        return Decimal(0)
    at_or_past_floor = value <= terms.floor if higher else value >= terms.floor
    if at_or_past_floor:
        return Decimal(0)
    share = (value - terms.floor) / (terms.target - terms.floor)
    return (terms.weight * share).quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(lines: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal:
    """Points of ``(weight, points)`` lines on a scale of 100.

    A line without a value (nothing to measure: no couple to serve, no follow-up due) is
    left out and the others are scaled up to 100, so a missing figure neither rewards nor
    penalises. No measured line at all gives 0.
    """
    measured = [(weight, got) for weight, got in lines if got is not None]
    weight_sum = sum((weight for weight, _ in measured), Decimal(0))
    if not weight_sum:
        return Decimal(0)
    got_sum = sum((got for _, got in measured), Decimal(0))
    return (got_sum * HUNDRED / weight_sum).quantize(CENT, rounding=ROUND_HALF_UP)


def total(line_points: Decimal, adjustments: Decimal, *, vetoed: bool) -> Decimal:
    """The assessment's total: indicator points plus adjustments, kept within 0–100; zero
    when a veto item applies (一票否决), whatever else was earned."""
    if vetoed:
        return Decimal(0)
    return min(HUNDRED, max(Decimal(0), line_points + adjustments))


def coefficient(score: Decimal, bands: Sequence[tuple[Decimal, Decimal]]) -> Decimal | None:
    """The bonus coefficient of the highest band ``(min_score, coefficient)`` the score
    reaches; None below every band."""
    reached = [(low, coef) for low, coef in bands if score >= low]
    return max(reached)[1] if reached else None


def ranks(totals: Sequence[Decimal]) -> list[int]:
    """Competition ranks (1, 1, 3): equal totals share a rank, the next rank skips."""
    return [1 + sum(1 for other in totals if other > mine) for mine in totals]
