"""Benefits test helpers: move an application's past steps to an earlier day.

A public notice may start only once its applications passed street review; tests that post
a notice "earlier" record the steps as taken that day (as a real office would have).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jisheng.benefits.models import Application, Transition


def steps_taken_on(application: Application, day: dt.date) -> None:
    """Every step recorded so far on the application happened on ``day`` (09:00 local)."""
    at = dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone())
    Transition.objects.filter(application=application).update(at=at)
