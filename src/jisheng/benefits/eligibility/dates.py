"""Calendar arithmetic for ages: the SQL compiler and the explainer both count ages from here."""

from __future__ import annotations

import calendar
import datetime as dt

from jisheng.core.dates import add_months


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def born_by_for_age(as_of: dt.date, amount: int, unit: str) -> dt.date:
    """The latest birth date at which someone has reached ``amount`` years/months on ``as_of``.

    Age is defined by this one cut-off everywhere: age >= n  <=>  birth date <= cut-off(n).
    """
    return add_months(as_of, -amount * (12 if unit == "years" else 1))


def age_on(birth: dt.date, as_of: dt.date, unit: str) -> int:
    """Whole years or months reached on ``as_of``, consistent with :func:`born_by_for_age`."""
    months = (as_of.year - birth.year) * 12 + as_of.month - birth.month
    age = months // 12 if unit == "years" else months
    # The estimate is off by at most one; settle it on the cut-off itself.
    while birth > born_by_for_age(as_of, age, unit):
        age -= 1
    while birth <= born_by_for_age(as_of, age + 1, unit):
        age += 1
    return age


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The last day of every month from ``start``'s month to ``end``'s month."""
    ends = []
    current = dt.date(start.year, start.month, 1)
    while current <= end:
        ends.append(current.replace(day=calendar.monthrange(current.year, current.month)[1]))
        current = add_months(current, 1)
    return ends
