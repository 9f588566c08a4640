"""The working-day calendar page: who may keep it, entering a notice's run of days, the
refusals (impossible dates, a weekday as make-up day, a day entered twice, a year out of
range), removing a day, a second submit, and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jisheng.audit.models import AuditEvent
from jisheng.core.models import CalendarDay
from jisheng.core.roles import Role

URL = "/accounts/calendar/"


@pytest.fixture
def empty_calendar(db: None) -> None:
    CalendarDay.objects.all().delete()


@pytest.fixture
def staff(org, make_user, client_for, empty_calendar) -> Client:
    return client_for(make_user(Role.SYSTEM_ADMIN))


def next_year() -> int:
    return timezone.localdate().year + 1


def test_the_administrator_enters_a_holiday_run_and_sees_it(staff: Client) -> None:
    year = next_year()
    page = staff.get(URL, {"year": year})
    assert page.status_code == 200
    assert 'data-testid="calendar-missing"' in page.content.decode()
    response = staff.post(
        URL,
        {"first": f"{year}-02-05", "last": f"{year}-02-11", "kind": "holiday", "name": "春节"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?year={year}")
    assert CalendarDay.objects.filter(name="春节").count() == 7
    shown = staff.get(URL, {"year": year}).content.decode()
    assert f'data-calendar-day="{year}-02-05"' in shown
    assert 'data-testid="calendar-missing"' not in shown
    event = AuditEvent.objects.filter(object_type="core.calendarday").get()
    assert event.action == "create"
    assert event.detail["last"] == f"{year}-02-11"


def test_a_single_make_up_day_on_a_weekend(staff: Client) -> None:
    saturday = dt.date(next_year(), 1, 1)
    while saturday.weekday() != 5:
        saturday += dt.timedelta(days=1)
    response = staff.post(
        URL, {"first": saturday.isoformat(), "last": "", "kind": "workday", "name": "春节"}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get().kind == "workday"


@pytest.mark.parametrize(
    ("first", "last", "kind", "name", "status", "says"),
    [
        ("2026-02-30", "", "holiday", "春节", 400, "日期"),  # no such day
        ("2026-02-20", "2026-02-10", "holiday", "春节", 400, "最后一天早于第一天"),
        ("2026-01-01", "2026-03-01", "holiday", "春节", 400, "最多"),
        ("1999-10-01", "", "holiday", "国庆节", 400, "2000"),
        ("2026-03-02", "", "workday", "春节", 400, "周一至周五"),  # a Monday
        ("2026-03-07", "", "fête", "春节", 400, "选择"),
        ("2026-03-07", "", "holiday", "", 400, "必填"),
    ],
)
def test_impossible_entries_return_the_form_with_a_message(
    staff: Client, first: str, last: str, kind: str, name: str, status: int, says: str
) -> None:
    response = staff.post(URL, {"first": first, "last": last, "kind": kind, "name": name})
    assert response.status_code == status
    body = response.content.decode()
    assert says in body
    assert f'value="{first}"' in body or first == ""  # the input is kept
    assert not CalendarDay.objects.exists()


def test_a_year_too_far_ahead_is_refused(staff: Client) -> None:
    year = next_year() + 1
    response = staff.post(
        URL, {"first": f"{year}-01-01", "last": "", "kind": "holiday", "name": "元旦"}
    )
    assert response.status_code == 400
    assert not CalendarDay.objects.exists()
    page = staff.get(URL, {"year": year})
    assert page.status_code == 400
    assert 'data-testid="calendar-year-error"' in page.content.decode()
    assert staff.get(URL, {"year": "二〇二六"}).status_code == 400


def test_a_day_entered_twice_is_a_conflict_naming_it(staff: Client) -> None:
    year = next_year()
    staff.post(URL, {"first": f"{year}-05-01", "last": "", "kind": "holiday", "name": "劳动节"})
    again = staff.post(
        URL,
        {"first": f"{year}-04-30", "last": f"{year}-05-02", "kind": "holiday", "name": "五一"},
    )
    assert again.status_code == 409
    assert f"{year}-05-01" in again.content.decode()
    assert CalendarDay.objects.count() == 1


def test_the_same_form_sent_twice_enters_once(staff: Client) -> None:
    year = next_year()
    entry = {"first": f"{year}-06-01", "last": "", "kind": "holiday", "name": "端午节"}
    assert staff.post(URL, entry).status_code == 302
    again = staff.post(URL, entry)
    assert again.status_code in (200, 409)
    assert CalendarDay.objects.count() == 1


def test_removing_a_mistyped_day(staff: Client) -> None:
    year = next_year()
    staff.post(URL, {"first": f"{year}-10-01", "last": "", "kind": "holiday", "name": "国庆节"})
    day = CalendarDay.objects.get()
    response = staff.post(f"{URL}{day.pk}/remove/")
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert AuditEvent.objects.filter(object_type="core.calendarday", action="delete").exists()
    assert staff.post(f"{URL}999999/remove/").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SYSTEM_ADMIN, 200),
        (Role.STREET_STAFF, 403),
        (Role.COMMUNITY_WORKER, 403),
        (Role.LEADER, 403),
        (Role.SECURITY_AUDITOR, 403),
        (Role.PARTNER_REPORTER, 403),
    ],
)
def test_who_keeps_the_calendar(org, make_user, client_for, empty_calendar, role, status) -> None:
    client = client_for(make_user(role))
    assert client.get(URL).status_code == status
    posted = client.post(
        URL, {"first": f"{next_year()}-01-01", "last": "", "kind": "holiday", "name": "元旦"}
    )
    assert posted.status_code == (302 if status == 200 else 403)
