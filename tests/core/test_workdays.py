"""Working days as the office counts them: weekends off, the notice's holidays off, its
make-up weekends on; the shipped 2025 and 2026 notices; a year not entered."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps

from jisheng.core.models import CalendarDay
from jisheng.core.workdays import add_working_days, is_working_day, years_missing

shipped = importlib.import_module("jisheng.core.migrations.0004_working_day_calendar")


@pytest.fixture
def notices(db: None) -> None:
    """The shipped notices, entered afresh: a flushing test before this one may have emptied
    the table the migration filled."""
    CalendarDay.objects.all().delete()
    shipped.enter_notices(django_apps, None)


def test_weekends_only_when_the_year_holds_nothing(db: None) -> None:
    CalendarDay.objects.all().delete()
    friday = dt.date(2027, 3, 5)
    assert add_working_days(friday, 1) == dt.date(2027, 3, 8)
    assert add_working_days(friday, 10) == dt.date(2027, 3, 19)
    assert add_working_days(dt.date(2027, 3, 6), 1) == dt.date(2027, 3, 8)  # from a Saturday
    assert add_working_days(friday, 0) == friday
    assert years_missing([2027, 2026]) == [2026, 2027]


def test_spring_festival_2026_is_skipped_and_its_saturdays_count(notices: None) -> None:
    # Friday 13 Feb 2026; Saturday 14 Feb is a make-up working day; 15–23 Feb are off;
    # Saturday 28 Feb is a make-up working day.
    friday = dt.date(2026, 2, 13)
    assert is_working_day(dt.date(2026, 2, 14))
    assert not is_working_day(dt.date(2026, 2, 16))  # a Monday of the holiday
    assert add_working_days(friday, 1) == dt.date(2026, 2, 14)
    assert add_working_days(friday, 2) == dt.date(2026, 2, 24)
    # 14 Feb, then 24–27 Feb (4), 28 Feb, 2–5 Mar (4): the tenth working day is 5 March.
    assert add_working_days(friday, 10) == dt.date(2026, 3, 5)


def test_a_deadline_across_national_day_2025(notices: None) -> None:
    # 2025: 1–8 Oct off; Sunday 28 Sep and Saturday 11 Oct are working days.
    friday = dt.date(2025, 9, 26)
    assert add_working_days(friday, 1) == dt.date(2025, 9, 28)
    assert add_working_days(friday, 3) == dt.date(2025, 9, 30)
    assert add_working_days(friday, 4) == dt.date(2025, 10, 9)
    assert add_working_days(friday, 6) == dt.date(2025, 10, 11)


def test_a_long_deadline_reads_the_calendar_beyond_its_first_window(notices: None) -> None:
    # 100 working days from 2 Jan 2026 crosses the Spring Festival, Qingming and May Day.
    counted, day = 0, dt.date(2026, 1, 2)
    moved = dict(CalendarDay.objects.values_list("day", "kind"))
    while counted < 100:
        day += dt.timedelta(days=1)
        kind = moved.get(day)
        if (kind == "workday") if kind else day.weekday() < 5:
            counted += 1
    assert add_working_days(dt.date(2026, 1, 2), 100) == day


def test_the_shipped_notices_are_whole(notices: None) -> None:
    assert years_missing([2025, 2026]) == []
    assert CalendarDay.objects.filter(day__year=2026, kind="holiday").count() == 33
    assert CalendarDay.objects.filter(day__year=2026, kind="workday").count() == 6
    assert CalendarDay.objects.filter(day__year=2025, kind="holiday").count() == 28
    assert CalendarDay.objects.filter(day__year=2025, kind="workday").count() == 5
    # Every make-up working day of a notice is a weekend.
    assert all(
        day.weekday() >= 5
        for day in CalendarDay.objects.filter(kind="workday").values_list("day", flat=True)
    )


def test_a_negative_count_is_a_programming_error(db: None) -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(dt.date(2026, 1, 5), -1)
