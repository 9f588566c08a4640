"""Calendar helpers every app shares: month arithmetic and what a date may be (not in the
future, not before 1900, within the life of the person it happened to)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.core.errors import JishengError

# Nothing a record here describes happened earlier: the ID card's own earliest birth date.
EARLIEST_DATE = dt.date(1900, 1, 1)


def day_start(day: dt.date) -> dt.datetime:
    """The moment the local ``day`` begins (aware).

    Compare a timestamp column with ``day_start`` bounds rather than its ``__date``: the cast
    runs on every row (in Python, on SQLite) and keeps the column's index out of the query.
    """
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months; a day past the end of the target month becomes its last."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def not_in_future(date: dt.date, *, code: str = "future_date") -> dt.date:
    """``date`` if it is today or earlier (local time); else a 400 with ``code``.

    Records say what happened, not plans. ``code`` is a parameter because two APIs already
    publish different codes for this refusal (prepregnancy ``future_date``, contraceptives
    ``date_future``) and clients may rely on them.
    """
    if date > timezone.localdate():
        raise JishengError(_("The date lies in the future."), code=code)
    return date


def full_years(born: dt.date, on: dt.date) -> int:
    """Age in whole years on day ``on`` (one born on 29 February turns a year older on 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass(frozen=True)
class Lifetime:
    """The span within which something can have happened to a person (``died``: None alive)."""

    name: str
    born: dt.date
    died: dt.date | None = None


def possible_date(
    date: dt.date,
    *lives: Lifetime,
    future: bool = False,
    future_code: str = "future_date",
) -> dt.date:
    """``date`` if it can be the date of what is recorded; else a 400 saying why.

    Never before 1900; never after today unless ``future`` (an appointment, a due date);
    for each of ``lives``, not before that person's birth and not after their death.
    Pages, the API and the import reach this through the services, so all refuse alike.
    """
    if date < EARLIEST_DATE:
        raise JishengError(
            _("The date %(date)s lies before 1900.") % {"date": date.isoformat()},
            code="date_before_1900",
        )
    if not future:
        not_in_future(date, code=future_code)
    for life in lives:
        if date < life.born:
            raise JishengError(
                _("The date %(date)s lies before the birth of %(name)s (%(born)s).")
                % {"date": date.isoformat(), "name": life.name, "born": life.born.isoformat()},
                code="date_before_birth",
            )
        if life.died is not None and date > life.died:
            raise JishengError(
                _("The date %(date)s lies after the death of %(name)s (%(died)s).")
                % {"date": date.isoformat(), "name": life.name, "died": life.died.isoformat()},
                code="date_after_death",
            )
    return date


_MONTH_TEXT = re.compile(r"(\d{4})-(\d{2})")


def month_start(text: str) -> dt.date:
    """The first day of the month written ``YYYY-MM``, from 1900 to next year; a 400 saying
    how to write it otherwise (a filter's month is only ever looked at, never in the future
    beyond the coming year, and 9999-12 would overflow the month after it)."""
    match = _MONTH_TEXT.fullmatch(text.strip())
    latest = timezone.localdate().year + 1
    if match is None or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= latest:
        raise JishengError(
            _("Write the month as year-month, e.g. %(example)s.") % {"example": "2026-03"},
            code="invalid_month",
        )
    return dt.date(int(match[1]), int(match[2]), 1)
