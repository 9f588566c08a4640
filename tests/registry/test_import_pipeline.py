"""A file checked by several processes is loaded, on PostgreSQL, while it is still checked.

A second connection loads each clean chunk as soon as it is checked, in one transaction
that is committed only when the whole file has been checked and found clean. These tests
commit what they set up (``transactional_db``), as that connection sees committed rows
only. On SQLite the same imports check first and load afterwards; the outcome is the same.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.registry.imports import checking, limits, loading
from jisheng.registry.imports import selectors as import_selectors
from jisheng.registry.imports import services as imports
from jisheng.registry.models import DuplicateFlag, LifeEvent, Person, PersonImport
from support.import_files import csv_bytes, resident_row, resident_rows, upload

State = PersonImport.State
LOADER = "person-import-load"


@pytest.fixture(autouse=True)
def parallel(settings, monkeypatch, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.JISHENG_IMPORT_PARALLEL_ROWS = 1
    settings.JISHENG_IMPORT_WORKERS = 2
    monkeypatch.setattr(limits, "CHUNK_ROWS", 7)


@pytest.fixture
def loaders(monkeypatch) -> list[str]:
    """Names of the threads that inserted residents."""
    names: list[str] = []
    insert = loading._insert_persons

    def spied(columns: Any, rows: Any) -> list[int]:
        names.append(threading.current_thread().name)
        return insert(columns, rows)

    monkeypatch.setattr(loading, "_insert_persons", spied)
    return names


@pytest.fixture
def run(transactional_db, org, make_user) -> Callable[[bytes], PersonImport]:
    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))

    def run(content: bytes) -> PersonImport:
        with translation.override("en"):
            return imports.person_import_start(actor=actor, upload=upload(content))

    return run


def loaded_while_checked() -> bool:
    return connection.vendor == "postgresql"


def test_a_clean_file_is_loaded_while_it_is_checked(run, loaders) -> None:
    rows = resident_rows(50)

    done = run(csv_bytes(rows))

    assert done.state == State.DONE, done.message
    assert done.created_count == Person.objects.count() == 50
    assert LifeEvent.objects.count() == 50
    assert {p.id_number for p in Person.objects.all()} == {row[3] for row in rows}
    assert set(loaders) == ({LOADER} if loaded_while_checked() else {"MainThread"})
    audit = AuditEvent.objects.get(object_type="registry.personimport")
    assert (audit.result, audit.detail["created"]) == ("success", 50)


def test_an_error_in_a_late_row_rolls_back_what_was_already_loaded(run) -> None:
    rows = resident_rows(50)
    rows[45][2] = "不是日期"

    result = run(csv_bytes(rows))

    assert result.state == State.INVALID
    assert [entry["row"] for entry in import_selectors.listed_error_rows(result)] == [47]
    assert not Person.objects.exists()
    assert not LifeEvent.objects.exists()
    assert not DuplicateFlag.objects.exists()


def test_a_failing_load_fails_the_import_and_leaves_nothing(
    run, org, make_person, monkeypatch
) -> None:
    """A resident registered by someone else meanwhile, hidden from the checks, makes an
    insert fail in a late chunk."""
    taken = make_person(org.c1, name="李四")
    assert taken.id_number is not None
    monkeypatch.setattr(checking, "_registered", lambda digests: {})
    rows = resident_rows(50)
    rows[44] = resident_row(44, 身份证号码=taken.id_number, 性别="男", 出生日期="1990-05-17")

    result = run(csv_bytes(rows))

    assert result.state == State.FAILED
    assert "again" in result.message
    assert Person.objects.count() == 1
    assert not LifeEvent.objects.exists()
    audit = AuditEvent.objects.get(object_type="registry.personimport")
    assert (audit.result, audit.detail) == ("failure", {"error": "IntegrityError"})
