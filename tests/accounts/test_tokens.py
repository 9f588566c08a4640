"""Personal API tokens: issued by the CLI, stored as a digest, checked on every API call."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from jisheng.accounts.models import ApiToken, User
from jisheng.accounts.services import LoginRefused, login_check, login_is_locked, user_set_active
from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.roles import Role


def _create_token(username: str, name: str | None = None) -> str:
    out = StringIO()
    options = {"user": username, "stdout": out}
    if name is not None:
        options["name"] = name
    call_command("token", "create", **options)
    return out.getvalue().strip()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def worker(make_user: Callable[..., User]) -> User:
    return make_user(Role.COMMUNITY_WORKER, username="token_worker")


def test_token_command_prints_a_jst_token_once(worker: User) -> None:
    raw = _create_token("token_worker", name="laptop")

    assert raw.startswith("jst_")
    assert len(raw) > 40
    assert "\n" not in raw
    token = ApiToken.objects.get(user=worker)
    assert token.name == "laptop"
    assert token.revoked_at is None


def test_two_tokens_for_one_user_differ(worker: User) -> None:
    assert _create_token("token_worker") != _create_token("token_worker")
    assert ApiToken.objects.filter(user=worker).count() == 2


def test_only_the_sha256_digest_of_the_token_is_stored(worker: User) -> None:
    raw = _create_token("token_worker")

    token = ApiToken.objects.get(user=worker)
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    table = connection.ops.quote_name(ApiToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table name
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert stored
    assert not any(raw in value for value in stored)
    assert raw[len("jst_") :] not in " ".join(stored)


def test_token_creation_is_audited_without_the_token(worker: User) -> None:
    raw = _create_token("token_worker")

    event = AuditEvent.objects.get(action="permission_change", object_type="accounts.apitoken")
    assert event.username == "cli"
    assert event.detail == {"token_for": worker.pk}
    assert raw not in str(event.detail)


def test_token_command_refuses_an_unknown_user(db) -> None:
    with pytest.raises(CommandError):
        _create_token("no_such_user")

    assert not ApiToken.objects.exists()


def test_token_command_refuses_an_inactive_user(worker: User) -> None:
    User.objects.filter(pk=worker.pk).update(is_active=False)

    with pytest.raises(CommandError):
        _create_token("token_worker")


def test_bearer_token_authenticates_api_me(worker: User) -> None:
    raw = _create_token("token_worker")

    response = Client().get("/api/me", headers=_bearer(raw))

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "token_worker"
    assert body["roles"] == ["community_worker"]
    assert ApiToken.objects.get(user=worker).last_used_at is not None


def test_request_without_token_or_session_gets_401_json(db) -> None:
    response = Client().get("/api/me")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response.json()["message"]


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Bearer jst_not-a-real-token-at-all-0000000000000", id="unknown-jst-token"),
        pytest.param("Bearer something-else", id="no-prefix"),
        pytest.param("Bearer ", id="empty"),
        pytest.param("Basic dXNlcjpwYXNz", id="basic-auth"),
    ],
)
def test_wrong_token_gets_401_json(worker: User, header: str) -> None:
    _create_token("token_worker")

    response = Client().get("/api/me", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_token_with_one_character_changed_gets_401(worker: User) -> None:
    raw = _create_token("token_worker")
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")

    response = Client().get("/api/me", headers=_bearer(tampered))

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_revoked_token_gets_401(worker: User) -> None:
    raw = _create_token("token_worker")
    assert Client().get("/api/me", headers=_bearer(raw)).status_code == 200
    ApiToken.objects.filter(user=worker).update(revoked_at=timezone.now())

    response = Client().get("/api/me", headers=_bearer(raw))

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_token_of_a_deactivated_user_gets_401(worker: User, make_user) -> None:
    raw = _create_token("token_worker")
    assert Client().get("/api/me", headers=_bearer(raw)).status_code == 200
    admin = make_user(Role.SYSTEM_ADMIN)
    user_set_active(actor=Actor(user=admin), user=worker, active=False)

    response = Client().get("/api/me", headers=_bearer(raw))

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_token_grants_only_its_owners_roles(worker: User) -> None:
    raw = _create_token("token_worker")

    response = Client().get("/api/audit/events", headers=_bearer(raw))

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_a_revoked_token_stops_working_at_once(make_user, client_for) -> None:
    from django.test import Client

    from jisheng.accounts.models import ApiToken
    from jisheng.accounts.services import token_create
    from jisheng.core.roles import Role

    user = make_user(Role.COMMUNITY_WORKER)
    token, raw = token_create(user=user, name="desk")
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bearer.get("/api/me").status_code == 200
    response = client_for(user).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert bearer.get("/api/me").status_code == 401
    other = client_for(make_user(Role.COMMUNITY_WORKER))
    assert other.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404


def test_token_stops_working_while_the_sign_in_is_locked_and_works_again_after(
    worker: User,
) -> None:
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        raw = _create_token("token_worker")
        assert Client().get("/api/me", headers=_bearer(raw)).status_code == 200
        for _try in range(settings.LOGIN_FAILURE_LIMIT):
            with pytest.raises(LoginRefused):
                login_check(username="token_worker", password="Wrong-pass-2026!", ip=None)
        assert login_is_locked("token_worker")

        locked = Client().get("/api/me", headers=_bearer(raw))

        assert locked.status_code == 401
        assert locked.json()["code"] == "unauthenticated"
        clock.shift(dt.timedelta(seconds=settings.LOGIN_LOCK_SECONDS + 60))
        assert Client().get("/api/me", headers=_bearer(raw)).status_code == 200
