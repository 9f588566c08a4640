"""The working-day calendar page: one year's holidays and make-up working days, and the form
entering a run of days from the year's notice."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jisheng.accounts import calendar
from jisheng.accounts.forms import CalendarEntryForm
from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.models import CalendarDay
from jisheng.core.pages import posted, query_int, submit
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.core.workdays import years_missing


def _year(request: HttpRequest) -> tuple[int, str]:
    """The year asked for (this year by default), or this year and why the one asked is not."""
    this_year = timezone.localdate().year
    try:
        year = query_int(request, "year")
        return (this_year, "") if year is None else (calendar.check_year(year), "")
    except JishengError as bad:
        return this_year, str(bad.message)


def _calendar_url(year: int) -> str:
    return f"{reverse('accounts:calendar')}?year={year}"


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_CALENDAR)
@submit_once
def calendar_page(request: HttpRequest) -> HttpResponse:
    year, year_error = _year(request)
    form = CalendarEntryForm(posted(request))
    status = 400 if year_error else 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            entry = form.cleaned_data
            created, status = submit(
                form,
                lambda: calendar.calendar_days_enter(
                    actor=Actor.from_request(request),
                    first=entry["first"],
                    last=entry["last"],
                    kind=entry["kind"],
                    name=entry["name"],
                ),
            )
            if created is not None:
                messages.success(request, _("%(count)d days entered.") % {"count": len(created)})
                return redirect(_calendar_url(created[0].day.year))
    this_year = timezone.localdate().year
    days = CalendarDay.objects.visible_to(request_user(request)).filter(day__year=year)
    return render(
        request,
        "accounts/calendar.html",
        {
            "year": year,
            "year_error": year_error,
            "days": days,
            "missing": bool(years_missing([year])),
            "next_missing": years_missing([this_year + 1]) if year != this_year + 1 else [],
            "previous_year": year - 1 if year > calendar.FIRST_YEAR else None,
            "next_year": year + 1 if year < this_year + calendar.YEARS_AHEAD else None,
            "form": form,
        },
        status=status,
    )


@require_POST
@require_capability(Capability.MANAGE_CALENDAR)
@submit_once
def calendar_day_remove(request: HttpRequest, day_id: int) -> HttpResponse:
    removed = calendar.calendar_day_remove(actor=Actor.from_request(request), day_id=day_id)
    messages.success(
        request, _("%(date)s taken out of the calendar.") % {"date": removed.day.isoformat()}
    )
    return redirect(_calendar_url(removed.day.year))
