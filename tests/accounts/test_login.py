"""Sign-in through the real login page: audit, lockout, idle timeout, logout, redirects."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from jisheng.accounts.models import LoginAttempt, User
from jisheng.accounts.services import LOGIN_FAILED_MESSAGE, LOGIN_LOCKED_MESSAGE
from jisheng.audit.models import AuditEvent
from jisheng.core.roles import Role

PASSWORD = "Test-pass-2026!"  # same as tests/conftest.py
WRONG = "Wrong-pass-2026!"
LOGIN_URL = "/accounts/login/"
PAGE = "/accounts/tokens/"  # any page every signed-in user may open
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def alice(make_user: Callable[..., User]) -> User:
    return make_user(Role.COMMUNITY_WORKER, username="alice")


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _login(client: Client, username: str, password: str, next_url: str | None = None):
    url = LOGIN_URL if next_url is None else f"{LOGIN_URL}?next={next_url}"
    return client.post(url, {"username": username, "password": password})


def _text(message: object) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return escape(str(message))


def _signed_in(client: Client) -> bool:
    return client.get(PAGE).status_code == 200


def _normalised(html: str, username: str) -> str:
    """The page minus what legitimately differs between two requests."""
    html = re.sub(r'value="[^"]*"', 'value=""', html)  # CSRF token, echoed user name
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    html = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "", html)  # print header clock
    return html.replace(username, "")


def _fail_times(client: Client, username: str, times: int, clock, every: dt.timedelta) -> None:
    for _ in range(times):
        response = _login(client, username, WRONG)
        assert response.status_code == 401
        assert _text(LOGIN_FAILED_MESSAGE) in response.content.decode()
        clock.shift(every)


# --- success and failure ------------------------------------------------------------


def test_successful_login_redirects_home_and_records_a_login_event(alice: User) -> None:
    client = Client()

    response = _login(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _signed_in(client)
    event = AuditEvent.objects.get(action="login")
    assert event.user_id == alice.pk
    assert event.username == "alice"
    assert event.result == "success"
    assert event.ip == "127.0.0.1"
    assert LoginAttempt.objects.filter(username="alice", succeeded=True).count() == 1


def test_wrong_password_is_refused_with_401_and_records_login_failed(alice: User) -> None:
    client = Client()

    response = _login(client, "alice", WRONG)

    assert response.status_code == 401
    assert _text(LOGIN_FAILED_MESSAGE) in response.content.decode()
    assert not _signed_in(client)
    event = AuditEvent.objects.get(action="login_failed")
    assert event.username == "alice"
    assert event.user_id is None
    assert event.result == "failure"
    assert event.detail == {"reason": "credentials"}
    assert not AuditEvent.objects.filter(action="login").exists()


def test_unknown_user_and_wrong_password_get_the_same_response(alice: User) -> None:
    wrong_password = _login(Client(), "alice", WRONG)
    unknown_user = _login(Client(), "nobody_here", WRONG)

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert _normalised(wrong_password.content.decode(), "alice") == _normalised(
        unknown_user.content.decode(), "nobody_here"
    )
    events = AuditEvent.objects.filter(action="login_failed").order_by("id")
    assert [(e.username, e.detail) for e in events] == [
        ("alice", {"reason": "credentials"}),
        ("nobody_here", {"reason": "credentials"}),
    ]


def test_inactive_user_cannot_sign_in_with_the_right_password(alice: User) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)
    client = Client()

    response = _login(client, "alice", PASSWORD)

    assert response.status_code == 401
    assert _text(LOGIN_FAILED_MESSAGE) in response.content.decode()
    assert not AuditEvent.objects.filter(action="login").exists()


# --- lockout ------------------------------------------------------------------------


def test_sixth_try_within_15_minutes_is_locked_even_with_right_password(alice: User, clock) -> None:
    client = Client()
    _fail_times(client, "alice", 5, clock, every=dt.timedelta(minutes=2))

    response = _login(client, "alice", PASSWORD)

    assert response.status_code == 401
    assert _text(LOGIN_LOCKED_MESSAGE) in response.content.decode()
    assert not _signed_in(client)
    assert not AuditEvent.objects.filter(action="login").exists()
    locked = AuditEvent.objects.filter(action="login_failed").order_by("-id").first()
    assert locked is not None
    assert locked.detail == {"reason": "locked"}


def test_four_failures_do_not_lock_the_account(alice: User, clock) -> None:
    client = Client()
    _fail_times(client, "alice", 4, clock, every=dt.timedelta(minutes=1))

    response = _login(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client)


def test_success_resets_the_failure_count(alice: User, clock) -> None:
    client = Client()
    _fail_times(client, "alice", 4, clock, every=dt.timedelta(minutes=1))
    assert _login(client, "alice", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    _fail_times(client, "alice", 1, clock, every=dt.timedelta(minutes=1))

    assert _login(client, "alice", PASSWORD).status_code == 302


def test_unknown_user_name_locks_the_same_way_as_a_real_one(alice: User, clock) -> None:
    real, ghost = Client(), Client()
    _fail_times(real, "alice", 5, clock, every=dt.timedelta(seconds=10))
    _fail_times(ghost, "ghost_user", 5, clock, every=dt.timedelta(seconds=10))

    real_locked = _login(real, "alice", PASSWORD)
    ghost_locked = _login(ghost, "ghost_user", PASSWORD)

    assert real_locked.status_code == ghost_locked.status_code == 401
    assert _text(LOGIN_LOCKED_MESSAGE) in ghost_locked.content.decode()
    assert _normalised(real_locked.content.decode(), "alice") == _normalised(
        ghost_locked.content.decode(), "ghost_user"
    )
    assert (
        AuditEvent.objects.filter(
            action="login_failed", username="ghost_user", detail__reason="locked"
        ).count()
        == 1
    )


def test_lock_on_one_user_name_does_not_lock_another(alice: User, make_user, clock) -> None:
    make_user(Role.COMMUNITY_WORKER, username="bob")
    _fail_times(Client(), "alice", 5, clock, every=dt.timedelta(seconds=10))

    assert _login(Client(), "bob", PASSWORD).status_code == 302


def test_lock_is_lifted_15_minutes_after_the_fifth_failure(alice: User, clock) -> None:
    client = Client()
    _fail_times(client, "alice", 5, clock, every=dt.timedelta(seconds=1))
    # The fifth failure was at 00:00:04; now 00:00:05.
    clock.shift(dt.timedelta(minutes=14, seconds=50))
    assert _login(client, "alice", PASSWORD).status_code == 401

    clock.shift(dt.timedelta(seconds=15))  # 00:15:10
    response = _login(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client)


def test_failures_spread_over_more_than_15_minutes_do_not_lock(alice: User, clock) -> None:
    client = Client()
    # Failures at 0, 4, 8, 12 and 16 minutes: never five inside one 15-minute window.
    _fail_times(client, "alice", 5, clock, every=dt.timedelta(minutes=4))

    response = _login(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert _signed_in(client)


def test_tries_during_a_lock_do_not_extend_it(alice: User, clock) -> None:
    client = Client()
    _fail_times(client, "alice", 5, clock, every=dt.timedelta(seconds=1))
    # The fifth failure was at 00:00:04; keep trying, right and wrong, all through the lock.
    for attempt in range(7):
        clock.shift(dt.timedelta(minutes=2))
        response = _login(client, "alice", PASSWORD if attempt % 2 else WRONG)
        assert response.status_code == 401
        assert _text(LOGIN_LOCKED_MESSAGE) in response.content.decode()
    clock.shift(dt.timedelta(minutes=1, seconds=1))  # 00:15:06, the last try was 00:14:05

    response = _login(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert LoginAttempt.objects.filter(username="alice", during_lock=True).count() == 7


def test_lock_lasts_15_minutes_from_the_fifth_failure_not_the_first(alice: User, clock) -> None:
    """Five failures within 15 minutes lock for 15 minutes from the fifth; the lock must not
    end early when the first of the five slides out of the 15-minute window."""
    client = Client()
    # Failures at 00:00, 00:01, 00:02, 00:03 and 00:14: five within 15 minutes.
    _fail_times(client, "alice", 4, clock, every=dt.timedelta(minutes=1))
    clock.shift(dt.timedelta(minutes=10))
    _fail_times(client, "alice", 1, clock, every=dt.timedelta(seconds=30))
    assert _login(client, "alice", PASSWORD).status_code == 401  # 00:14:30, locked
    clock.shift(dt.timedelta(minutes=1, seconds=30))

    response = _login(client, "alice", PASSWORD)  # 00:16, two minutes after the fifth failure

    assert response.status_code == 401
    assert _text(LOGIN_LOCKED_MESSAGE) in response.content.decode()
    assert not AuditEvent.objects.filter(action="login").exists()


# --- idle timeout ---------------------------------------------------------------------


def test_requests_within_29_minutes_keep_the_session_alive(alice: User, clock) -> None:
    client = Client()
    assert _login(client, "alice", PASSWORD).status_code == 302

    for _ in range(3):  # 87 minutes in all, never idle for 30
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(PAGE).status_code == 200


def test_session_idle_for_31_minutes_is_sent_to_the_login_page(alice: User, clock) -> None:
    client = Client()
    assert _login(client, "alice", PASSWORD).status_code == 302
    clock.shift(dt.timedelta(minutes=29))
    assert client.get(PAGE).status_code == 200

    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    clock.shift(dt.timedelta(minutes=31))

    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={PAGE}"
    assert not Session.objects.filter(
        session_key=session_key, expire_date__gt=dt.datetime.now(tz=dt.UTC)
    ).exists()


# --- logout ---------------------------------------------------------------------------


def test_logout_deletes_the_session_server_side_and_records_logout(alice: User) -> None:
    client = Client()
    assert _login(client, "alice", PASSWORD).status_code == 302
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=old_key).exists()

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert not Session.objects.filter(session_key=old_key).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    replayed = replay.get(PAGE)
    assert replayed.status_code == 302
    assert replayed["Location"].startswith(LOGIN_URL)
    event = AuditEvent.objects.get(action="logout")
    assert event.user_id == alice.pk
    assert event.username == "alice"


def test_logout_by_get_is_refused_and_keeps_the_session(alice: User) -> None:
    client = Client()
    assert _login(client, "alice", PASSWORD).status_code == 302

    response = client.get("/accounts/logout/")

    assert response.status_code == 405
    assert _signed_in(client)
    assert not AuditEvent.objects.filter(action="logout").exists()


# --- next -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "http://evil.example",
        "javascript:alert(1)",
    ],
)
def test_external_next_url_is_not_followed(alice: User, next_url: str) -> None:
    response = _login(Client(), "alice", PASSWORD, next_url=next_url)

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_local_next_url_is_followed(alice: User) -> None:
    response = _login(Client(), "alice", PASSWORD, next_url=PAGE)

    assert response.status_code == 302
    assert response["Location"] == PAGE


def test_pages_within_a_minute_do_not_write_the_session_and_a_later_one_does(
    alice: User, clock
) -> None:
    client = Client()
    assert _login(client, "alice", PASSWORD).status_code == 302
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    def expiry() -> dt.datetime:
        return Session.objects.get(session_key=session_key).expire_date

    clock.shift(dt.timedelta(seconds=61))
    assert client.get(PAGE).status_code == 200
    first = expiry()

    clock.shift(dt.timedelta(seconds=30))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    assert expiry() == first
    assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]

    clock.shift(dt.timedelta(seconds=31))
    assert client.get(PAGE).status_code == 200
    assert expiry() == first + dt.timedelta(seconds=61)
