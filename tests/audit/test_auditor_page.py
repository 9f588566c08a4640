"""The security auditor's page: listing, filters, bad input, and the background CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import signal
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.models import AuditEvent
from jisheng.core.models import TaskProgress
from jisheng.core.roles import Role

UTC = dt.UTC


@pytest.fixture
def auditor(make_user: Callable[..., User]) -> User:
    return make_user(Role.SECURITY_AUDITOR, username="the_auditor")


@pytest.fixture
def auditor_client(auditor: User, client_for: Callable[[User], Client]) -> Client:
    return client_for(auditor)


@pytest.fixture
def trail(db) -> None:
    """Events on three days, at midday in both UTC and Beijing time."""
    for when, username, action in [
        (dt.datetime(2026, 3, 1, 4, 0, tzinfo=UTC), "wang_li", "login"),
        (dt.datetime(2026, 3, 2, 4, 0, tzinfo=UTC), "wang_li", "view"),
        (dt.datetime(2026, 3, 2, 5, 0, tzinfo=UTC), "chen_jie", "view"),
        (dt.datetime(2026, 3, 3, 4, 0, tzinfo=UTC), "chen_jie", "export"),
    ]:
        with time_machine.travel(when, tick=False):
            audit.record(
                action=action,
                username=username,
                ip="10.0.0.1",
                object_type="registry.person",
                object_id=7,
            )


def _rows(response) -> list[tuple[str, str]]:
    """(username, action) of each event row the page lists."""
    events = list(response.context["page"])
    return [(e.username, e.action) for e in events]


@pytest.fixture
def worker_signals() -> Iterator[None]:
    """The worker installs its own signal handlers; give pytest its own back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def _run_worker() -> None:
    # Runs in this process: the test must use transactional_db, because the worker closes
    # connections left outside autocommit (which would end a test transaction on PostgreSQL).
    call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)


# --- listing and filters --------------------------------------------------------------------


def test_auditor_page_lists_events_newest_first(trail, auditor_client: Client) -> None:
    response = auditor_client.get("/audit/")

    assert response.status_code == 200
    listed = [row for row in _rows(response) if row[0] in {"wang_li", "chen_jie"}]
    assert listed == [
        ("chen_jie", "export"),
        ("chen_jie", "view"),
        ("wang_li", "view"),
        ("wang_li", "login"),
    ]
    body = response.content.decode()
    assert "2026-03-02 13:00:00" in body  # shown in Beijing time, like every other page
    assert "2026-03-02 05:00:00" not in body
    assert "wang_li" in body


def test_auditor_page_filters_by_username(trail, auditor_client: Client) -> None:
    response = auditor_client.get("/audit/", {"username": "chen_jie"})

    assert response.status_code == 200
    assert _rows(response) == [("chen_jie", "export"), ("chen_jie", "view")]


def test_auditor_page_filters_by_action(trail, auditor_client: Client) -> None:
    response = auditor_client.get("/audit/", {"action": "view"})

    assert _rows(response) == [("chen_jie", "view"), ("wang_li", "view")]


def test_auditor_page_filters_by_date_range(trail, auditor_client: Client) -> None:
    response = auditor_client.get("/audit/", {"date_from": "2026-03-02", "date_to": "2026-03-02"})

    assert _rows(response) == [("chen_jie", "view"), ("wang_li", "view")]


def test_auditor_page_filters_combine(trail, auditor_client: Client) -> None:
    response = auditor_client.get(
        "/audit/", {"username": "wang_li", "action": "view", "date_from": "2026-03-01"}
    )

    assert _rows(response) == [("wang_li", "view")]


def test_auditor_page_with_no_match_lists_nothing(trail, auditor_client: Client) -> None:
    response = auditor_client.get("/audit/", {"username": "nobody"})

    assert response.status_code == 200
    assert _rows(response) == []


def test_auditors_own_search_is_recorded(trail, auditor: User, auditor_client: Client) -> None:
    auditor_client.get("/audit/", {"username": "chen_jie"})

    event = AuditEvent.objects.get(action="search", user_id=auditor.pk)
    assert event.object_type == "audit.auditevent"
    assert event.detail == {"filters": {"username": "chen_jie"}}


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"date_from": "notadate"}, id="date_from-not-a-date"),
        pytest.param({"date_to": "2026-13-45"}, id="date_to-impossible"),
        pytest.param({"ip": "999.1.1.1"}, id="ip-out-of-range"),
        pytest.param({"ip": "not-an-ip"}, id="ip-garbage"),
        pytest.param({"action": "drop_tables"}, id="unknown-action"),
        pytest.param({"result": "maybe"}, id="unknown-result"),
        pytest.param({"username": "x" * 151}, id="username-too-long"),
    ],
)
def test_bad_filter_input_is_a_400_not_a_500(trail, auditor_client: Client, query) -> None:
    auditor_client.raise_request_exception = False

    response = auditor_client.get("/audit/", query)

    assert response.status_code == 400


def test_bad_filter_on_export_is_a_400_and_starts_no_task(auditor_client: Client) -> None:
    auditor_client.raise_request_exception = False

    response = auditor_client.post("/audit/export/?date_from=notadate")

    assert response.status_code == 400
    assert not TaskProgress.objects.exists()


# --- export ---------------------------------------------------------------------------------


def _export(client: Client, query: str = "") -> int:
    response = client.post(f"/audit/export/{query}")
    assert response.status_code == 302
    progress = TaskProgress.objects.get()
    assert response["Location"] == f"/core/tasks/{progress.pk}/"
    return progress.pk


@pytest.fixture
def formula_trail(db) -> None:
    for username in ("=cmd", "+sum(1)", "-2+3", "@SUM(A1)", "plain_user"):
        audit.record(action="login_failed", username=username, ip="10.0.0.9", result="failure")


def test_export_runs_in_the_background_and_downloads_a_safe_csv(
    transactional_db, formula_trail, auditor_client: Client, worker_signals
) -> None:
    progress_id = _export(auditor_client)
    queued = auditor_client.get(f"/core/tasks/{progress_id}/")
    assert queued.status_code == 200
    assert 'data-state="queued"' in queued.content.decode()

    _run_worker()

    page = auditor_client.get(f"/core/tasks/{progress_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-state="done"' in html
    assert 'aria-valuenow="100"' in html
    assert f"/core/tasks/{progress_id}/download/" in html
    progress = TaskProgress.objects.get(pk=progress_id)
    assert progress.state == "done"
    assert progress.percent == 100
    assert progress.done == progress.total == AuditEvent.objects.count()

    download = auditor_client.get(f"/core/tasks/{progress_id}/download/")
    assert download.status_code == 200
    raw = b"".join(download.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:2] == ["时间(北京时间)", "用户"]
    usernames = {row[1] for row in rows[1:]}
    assert {"'=cmd", "'+sum(1)", "'-2+3", "'@SUM(A1)", "plain_user"} <= usernames
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), row


def test_export_honours_the_page_filters(
    transactional_db, formula_trail, auditor_client: Client, worker_signals
) -> None:
    progress_id = _export(auditor_client, "?username=%3Dcmd")

    _run_worker()

    raw = b"".join(auditor_client.get(f"/core/tasks/{progress_id}/download/").streaming_content)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["'=cmd"]
    assert rows[1][4] == "login_failed"


def test_export_is_itself_audited_and_queued_on_commit(
    auditor: User, auditor_client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        _export(auditor_client, "?action=login")

    assert len(callbacks) == 1
    event = AuditEvent.objects.get(action="export")
    assert event.user_id == auditor.pk
    assert event.detail == {"filters": {"action": "login"}}


def test_another_user_cannot_see_the_export_progress_or_file(
    transactional_db,
    formula_trail,
    auditor_client: Client,
    make_user,
    client_for,
    worker_signals,
) -> None:
    progress_id = _export(auditor_client)
    _run_worker()
    other_auditor = client_for(make_user(Role.SECURITY_AUDITOR, username="other_auditor"))

    assert other_auditor.get(f"/core/tasks/{progress_id}/").status_code == 404
    assert other_auditor.get(f"/core/tasks/{progress_id}/download/").status_code == 404
    assert auditor_client.get(f"/core/tasks/{progress_id}/download/").status_code == 200


def test_only_the_auditor_may_start_an_export(make_user, client_for) -> None:
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.STREET_STAFF):
        response = client_for(make_user(role)).post("/audit/export/")
        assert response.status_code == 403, role
    assert not TaskProgress.objects.exists()
