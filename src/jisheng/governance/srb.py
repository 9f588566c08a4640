"""Sex ratio at birth (出生人口性别比): the arithmetic, free of the database.

The ratio is boys per 100 girls. Its 95% interval comes from the Wilson score interval of
the proportion of boys p = boys / births, mapped to the ratio by r = 100 p / (1 - p) (the
map is increasing, so the bounds map to bounds). The verdict compares the interval with the
normal range 103–107; a cell with fewer births than the minimum is not judged at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The two-sided 95% normal quantile.
Z95 = 1.959963984540054
NORMAL_LOW = 103.0
NORMAL_HIGH = 107.0
DEFAULT_MINIMUM_BIRTHS = 100


class Verdict(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    LOW = "low", _("Low")
    TOO_FEW = "too_few", _("Too few births to judge")


def minimum_births() -> int:
    """Births a cell needs before it is judged (setting ``JISHENG_SRB_MINIMUM_BIRTHS``)."""
    return int(getattr(settings, "JISHENG_SRB_MINIMUM_BIRTHS", DEFAULT_MINIMUM_BIRTHS))


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion; (0, 1) when there are no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    # Clamp the rounding: with 0 or all successes the bound is exactly 0 or 1.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def as_ratio(proportion: float) -> float | None:
    """Boys per 100 girls for a proportion of boys; None (unbounded) when it is 1."""
    if proportion >= 1.0:
        return None
    return 100.0 * proportion / (1.0 - proportion)


@dataclass(frozen=True)
class SexRatio:
    """One cell's figure: boys per 100 girls (None with no girls), its 95% interval (upper
    None: unbounded), the births and the verdict."""

    boys: int
    girls: int
    minimum: int = DEFAULT_MINIMUM_BIRTHS

    @property
    def births(self) -> int:
        return self.boys + self.girls

    @property
    def ratio(self) -> float | None:
        return None if self.girls == 0 else 100.0 * self.boys / self.girls

    @property
    def interval(self) -> tuple[float, float | None] | None:
        if self.births == 0:
            return None
        low, high = wilson(self.boys, self.births)
        return as_ratio(low) or 0.0, as_ratio(high)

    @property
    def low(self) -> float | None:
        return None if self.interval is None else self.interval[0]

    @property
    def high(self) -> float | None:
        return None if self.interval is None else self.interval[1]

    @property
    def verdict(self) -> Verdict:
        interval = self.interval
        if interval is None or self.births < self.minimum:
            return Verdict.TOO_FEW
        low, high = interval
        if low > NORMAL_HIGH:
            return Verdict.HIGH
        if high is not None and high < NORMAL_LOW:
            return Verdict.LOW
        return Verdict.NORMAL


def sex_ratio(boys: int, girls: int, minimum: int | None = None) -> SexRatio:
    """The figure for ``boys`` and ``girls`` judged against ``minimum`` (else the setting)."""
    return SexRatio(boys, girls, minimum_births() if minimum is None else minimum)
