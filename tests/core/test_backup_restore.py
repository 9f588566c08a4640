"""Restore drill: an instance with residents and benefits, backed up with `jisheng backup`,
restored with `jisheng restore` into a fresh instance (new folder, new database), and compared.

Everything runs as real `jisheng` processes, on the database vendor the suite runs on
(PostgreSQL when DATABASE_URL says so: the test creates and drops its own databases).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

SERVER_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith(("postgres://", "postgresql://"))

# Printed by `jisheng shell -c` in an instance: its row counts and a decrypted sample.
SNAPSHOT = """
import json
from django.db import connection
from jisheng.accounts.models import AuthenticatorDevice
from jisheng.core.backup import SQLITE_VIRTUAL_TABLES
from jisheng.registry.models import Person
counts = {}
with connection.cursor() as cursor:
    virtual = set()
    if connection.vendor == "sqlite":  # the FTS5 indexes: their shadow tables are counted
        cursor.execute(SQLITE_VIRTUAL_TABLES)
        virtual = {row[0] for row in cursor.fetchall()}
    for table in connection.introspection.table_names(cursor):
        if not table.startswith("sqlite_") and table not in virtual:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
sample = []
if "registry_person" in counts:
    sample = list(Person.objects.order_by("pk").values_list("pk", "id_number", "phone")[:25])
keys = []
if "accounts_authenticatordevice" in counts:
    keys = list(AuthenticatorDevice.objects.order_by("pk").values_list("pk", "key"))
print(json.dumps({"counts": counts, "sample": sample, "totp_keys": keys}))
"""


@dataclass
class Instance:
    """One jisheng installation: an instance folder and (on PostgreSQL) its own database."""

    home: Path
    database_url: str | None

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "JISHENG_KEY_FILE", "JISHENG_SECRET_KEY"}
        }
        env.update(JISHENG_HOME=str(self.home), JISHENG_ENV="test")
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return subprocess.run(  # noqa: S603 - this interpreter running the jisheng command
            [sys.executable, "-m", "jisheng.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def tables(self) -> list[str]:
        """The instance's tables, read without starting jisheng (which would create some)."""
        if self.database_url:
            with psycopg.connect(self.database_url) as connection:
                rows = connection.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                ).fetchall()
            return [str(name) for (name,) in rows]
        path = self.home / "jisheng.sqlite3"
        if not path.exists():
            return []
        with sqlite3.connect(path) as connection:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return [str(name) for (name,) in rows]

    def snapshot(self) -> dict[str, Any]:
        snapshot: dict[str, Any] = json.loads(self.ok("shell", "-c", SNAPSHOT).splitlines()[-1])
        return snapshot


@pytest.fixture(scope="module")
def new_instance(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], Instance]]:
    created: list[str] = []

    def make(label: str) -> Instance:
        home = tmp_path_factory.mktemp(f"home-{label}")
        if not ON_POSTGRES:
            return Instance(home=home, database_url=None)
        name = f"jdrill_{label}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(SERVER_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created.append(name)
        base, _slash, _old = SERVER_URL.rpartition("/")
        return Instance(home=home, database_url=f"{base}/{name}")

    yield make
    if created:
        with psycopg.connect(SERVER_URL, autocommit=True) as admin:
            for name in created:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


@dataclass
class Drill:
    source: Instance
    before: dict[str, Any]
    data: Path
    keys: Path


@pytest.fixture(scope="module")
def drill(
    new_instance: Callable[[str], Instance], tmp_path_factory: pytest.TempPathFactory
) -> Drill:
    """A demo instance with residents and benefits, and its database and key backups."""
    source = new_instance("src")
    source.ok("demo", "--persons", "150", "--no-serve")
    backups = tmp_path_factory.mktemp("backups")
    source.ok("backup", "--to", str(backups / "data"), "--keys-to", str(backups / "keys"))
    (data,) = (backups / "data").iterdir()
    (keys,) = (backups / "keys").iterdir()
    return Drill(source=source, before=source.snapshot(), data=data, keys=keys)


def _copy(folder: Path, to: Path) -> Path:
    to.mkdir()
    for path in folder.iterdir():
        (to / path.name).write_bytes(path.read_bytes())
    return to


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_restore_into_a_fresh_instance_gives_the_same_rows_and_decrypted_values(
    drill: Drill, new_instance: Callable[[str], Instance]
) -> None:
    counts = drill.before["counts"]
    assert counts["registry_person"] == 150
    assert sum(n for table, n in counts.items() if table.startswith("benefits_")) > 0
    manifest = json.loads((drill.data / "manifest.json").read_text())
    assert manifest["row_counts"] == counts
    assert manifest["database"]["vendor"] == ("postgresql" if ON_POSTGRES else "sqlite")
    assert not (set(os.listdir(drill.data)) & {"data.json", "secret_key"})  # keys kept apart

    target = new_instance("dst")
    out = target.ok("restore", "--from", str(drill.data), "--keys", str(drill.keys))
    assert "Row counts match the manifest." in out

    after = target.snapshot()
    assert after["counts"] == counts
    assert after["sample"] == drill.before["sample"]
    assert len(after["sample"]) == 25
    assert all(len(id_number) == 18 for _pk, id_number, _phone in after["sample"])
    # The demo's enrolled accounts: their encrypted TOTP keys decrypt after the restore too.
    assert after["totp_keys"] == drill.before["totp_keys"]
    assert drill.before["totp_keys"]
    assert all(len(key) == 40 for _pk, key in after["totp_keys"])
    for name in ("data.json", "secret_key"):
        assert _sha256(target.home / "keys" / name) == _sha256(drill.source.home / "keys" / name)

    again = target.run("restore", "--from", str(drill.data), "--keys", str(drill.keys))
    assert again.returncode != 0
    assert "already holds data" in again.stderr
    assert "Row counts match" in target.ok(
        "restore", "--from", str(drill.data), "--keys", str(drill.keys), "--force"
    )


def test_a_tampered_database_file_is_refused_before_anything_changes(
    drill: Drill, new_instance: Callable[[str], Instance], tmp_path: Path
) -> None:
    tampered = _copy(drill.data, tmp_path / "tampered")
    database = next(p for p in tampered.iterdir() if p.name.startswith("database."))
    content = bytearray(database.read_bytes())
    content[len(content) // 2] ^= 0x01
    database.write_bytes(bytes(content))
    target = new_instance("tampered")

    result = target.run("restore", "--from", str(tampered), "--keys", str(drill.keys))

    assert result.returncode != 0
    assert "does not match its SHA-256 checksum" in result.stderr
    assert target.tables() == []
    assert not (target.home / "keys" / "data.json").exists()


def test_a_manifest_edited_with_its_checksums_is_refused(
    drill: Drill, new_instance: Callable[[str], Instance], tmp_path: Path
) -> None:
    edited = _copy(drill.data, tmp_path / "edited")
    manifest = json.loads((edited / "manifest.json").read_text())
    manifest["row_counts"]["registry_person"] += 1
    (edited / "manifest.json").write_text(json.dumps(manifest))
    target = new_instance("edited")

    result = target.run("restore", "--from", str(edited), "--keys", str(drill.keys))

    assert result.returncode != 0
    assert "was altered after the backup was written" in result.stderr
    assert target.tables() == []


def test_keys_of_another_instance_are_refused(
    drill: Drill, new_instance: Callable[[str], Instance], tmp_path: Path
) -> None:
    other_keys = _copy(drill.keys, tmp_path / "other-keys")
    fresh = {
        "active": 1,
        "data_keys": {"1": base64.b64encode(secrets.token_bytes(16)).decode()},
        "index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    (other_keys / "data.json").write_text(json.dumps(fresh))
    keys_manifest = json.loads((other_keys / "keys-manifest.json").read_text())
    keys_manifest["files"]["data.json"]["sha256"] = _sha256(other_keys / "data.json")
    (other_keys / "keys-manifest.json").write_text(json.dumps(keys_manifest))
    other = new_instance("otherkeys")

    result = other.run("restore", "--from", str(drill.data), "--keys", str(other_keys))

    assert result.returncode != 0
    assert "do not belong to this database backup" in result.stderr
    assert other.tables() == []


def test_keys_are_not_written_next_to_the_data(new_instance: Callable[[str], Instance]) -> None:
    instance = new_instance("apart")
    result = instance.run(
        "backup", "--to", str(instance.home / "b"), "--keys-to", str(instance.home / "b" / "k")
    )
    assert result.returncode != 0
    assert "Keys must not be stored with the data" in result.stderr
