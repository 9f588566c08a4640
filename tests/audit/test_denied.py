"""Refused requests (out-of-scope 404s, 403s) on pages and API are audited as ``denied``,
rate-limited per user so a probe cannot flood the trail, and a burst alerts the security
administrator on their home page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client

from jisheng.accounts.models import User
from jisheng.accounts.services import token_create
from jisheng.audit.chain import chain_verify
from jisheng.audit.models import AuditEvent, SecurityAlert
from jisheng.core.roles import Role
from jisheng.registry.models import Person

MOMENT = dt.datetime(2026, 6, 1, 2, 0, 5, tzinfo=dt.UTC)


@pytest.fixture
def worker(make_user: Callable[..., User]) -> User:
    return make_user(Role.COMMUNITY_WORKER, username="prober")


@pytest.fixture
def elsewhere(org, make_person) -> Person:
    """A resident of another community than the worker's."""
    return make_person(org.c2, name="李四海")


def _denied() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="denied").order_by("seq"))


def test_an_out_of_scope_page_is_audited_as_denied(worker, elsewhere, client_for) -> None:
    response = client_for(worker).get(f"/registry/persons/{elsewhere.pk}/", REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 404
    (event,) = _denied()
    assert (event.user_id, event.username, event.ip, event.result) == (
        worker.pk,
        "prober",
        "10.1.2.3",
        "failure",
    )
    assert event.detail == {
        "status": 404,
        "method": "GET",
        "path": f"/registry/persons/{elsewhere.pk}/",
    }


def test_an_out_of_scope_api_read_is_audited_as_denied(worker, elsewhere) -> None:
    _token, raw = token_create(user=worker, name="probe")

    response = Client().get(f"/api/persons/{elsewhere.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    (event,) = _denied()
    assert event.username == "prober"
    assert event.detail["path"] == f"/api/persons/{elsewhere.pk}"


def test_a_forbidden_page_and_api_call_are_audited(worker, client_for) -> None:
    client = client_for(worker)

    page = client.get("/accounts/users/")
    api = client.get("/api/audit/events")

    assert (page.status_code, api.status_code) == (403, 403)
    assert [e.detail["status"] for e in _denied()] == [403, 403]


def test_an_unknown_page_is_audited_too(worker, client_for) -> None:
    assert client_for(worker).get("/no/such/page/").status_code == 404

    assert _denied()[0].detail["path"] == "/no/such/page/"


def test_a_missing_static_file_is_not_a_refusal(worker, client_for) -> None:
    client = client_for(worker)

    assert client.get("/static/jisheng/no-such.css").status_code == 404
    assert client.get("/favicon.ico").status_code == 404
    assert [e.detail for e in _denied()] == []


def test_refusals_beyond_the_limit_leave_one_summary_row(
    worker, elsewhere, client_for, settings
) -> None:
    settings.JISHENG_DENIED_AUDIT_PER_MINUTE = 3
    client = client_for(worker)

    with time_machine.travel(MOMENT, tick=False):
        for _ in range(8):
            assert client.get(f"/registry/persons/{elsewhere.pk}/").status_code == 404

    denied = _denied()
    assert len(denied) == 4
    assert all("path" in e.detail for e in denied[:3])
    assert denied[3].detail == {"status": 404, "method": "GET", "suppressed": True, "limit": 3}
    assert chain_verify().broken is None


def test_the_limit_starts_again_the_next_minute(worker, elsewhere, client_for, settings) -> None:
    settings.JISHENG_DENIED_AUDIT_PER_MINUTE = 2
    client = client_for(worker)

    for minute in (0, 1):
        with time_machine.travel(MOMENT + dt.timedelta(minutes=minute), tick=False):
            for _ in range(4):
                client.get(f"/registry/persons/{elsewhere.pk}/")

    assert [("suppressed" in e.detail) for e in _denied()] == [False, False, True] * 2


def test_each_user_has_their_own_limit(org, make_user, elsewhere, client_for, settings) -> None:
    settings.JISHENG_DENIED_AUDIT_PER_MINUTE = 1
    first, second = (make_user(Role.COMMUNITY_WORKER) for _ in range(2))

    with time_machine.travel(MOMENT, tick=False):
        for user in (first, second):
            client_for(user).get(f"/registry/persons/{elsewhere.pk}/")

    assert sorted(e.user_id for e in _denied()) == sorted([first.pk, second.pk])


def test_a_burst_alerts_the_security_administrator_once(
    worker, elsewhere, make_user, client_for, settings
) -> None:
    settings.JISHENG_DENIED_BURST = 6
    settings.JISHENG_DENIED_BURST_MINUTES = 5
    client = client_for(worker)

    for second in range(0, 240, 30):  # 8 refusals over four minutes
        with time_machine.travel(MOMENT + dt.timedelta(seconds=second), tick=False):
            client.get(f"/registry/persons/{elsewhere.pk}/", REMOTE_ADDR="10.9.9.9")

    (alert,) = SecurityAlert.objects.all()
    assert (alert.username, alert.ip, alert.refusals, alert.minutes) == ("prober", "10.9.9.9", 6, 5)
    with time_machine.travel(MOMENT + dt.timedelta(minutes=5), tick=False):
        security = client_for(make_user(Role.SECURITY_ADMIN)).get("/")
        other = client_for(make_user(Role.STREET_STAFF)).get("/")
    assert 'data-testid="security-alerts"' in security.content.decode()
    assert f'data-alert="{alert.pk}"' in security.content.decode()
    assert 'data-testid="security-alerts"' not in other.content.decode()


def test_refusals_spread_out_raise_no_alert(worker, elsewhere, client_for, settings) -> None:
    settings.JISHENG_DENIED_BURST = 4
    settings.JISHENG_DENIED_BURST_MINUTES = 5
    client = client_for(worker)

    for minute in range(0, 30, 3):  # ten refusals, never four within five minutes
        with time_machine.travel(MOMENT + dt.timedelta(minutes=minute), tick=False):
            client.get(f"/registry/persons/{elsewhere.pk}/")

    assert not SecurityAlert.objects.exists()
    assert len(_denied()) == 10


def test_the_security_admin_home_says_when_there_is_no_alert(make_user, client_for) -> None:
    response = client_for(make_user(Role.SECURITY_ADMIN)).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "最近 7 天没有" in response.content.decode()
