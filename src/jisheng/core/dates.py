"""Calendar helpers every app shares: month arithmetic and the "not in the future" rule."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.core.errors import JishengError


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
