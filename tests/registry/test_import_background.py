"""Big imports run in the background with a progress bar; the check can use several processes."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.models import TaskProgress
from jisheng.core.roles import Role
from jisheng.registry.imports import limits
from jisheng.registry.imports import selectors as import_selectors
from jisheng.registry.imports import services as imports
from jisheng.registry.models import LifeEvent, Person, PersonImport
from support.import_files import csv_bytes, resident_rows, upload

State = PersonImport.State


@pytest.fixture(autouse=True)
def small_files_are_big(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.JISHENG_IMPORT_INLINE_ROWS = 10


@pytest.fixture
def worker_signals() -> Iterator[None]:
    """The task worker installs its own signal handlers; give pytest its own back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def run_worker() -> None:
    # In this process, under transactional_db: the worker closes connections left outside
    # autocommit, which would end a test transaction on PostgreSQL.
    call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)


@pytest.fixture
def worker_client(make_user, client_for) -> Client:
    return client_for(make_user(Role.COMMUNITY_WORKER, username="bg_worker"))


def upload_page(client: Client, content: bytes) -> PersonImport:
    response = client.post(reverse("registry:person_import_new"), {"file": upload(content)})
    assert response.status_code == 302, response.content
    return PersonImport.objects.get()


def test_a_big_file_is_imported_in_the_background_with_progress(
    transactional_db, org, worker_client, worker_signals
) -> None:
    person_import = upload_page(worker_client, csv_bytes(resident_rows(30)))
    url = reverse("registry:person_import_detail", args=[person_import.pk])

    queued = worker_client.get(url).content.decode()
    assert person_import.state == State.QUEUED
    assert person_import.progress is not None
    assert person_import.progress.owner_id == person_import.owner_id
    assert 'data-state="queued"' in queued
    assert f'hx-get="{url}"' in queued  # the result polls itself while it runs
    assert reverse("core:task_progress", args=[person_import.progress.pk]) in queued
    assert not Person.objects.exists()

    run_worker()

    person_import.refresh_from_db()
    assert person_import.state == State.DONE, person_import.message
    assert person_import.created_count == Person.objects.count() == 30
    progress = TaskProgress.objects.get(pk=person_import.progress_id)
    assert progress.state == TaskProgress.State.DONE
    assert progress.percent == 100
    assert progress.total == 60  # checked, then loaded
    done = worker_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-state="done"' in done
    assert "hx-get" not in done
    api = worker_client.get(f"/api/imports/persons/{person_import.pk}").json()
    assert (api["state"], api["progress_percent"], api["created_count"]) == ("done", 100, 30)
    audit = AuditEvent.objects.get(object_type="registry.personimport")
    assert audit.detail["created"] == 30


def test_background_errors_are_reported_like_inline_ones(
    transactional_db, org, worker_client, worker_signals
) -> None:
    rows = resident_rows(20)
    rows[14][2] = "不是日期"
    person_import = upload_page(worker_client, csv_bytes(rows))

    run_worker()

    person_import.refresh_from_db()
    assert person_import.state == State.INVALID
    assert [entry["row"] for entry in import_selectors.listed_error_rows(person_import)] == [16]
    assert not Person.objects.exists()
    progress = TaskProgress.objects.get(pk=person_import.progress_id)
    assert progress.finished


def test_a_lost_upload_fails_the_task_and_says_so(
    transactional_db, org, worker_client, worker_signals
) -> None:
    person_import = upload_page(worker_client, csv_bytes(resident_rows(20)))
    imports.stored_path(person_import).unlink()

    run_worker()

    person_import.refresh_from_db()
    assert person_import.state == State.FAILED
    assert person_import.message
    assert TaskProgress.objects.get(pk=person_import.progress_id).state == "failed"
    audit = AuditEvent.objects.get(object_type="registry.personimport")
    assert audit.result == "failure"
    assert not Person.objects.exists()


def test_the_task_is_queued_only_when_the_upload_commits(
    org, make_user, django_capture_on_commit_callbacks
) -> None:
    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))
    with django_capture_on_commit_callbacks() as callbacks:
        person_import = imports.person_import_start(
            actor=actor, upload=upload(csv_bytes(resident_rows(20)))
        )
    assert len(callbacks) == 1
    assert person_import.state == State.QUEUED


def test_an_import_runs_once(org, make_user, settings) -> None:
    settings.JISHENG_IMPORT_INLINE_ROWS = 1000
    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))
    done = imports.person_import_start(actor=actor, upload=upload(csv_bytes(resident_rows(3))))

    again = imports.person_import_run(import_id=done.pk)

    assert again.state == State.DONE
    assert Person.objects.count() == 3
    assert LifeEvent.objects.count() == 3


# --- several processes ----------------------------------------------------------------------


def _run(actor: Actor, content: bytes) -> PersonImport:
    person_import = imports.person_import_start(actor=actor, upload=upload(content))
    return imports.person_import_run(import_id=person_import.pk)


@pytest.fixture
def parallel(settings, monkeypatch) -> None:
    settings.JISHENG_IMPORT_PARALLEL_ROWS = 1
    settings.JISHENG_IMPORT_WORKERS = 2
    monkeypatch.setattr(limits, "CHUNK_ROWS", 7)


def test_a_check_split_over_processes_finds_what_one_process_finds(
    org, make_user, settings, parallel
) -> None:
    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))
    rows = resident_rows(40)
    rows[3][1] = "?"
    rows[21] = list(rows[2])  # a duplicate in another chunk
    rows[33][3] = "3.70404E+17"
    content = csv_bytes(rows)

    with translation.override("en"):
        split = _run(actor, content)
        settings.JISHENG_IMPORT_WORKERS = 0
        single = _run(actor, content)

    assert split.state == single.state == State.INVALID
    assert split.error_rows == single.error_rows
    assert [entry["row"] for entry in split.error_rows] == [5, 23, 35]


def test_rows_prepared_in_other_processes_load_and_decrypt(org, make_user, parallel) -> None:
    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))
    rows = resident_rows(50)

    done = _run(actor, csv_bytes(rows))

    assert done.state == State.DONE, done.message
    assert Person.objects.count() == 50
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(r[0] for r in rows)
    numbers = {p.id_number for p in Person.objects.all()}
    assert numbers == {row[3] for row in rows}
    assert LifeEvent.objects.count() == 50
