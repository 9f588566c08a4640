"""Sensitive fields: SM4-GCM at rest, tamper-evident, searchable only through the blind index."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from jisheng.core import crypto
from jisheng.core.backup import SQLITE_VIRTUAL_TABLES
from jisheng.core.idnumber import mask_id_number
from jisheng.demo.population import generate_population
from jisheng.registry.models import Person


def all_database_values() -> list[object]:
    values: list[object] = []
    with connection.cursor() as cursor:
        virtual: set[str] = set()
        if connection.vendor == "sqlite":
            # The FTS5 search indexes: a contentless one cannot be read row by row; the
            # ordinary tables that hold their index are read below like every other.
            cursor.execute(SQLITE_VIRTUAL_TABLES)
            virtual = {row[0] for row in cursor.fetchall()}
        for table in set(connection.introspection.table_names(cursor)) - virtual:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                values.extend(row)
    return values


def test_no_table_holds_a_plaintext_id_number_or_phone(org, make_person) -> None:
    person = make_person(org.c1, phone="13912345678")
    id_number = person.id_number
    for value in all_database_values():
        raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        assert id_number.encode() not in raw
        assert b"13912345678" not in raw
        assert id_number[6:14].encode() + id_number[14:].encode() not in raw


def test_value_round_trips_and_lists_show_the_masked_form(org, make_person) -> None:
    person = make_person(org.c1)
    loaded = Person.objects.get(pk=person.pk)
    assert loaded.id_number == person.id_number
    assert loaded.id_number_masked == mask_id_number(person.id_number)
    assert loaded.id_number_masked[6:14] == "********"


def test_a_flipped_byte_fails_to_decrypt() -> None:
    token = bytearray(crypto.encrypt("370404199005170011", context="registry.Person.id_number"))
    for position in (1, len(token) // 2, len(token) - 1):
        tampered = bytearray(token)
        tampered[position] ^= 0x01
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(bytes(tampered), context="registry.Person.id_number")


def test_ciphertext_moved_to_another_column_fails_to_decrypt() -> None:
    token = crypto.encrypt("13800138000", context="registry.Person.phone")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="registry.Person.id_number")


def test_same_value_encrypts_differently_each_time() -> None:
    first = crypto.encrypt("13800138000", context="c")
    assert first != crypto.encrypt("13800138000", context="c")
    assert crypto.decrypt(first, context="c") == "13800138000"


def test_blind_index_finds_exact_match_only(org, make_person) -> None:
    person = make_person(org.c1)
    field = Person._meta.get_field("id_number_index")
    assert Person.objects.get(id_number_index=field.digest(person.id_number.lower())) == person
    # Another last character, never the person's own (a fixed "0" matched when it was theirs).
    other_last = "1" if person.id_number[-1] == "0" else "0"
    assert not Person.objects.filter(
        id_number_index=field.digest(person.id_number[:-1] + other_last)
    ).exists()


def test_encrypted_field_refuses_lookups_other_than_isnull(org) -> None:
    with pytest.raises(TypeError, match="blind index"):
        Person.objects.filter(id_number="370404199005170011").exists()
    assert Person.objects.filter(phone__isnull=True).count() == 0


def test_keys_live_outside_the_database() -> None:
    key_file = Path(os.environ["JISHENG_HOME"]) / "keys" / "data.json"
    crypto.keyring()
    assert key_file.exists()
    assert key_file.stat().st_mode & 0o077 == 0, "key file must be readable by its owner only"


def test_demo_sqlite_file_holds_no_plaintext_id_number_or_phone(tmp_path: Path) -> None:
    # Always SQLite, whatever database the suite runs on: this reads the file itself.
    env = {**os.environ, "JISHENG_HOME": str(tmp_path), "JISHENG_ENV": "demo"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "jisheng.cli", "demo", "--persons", "300", "--no-serve"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    db = tmp_path / "jisheng.sqlite3"
    sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("jisheng.sqlite3*"))
    persons = [
        p
        for bundle in generate_population(300, n_communities=12, today=timezone.localdate())
        for p in bundle.persons
    ]
    assert persons
    for p in persons:
        assert p.id_number.encode() not in raw
        if p.phone:
            assert p.phone.encode() not in raw
