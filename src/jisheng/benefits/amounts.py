"""What a program pays for one period: periods, monthly rates, tiers, proration. Pure functions."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from jisheng.benefits.eligibility.dates import month_ends
from jisheng.benefits.models import Cycle, Program, Proration
from jisheng.core.errors import JishengError

CENT = Decimal("0.01")
ONCE = "once"


@dataclass(frozen=True)
class Period:
    """The stretch of time one payment batch covers."""

    key: str  # "2026", "2026-03" or "once"
    start: dt.date
    end: dt.date

    def month_ends(self) -> list[dt.date]:
        return month_ends(self.start, self.end)


def period_for(program: Program, key: str, *, today: dt.date) -> Period:
    """The period named ``key`` for the program's cycle; a clear error for anything else."""
    key = key.strip()
    if program.cycle == Cycle.ONCE:
        if key != ONCE:
            raise JishengError(_("This program pays once: the period must be “once”."))
        return Period(ONCE, today, today)
    if program.cycle == Cycle.YEAR and re.fullmatch(r"\d{4}", key):
        year = int(key)
        if 2000 <= year <= 2100:
            return Period(key, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if program.cycle == Cycle.MONTH and re.fullmatch(r"\d{4}-\d{2}", key):
        year, month = int(key[:4]), int(key[5:])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            last = calendar.monthrange(year, month)[1]
            return Period(key, dt.date(year, month, 1), dt.date(year, month, last))
    example = "2026" if program.cycle == Cycle.YEAR else "2026-03"
    raise JishengError(
        _("“%(key)s” is not a period of this program; write it like %(example)s.")
        % {"key": key, "example": example}
    )


def monthly_rate(program_amount: Decimal, amount_per: str) -> Decimal:
    """The amount for one month (a yearly amount over twelve), unrounded."""
    return program_amount if amount_per == Cycle.MONTH else program_amount / 12


def period_amount(
    program: Program, tier_amounts: list[Decimal], month_codes: list[int]
) -> tuple[int, Decimal]:
    """(eligible months, amount) for one beneficiary.

    ``month_codes`` has one code per month of the period: -1 not eligible, 0 the program's
    amount, k the amount of tier k (1-based). Full proration pays the whole period at the
    rate of the last eligible month; month proration adds each eligible month's rate.
    """
    if program.amount is None:
        raise JishengError(_("This program pays no cash."))
    amount = program.amount
    eligible = [code for code in month_codes if code >= 0]
    if not eligible:
        return 0, Decimal("0.00")

    def rate(code: int) -> Decimal:
        base = amount if code == 0 else tier_amounts[code - 1]
        return monthly_rate(base, program.amount_per)

    if program.cycle == Cycle.ONCE or program.amount_per == Cycle.ONCE:
        base = amount if eligible[-1] == 0 else tier_amounts[eligible[-1] - 1]
        return len(eligible), base.quantize(CENT, ROUND_HALF_UP)
    if program.proration == Proration.FULL:
        total = rate(eligible[-1]) * len(month_codes)
    else:
        total = sum((rate(code) for code in eligible), Decimal(0))
    return len(eligible), total.quantize(CENT, ROUND_HALF_UP)
