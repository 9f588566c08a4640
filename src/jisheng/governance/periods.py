"""The periods the sex-ratio monitor reads: a month, a quarter, a year or the 12 months
ending with a month (rolling). Written in a query string as ``2026-05``, ``2026Q2``,
``2026`` or ``R2026-05``."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jisheng.core.dates import add_months
from jisheng.core.errors import JishengError

KINDS = ("month", "quarter", "year", "rolling")
_PATTERNS = {
    "month": re.compile(r"(\d{4})-(\d{2})", re.ASCII),
    "quarter": re.compile(r"(\d{4})Q([1-4])", re.ASCII),
    "year": re.compile(r"(\d{4})", re.ASCII),
    "rolling": re.compile(r"R(\d{4})-(\d{2})", re.ASCII),
}


@dataclass(frozen=True)
class SrbPeriod:
    """A stretch of days, both ends included, with the key and label that name it."""

    kind: str
    start: dt.date
    end: dt.date
    key: str

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("%(year)d-%(month)02d") % {"year": self.start.year, "month": self.start.month}
        if self.kind == "quarter":
            return _("%(year)d Q%(quarter)d") % {
                "year": self.start.year,
                "quarter": (self.start.month - 1) // 3 + 1,
            }
        if self.kind == "year":
            return _("%(year)d") % {"year": self.start.year}
        return _("12 months to %(year)d-%(month)02d") % {
            "year": self.end.year,
            "month": self.end.month,
        }

    def previous(self, count: int = 1) -> SrbPeriod:
        """The period of the same kind ``count`` steps earlier."""
        step = {"month": 1, "quarter": 3, "year": 12, "rolling": 1}[self.kind]
        # A rolling window is named by its last month, the others by their first.
        anchor = self.end.replace(day=1) if self.kind == "rolling" else self.start
        return of_month(self.kind, add_months(anchor, -step * count))


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def of_month(kind: str, day: dt.date) -> SrbPeriod:
    """The period of ``kind`` that holds ``day`` (rolling: the 12 months ending with it)."""
    first = day.replace(day=1)
    if kind == "month":
        return SrbPeriod(kind, first, _month_end(first), f"{first:%Y-%m}")
    if kind == "quarter":
        start = first.replace(month=(first.month - 1) // 3 * 3 + 1)
        quarter = (start.month - 1) // 3 + 1
        return SrbPeriod(kind, start, _month_end(add_months(start, 2)), f"{start.year}Q{quarter}")
    if kind == "year":
        return SrbPeriod(kind, first.replace(month=1), dt.date(first.year, 12, 31), f"{first.year}")
    if kind == "rolling":
        return SrbPeriod(kind, add_months(first, -11), _month_end(first), f"R{first:%Y-%m}")
    raise ValueError(kind)


def parse_period(text: str) -> SrbPeriod:
    """The period a query string names; a 400 with a Chinese message otherwise."""
    text = text.strip()
    for kind, pattern in _PATTERNS.items():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        year = int(match[1])
        number = int(match[2]) if match.lastindex and match.lastindex > 1 else 1
        if kind == "quarter":
            number = (number - 1) * 3 + 1
        if 1949 <= year <= 2100 and 1 <= number <= 12:
            return of_month(kind, dt.date(year, number, 1))
    raise JishengError(
        _("Write the period like 2026-05, 2026Q2, 2026 or R2026-05."), code="invalid_period"
    )
