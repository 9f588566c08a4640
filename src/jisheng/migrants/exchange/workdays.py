"""Working days for the feedback deadline: Monday to Friday.

Public holidays and the make-up working weekends (调休) are not known to the system: a
deadline over the Spring Festival falls earlier than the office counts it.
"""

from __future__ import annotations

import datetime as dt


def add_working_days(day: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``day`` (weekends skipped)."""
    current = day
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current
