"""Second factors at rest: a database dump holds no TOTP key and no recovery code, a code is
accepted once per time step, and rows left in django-otp's plain tables are moved and dropped."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django_otp.oath import TOTP

from jisheng.accounts import two_factor
from jisheng.accounts.models import AuthenticatorDevice, RecoveryCode, User
from jisheng.core import crypto
from jisheng.core.actors import Actor
from jisheng.core.roles import Role

PASSWORD = "Test-pass-2026!"  # same as tests/conftest.py
MIGRATION = importlib.import_module("jisheng.accounts.migrations.0003_second_factor_encrypted")


def now_code(key: bytes) -> str:
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def enrol(user: User) -> tuple[AuthenticatorDevice, list[str]]:
    device = two_factor.enrolment_device(user)
    codes = two_factor.enrol_confirm(
        actor=Actor(user=user), code=now_code(device.bin_key), completes_sign_in=False
    )
    device.refresh_from_db()
    return device, codes


def raw_rows(sql: str, *params: object) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def dump_text(user: User) -> str:
    """Every column of the user's second-factor rows as the database holds them."""
    rows = raw_rows("SELECT * FROM accounts_authenticatordevice WHERE user_id = %s", user.pk)
    rows += raw_rows("SELECT * FROM accounts_recoverycode WHERE user_id = %s", user.pk)
    return repr(
        [bytes(v).hex() if isinstance(v, bytes | memoryview) else v for row in rows for v in row]
    )


def test_the_database_holds_neither_the_totp_key_nor_a_recovery_code(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.STREET_STAFF)
    device, codes = enrol(user)
    (stored_key,) = raw_rows(
        "SELECT key FROM accounts_authenticatordevice WHERE id = %s", device.pk
    )[0]
    assert len(device.key) == 40
    assert bytes.fromhex(device.key) == device.bin_key
    assert device.key.encode() not in bytes(stored_key)
    assert crypto.decrypt(bytes(stored_key), context="accounts.AuthenticatorDevice.key") == (
        device.key
    )
    text = dump_text(user).lower()
    assert device.key not in text
    assert device.bin_key.hex() not in text
    for code in codes:
        assert code not in text
    assert RecoveryCode.objects.filter(user=user).count() == len(codes)


def test_the_same_totp_code_is_refused_the_second_time(make_user: Callable[..., User]) -> None:
    user = make_user(Role.SECURITY_AUDITOR)
    device, _codes = enrol(user)
    device.last_t = -1  # forget the enrolment's step, so this test's code is fresh
    device.save(update_fields=["last_t"])
    code = now_code(device.bin_key)
    first, second = Client(), Client()
    for client in (first, second):
        client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    response = first.post("/accounts/two-factor/verify/", {"code": code})
    assert (response.status_code, response.url) == (302, "/")
    assert second.post("/accounts/two-factor/verify/", {"code": code}).status_code == 401


OLD_SCHEMA = (
    "CREATE TABLE otp_totp_totpdevice (id integer PRIMARY KEY, user_id integer, name varchar(64),"
    " confirmed boolean, created_at timestamp NULL, last_used_at timestamp NULL, key varchar(80),"
    " step smallint, t0 bigint, digits smallint, tolerance smallint, drift smallint,"
    " last_t bigint, throttling_failure_timestamp timestamp NULL,"
    " throttling_failure_count integer)",
    "CREATE TABLE otp_static_staticdevice (id integer PRIMARY KEY, user_id integer,"
    " name varchar(64), confirmed boolean)",
    "CREATE TABLE otp_static_statictoken (id integer PRIMARY KEY, device_id integer,"
    " token varchar(16))",
)


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_old_plain_rows_encrypted_and_drops_the_old_tables(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.LEADER)
    key = b"an-old-plain-key-20b".hex()
    with connection.cursor() as cursor:
        for statement in OLD_SCHEMA:
            cursor.execute(statement)
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice VALUES"
            " (1, %s, 'totp', %s, NULL, NULL, %s, 30, 0, 6, 1, 0, -1, NULL, 0)",
            [user.pk, True, key],
        )
        cursor.execute(
            "INSERT INTO otp_static_staticdevice VALUES (1, %s, 'recovery', %s)", [user.pk, True]
        )
        cursor.execute("INSERT INTO otp_static_statictoken VALUES (1, 1, 'abcd2345')")
    with connection.schema_editor() as editor:
        MIGRATION.move_out_of_django_otp(apps, editor)

    assert not {"otp_totp_totpdevice", "otp_static_statictoken", "otp_static_staticdevice"} & set(
        connection.introspection.table_names()
    )
    device = AuthenticatorDevice.objects.get(user=user)
    assert (device.key, device.confirmed) == (key, True)
    assert key not in dump_text(user)
    assert "abcd2345" not in dump_text(user)

    client = Client()
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    response = client.post("/accounts/two-factor/verify/", {"code": "ABCD-2345"})
    assert (response.status_code, response.url) == (302, "/")
    assert not RecoveryCode.objects.filter(user=user).exists()
    client = Client()
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    response = client.post("/accounts/two-factor/verify/", {"code": now_code(bytes.fromhex(key))})
    assert (response.status_code, response.url) == (302, "/")
