"""The audit trail only grows: the app and the database both refuse to rewrite it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test import Client

from jisheng.accounts.models import User, UserRole
from jisheng.audit import services as audit
from jisheng.audit.models import AuditEvent
from jisheng.core.roles import Role

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def event(db) -> AuditEvent:
    return audit.record(
        action="login_failed",
        username="mallory",
        ip="192.0.2.10",
        result="failure",
        detail={"reason": "credentials"},
    )


def _unchanged(event: AuditEvent) -> None:
    fresh = AuditEvent.objects.get(pk=event.pk)
    assert (fresh.username, fresh.action, fresh.result, fresh.detail) == (
        "mallory",
        "login_failed",
        "failure",
        {"reason": "credentials"},
    )


def test_queryset_update_is_refused(event: AuditEvent) -> None:
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(username="someone_else")

    _unchanged(event)


def test_queryset_delete_is_refused(event: AuditEvent) -> None:
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_all_events_is_refused(event: AuditEvent) -> None:
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.count() == 1


def test_bulk_update_is_refused(event: AuditEvent) -> None:
    event.username = "someone_else"

    with pytest.raises(PermissionError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["username"])

    _unchanged(event)


def test_saving_an_existing_event_is_refused(event: AuditEvent) -> None:
    loaded = AuditEvent.objects.get(pk=event.pk)
    loaded.result = "success"

    with pytest.raises(PermissionError):
        loaded.save()

    _unchanged(event)


def test_deleting_one_event_is_refused(event: AuditEvent) -> None:
    with pytest.raises(PermissionError):
        AuditEvent.objects.get(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_is_refused_by_the_database_trigger(event: AuditEvent) -> None:
    table = connection.ops.quote_name(TABLE)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET username = %s WHERE id = %s",  # noqa: S608
            ["someone_else", event.pk],
        )

    _unchanged(event)


def test_update_through_the_base_manager_is_refused_by_the_database(event: AuditEvent) -> None:
    # The base manager skips the append-only queryset: only the trigger stands in the way.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent._base_manager.filter(pk=event.pk).update(result="success")

    _unchanged(event)


def test_new_events_can_still_be_appended_after_a_refused_update(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent._base_manager.filter(pk=event.pk).update(result="success")

    audit.record(action="logout", username="mallory")

    assert AuditEvent.objects.count() == 2


def test_event_carries_utc_time_user_roles_ip_action_object_and_result(
    make_user: Callable[..., User], make_person, client_for: Callable[[User], Client]
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER, username="zhou_worker")
    person = make_person()
    client = client_for(worker)
    moment = dt.datetime(2026, 3, 2, 9, 30, 15, tzinfo=ZoneInfo("Asia/Shanghai"))

    with time_machine.travel(moment, tick=False):
        response = client.get(f"/registry/persons/{person.pk}/", REMOTE_ADDR="10.20.30.40")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="view")
    assert event.at == dt.datetime(2026, 3, 2, 1, 30, 15, tzinfo=dt.UTC)
    assert event.at.utcoffset() == dt.timedelta(0)
    assert event.user_id == worker.pk
    assert event.username == "zhou_worker"
    assert event.roles == "community_worker"
    assert event.ip == "10.20.30.40"
    assert event.object_type == "registry.person"
    assert event.object_id == str(person.pk)
    assert event.result == "success"


def test_event_time_is_stored_as_utc_in_the_database(db) -> None:
    moment = dt.datetime(2026, 3, 2, 23, 45, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        recorded = audit.record(action="logout", username="night_owl")

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT at FROM {connection.ops.quote_name(TABLE)} WHERE id = %s",  # noqa: S608
            [recorded.pk],
        )
        (raw,) = cursor.fetchone()
    if isinstance(raw, str):  # SQLite without converters: naive UTC text
        raw = dt.datetime.fromisoformat(raw)
    if raw.tzinfo is None:  # SQLite: naive, by Django's convention in UTC
        raw = raw.replace(tzinfo=dt.UTC)
    else:  # PostgreSQL: timestamptz in the connection's zone, which Django sets to UTC
        assert raw.utcoffset() == dt.timedelta(0)
    assert raw == dt.datetime(2026, 3, 2, 15, 45, tzinfo=dt.UTC)


def test_multiple_roles_are_recorded_sorted(org, make_user, client_for, make_person) -> None:
    staff = make_user(Role.STREET_STAFF, username="two_hats")
    # The service now refuses a second role; an account from before that rule may hold two.
    UserRole.objects.create(user=staff, role=Role.LEADER)
    person = make_person()

    client_for(User.objects.get(pk=staff.pk)).get(f"/registry/persons/{person.pk}/")

    assert AuditEvent.objects.get(action="view").roles == "leader,street_staff"
