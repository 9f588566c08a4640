"""What gets written to the trail, and that nothing happens when it cannot be written."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import DatabaseError
from django.test import Client

from jisheng.accounts.models import User, UserRole
from jisheng.accounts.services import role_grant, user_create
from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.registry.models import Person

PASSWORD = "Test-pass-2026!"  # same as tests/conftest.py


@pytest.fixture
def worker(make_user: Callable[..., User]) -> User:
    return make_user(Role.COMMUNITY_WORKER, username="audit_worker")


@pytest.fixture
def resident(make_person) -> Person:
    return make_person(name="张秀英")


def _refuse(*args: object, **kwargs: object) -> AuditEvent:
    raise DatabaseError("audit store unavailable")


@pytest.fixture
def break_audit(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call it to make the audit store refuse every write from then on."""
    return lambda: monkeypatch.setattr(AuditEvent.objects, "create", _refuse)


@pytest.fixture
def broken_audit(break_audit: Callable[[], None]) -> None:
    break_audit()


def _all_audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)


# --- what is recorded ---------------------------------------------------------------------


def test_viewing_a_person_records_a_view_event_for_that_person(
    worker: User, resident: Person, client_for: Callable[[User], Client]
) -> None:
    response = client_for(worker).get(f"/registry/persons/{resident.pk}/")

    assert response.status_code == 200
    assert resident.id_number in response.content.decode()
    event = AuditEvent.objects.get(action="view")
    assert event.object_type == "registry.person"
    assert event.object_id == str(resident.pk)
    assert event.user_id == worker.pk
    assert event.username == "audit_worker"


def test_each_view_is_recorded_separately(worker, resident, client_for) -> None:
    client = client_for(worker)

    client.get(f"/registry/persons/{resident.pk}/")
    client.get(f"/registry/persons/{resident.pk}/")

    assert AuditEvent.objects.filter(action="view", object_id=str(resident.pk)).count() == 2


def test_person_outside_the_users_area_is_not_shown_and_no_view_is_recorded(
    worker: User, make_person, org, client_for
) -> None:
    elsewhere = make_person(org.c2, name="王建国")

    response = client_for(worker).get(f"/registry/persons/{elsewhere.pk}/")

    assert response.status_code == 404
    assert elsewhere.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action="view").exists()


def test_name_search_records_a_search_event(worker, resident, client_for) -> None:
    response = client_for(worker).get("/registry/persons/", {"name": "张"})

    assert response.status_code == 200
    assert resident.name in response.content.decode()
    event = AuditEvent.objects.get(action="search")
    assert event.object_type == "registry.person"
    assert event.user_id == worker.pk
    assert event.detail["name"] is True
    assert event.detail["id_number"] is False


def test_search_event_does_not_contain_the_searched_id_number(worker, resident, client_for) -> None:
    response = client_for(worker).get("/registry/persons/", {"id_number": resident.id_number})

    assert response.status_code == 200
    assert resident.id_number_masked in response.content.decode()
    event = AuditEvent.objects.get(action="search")
    assert event.detail["id_number"] is True
    assert resident.id_number not in json.dumps(event.detail)
    assert resident.id_number not in _all_audit_text()
    assert resident.id_number[-8:] not in _all_audit_text()


def test_search_event_does_not_contain_the_searched_name(worker, resident, client_for) -> None:
    client_for(worker).get("/registry/persons/", {"name": "张秀"})

    assert AuditEvent.objects.filter(action="search").count() == 1
    assert "张秀" not in _all_audit_text()


# --- nothing happens without its audit row --------------------------------------------------


def test_person_detail_fails_when_its_view_cannot_be_recorded(
    worker: User, resident: Person, client_for, broken_audit: None
) -> None:
    client = client_for(worker)
    client.raise_request_exception = False

    response = client.get(f"/registry/persons/{resident.pk}/")

    assert response.status_code == 500
    body = response.content.decode()
    assert resident.id_number not in body
    assert resident.phone not in body


def test_person_search_fails_when_it_cannot_be_recorded(
    worker: User, resident: Person, client_for, broken_audit: None
) -> None:
    client = client_for(worker)
    client.raise_request_exception = False

    response = client.get("/registry/persons/", {"name": "张"})

    assert response.status_code == 500
    assert resident.id_number_masked not in response.content.decode()


def test_user_create_leaves_no_account_when_the_audit_write_fails(
    make_user: Callable[..., User], org, break_audit: Callable[[], None]
) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    break_audit()

    with pytest.raises(DatabaseError):
        user_create(
            actor=Actor(user=admin), username="never_created", password=PASSWORD, org_unit=org.c1
        )

    assert not User.objects.filter(username="never_created").exists()


def test_role_grant_leaves_no_role_when_the_audit_write_fails(
    make_user: Callable[..., User], org, break_audit: Callable[[], None]
) -> None:
    security_admin = make_user(Role.SECURITY_ADMIN)
    target = user_create(actor=None, username="target", password=PASSWORD, org_unit=org.street)
    break_audit()

    with pytest.raises(DatabaseError):
        role_grant(actor=Actor(user=security_admin), user=target, role=Role.LEADER)

    assert not UserRole.objects.filter(user=target).exists()


def test_sign_in_does_not_happen_when_the_login_cannot_be_recorded(
    worker: User, broken_audit: None
) -> None:
    client = Client(raise_request_exception=False)

    response = client.post("/accounts/login/", {"username": "audit_worker", "password": PASSWORD})

    assert response.status_code == 500
    assert (
        settings.SESSION_COOKIE_NAME not in client.cookies
        or not client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    signed_in = [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(worker.pk)
    ]
    assert signed_in == []
