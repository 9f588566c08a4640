"""The working-day calendar's writes: each year's holiday notice entered as runs of days.

Deadlines counted in working days (``core.workdays``) read it; a deadline already stored
keeps its date when the calendar changes later.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import CalendarDay
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.core.text import clean_text

# The longest run a notice gives is the Spring Festival's nine days; a month allows for any
# run with the weekends around it, and stops a typo of a year entering 365 holidays.
LONGEST_RUN = 31
FIRST_YEAR = 2000
# The notice for next year comes out in November; the one after is never known yet.
YEARS_AHEAD = 1


def check_year(year: int) -> int:
    """``year`` if the calendar takes it (2000 to next year), else a 400 saying which it takes."""
    latest_year = timezone.localdate().year + YEARS_AHEAD
    if not FIRST_YEAR <= year <= latest_year:
        raise JishengError(
            _("The calendar takes the years %(first)d to %(last)d.")
            % {"first": FIRST_YEAR, "last": latest_year},
            code="year",
        )
    return year


def calendar_days_enter(
    *, actor: Actor, first: dt.date, last: dt.date | None, kind: str, name: str
) -> list[CalendarDay]:
    """Enter the days ``first`` to ``last`` (or ``first`` alone) as holidays or make-up
    working days of the holiday ``name``; all or nothing."""
    require(actor, Capability.MANAGE_CALENDAR)
    last = last or first
    if kind not in CalendarDay.Kind.values:
        raise JishengError(_("Choose holiday or make-up working day."), code="kind")
    name = clean_text(name)
    if not name or len(name) > 50:
        raise JishengError(_("Name the holiday (at most 50 characters)."), code="name")
    for day in (first, last):
        check_year(day.year)
    if last < first:
        raise JishengError(_("The last day lies before the first."), code="range")
    if (last - first).days + 1 > LONGEST_RUN:
        raise JishengError(
            _("One entry covers at most %(days)d days.") % {"days": LONGEST_RUN}, code="range"
        )
    days = [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]
    if kind == CalendarDay.Kind.WORKDAY:
        weekdays = [day for day in days if day.weekday() < 5]
        if weekdays:
            raise JishengError(
                _("%(date)s is a Monday to Friday: a make-up working day falls on a weekend.")
                % {"date": weekdays[0].isoformat()},
                code="weekday",
            )
    taken = CalendarDay.objects.filter(day__in=days).order_by("day").first()
    if taken is not None:
        raise Conflict(
            _("%(date)s is entered already (%(name)s): remove it first to change it.")
            % {"date": taken.day.isoformat(), "name": taken.name},
            code="day_taken",
        )
    try:
        with transaction.atomic():
            created = CalendarDay.objects.bulk_create(
                CalendarDay(day=day, kind=kind, name=name) for day in days
            )
            audit.record(
                action=Action.CREATE,
                actor=actor,
                object_type="core.calendarday",
                object_id=first.isoformat(),
                detail={"first": first.isoformat(), "last": last.isoformat(), "kind": kind},
            )
    except IntegrityError as exc:  # entered at the same moment by someone else
        raise Conflict(_("These days were entered already."), code="day_taken") from exc
    return created


def calendar_day_remove(*, actor: Actor, day_id: int) -> CalendarDay:
    """Take one day out of the calendar (a mistyped entry)."""
    require(actor, Capability.MANAGE_CALENDAR)
    with transaction.atomic():
        found = visible_or_404(CalendarDay, user=actor.user, pk=day_id)
        audit.record(
            action=Action.DELETE,
            actor=actor,
            object_type="core.calendarday",
            object_id=found.day.isoformat(),
            detail={"kind": found.kind},
        )
        found.delete()
    return found
