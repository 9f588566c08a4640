"""Second factors leave django-otp's plain tables: TOTP keys move encrypted, recovery codes hashed.

django-otp's ``otp_totp`` kept each key as plain hex and ``otp_static`` each recovery code as
plain text, so a database dump gave away everyone's second factor. Rows found there are moved
into the new tables, then the old tables are dropped (their apps are no longer installed), so
no plaintext copy is left behind. Not reversible: the plaintext is gone on purpose.
"""

import secrets
from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import jisheng.core.fields
from jisheng.core import crypto

OLD_TABLES = ("otp_static_statictoken", "otp_static_staticdevice", "otp_totp_totpdevice")
# The same as jisheng.accounts.two_factor.recovery_code_digest (frozen here, as migrations are).
RECOVERY_CODE_CONTEXT = "accounts.RecoveryCode.digest"


def _rows(cursor: Any, sql: str) -> list[dict[str, Any]]:
    cursor.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def move_out_of_django_otp(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor)) & set(OLD_TABLES)
        device_model = apps.get_model("accounts", "AuthenticatorDevice")
        code_model = apps.get_model("accounts", "RecoveryCode")
        if "otp_totp_totpdevice" in present:
            for row in _rows(cursor, "SELECT * FROM otp_totp_totpdevice"):
                # The historical model's EncryptedTextField encrypts the key on save.
                device_model.objects.create(
                    user_id=row["user_id"],
                    name=row["name"],
                    confirmed=bool(row["confirmed"]),
                    created_at=row.get("created_at"),
                    last_used_at=row.get("last_used_at"),
                    key=row["key"],
                    step=row["step"],
                    t0=row["t0"],
                    digits=row["digits"],
                    tolerance=row["tolerance"],
                    drift=row["drift"],
                    last_t=row["last_t"],
                )
        if {"otp_static_statictoken", "otp_static_staticdevice"} <= present:
            tokens = _rows(
                cursor,
                "SELECT d.user_id, t.token FROM otp_static_statictoken t"
                " JOIN otp_static_staticdevice d ON d.id = t.device_id",
            )
            for row in tokens:
                salt = secrets.token_hex(16)
                code = row["token"].lower()
                digest = crypto.blind_index(f"{salt}:{code}", context=RECOVERY_CODE_CONTEXT)
                code_model.objects.create(user_id=row["user_id"], salt=salt, digest=digest)
        for table in OLD_TABLES:
            if table in present:
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
        cursor.execute("DELETE FROM django_migrations WHERE app IN ('otp_totp', 'otp_static')")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuthenticatorDevice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="The human-readable name of this device.", max_length=64
                    ),
                ),
                (
                    "confirmed",
                    models.BooleanField(default=True, help_text="Is this device ready for use?"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        auto_now_add=True,
                        help_text="The date and time when this device was initially created in the system.",
                        null=True,
                    ),
                ),
                (
                    "last_used_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="The most recent date and time this device was used.",
                        null=True,
                    ),
                ),
                (
                    "key",
                    jisheng.core.fields.EncryptedTextField(
                        blank=True, null=True, verbose_name="key"
                    ),
                ),
                ("step", models.PositiveSmallIntegerField(default=30)),
                ("t0", models.BigIntegerField(default=0)),
                ("digits", models.PositiveSmallIntegerField(default=6)),
                ("tolerance", models.PositiveSmallIntegerField(default=1)),
                ("drift", models.SmallIntegerField(default=0)),
                ("last_t", models.BigIntegerField(default=-1)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="authenticators",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "authenticator",
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="RecoveryCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("salt", models.CharField(max_length=32)),
                ("digest", models.CharField(max_length=64)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recovery_codes",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "recovery code",
            },
        ),
        migrations.RunPython(move_out_of_django_otp, migrations.RunPython.noop),
    ]
