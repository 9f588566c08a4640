"""Working days as the office counts them: Monday to Friday, less the public holidays and
plus the make-up working weekends (调休) that ``CalendarDay`` holds.

A year the calendar holds nothing for counts Monday to Friday only; the calendar page warns
about such a year (``years_missing``), since each year's notice comes out in the November
before and someone has to enter it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from jisheng.core.models import CalendarDay

# Days read from the calendar at a time: longer than any holiday run with its weekends, so a
# deadline of a few weeks is found in one or two queries.
_WINDOW = dt.timedelta(days=62)


def _moved_days(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """The calendar's entries from ``start`` to ``end`` inclusive: date → kind."""
    return dict(CalendarDay.objects.filter(day__range=(start, end)).values_list("day", "kind"))


def _working(day: dt.date, moved: dict[dt.date, str]) -> bool:
    kind = moved.get(day)
    if kind is not None:
        return kind == CalendarDay.Kind.WORKDAY
    return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    """Whether the office works on ``day``."""
    return _working(day, _moved_days(day, day))


def add_working_days(day: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``day`` (``day`` itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current, left = day, days
    window_end = day
    moved: dict[dt.date, str] = {}
    while left > 0:
        current += dt.timedelta(days=1)
        if current > window_end:
            window_end = current + _WINDOW
            moved = _moved_days(current, window_end)
        if _working(current, moved):
            left -= 1
    return current


def years_missing(years: Iterable[int]) -> list[int]:
    """Those of ``years`` for which the calendar holds no day at all."""
    wanted = sorted(set(years))
    if not wanted:
        return []
    entered = set(
        CalendarDay.objects.filter(day__year__in=wanted).values_list("day__year", flat=True)
    )
    return [year for year in wanted if year not in entered]
