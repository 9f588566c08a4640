"""An upload lives in clear only while its import runs; imports of a dead process are failed
by the worker's maintenance; kept uploads are sealed and purged after their retention."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jisheng.audit.models import AuditEvent
from jisheng.core import workers
from jisheng.core.actors import Actor
from jisheng.core.models import TaskProgress
from jisheng.core.roles import Role
from jisheng.registry.imports import lifecycle
from jisheng.registry.imports import services as imports
from jisheng.registry.models import PersonImport
from jisheng.testing.tasks import touch
from support.import_files import csv_bytes, resident_rows, upload

State = PersonImport.State


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def dead_identity() -> str:
    """The name of a process that ran on this host and has exited."""
    process = subprocess.Popen([sys.executable, "-c", "input()"], stdin=subprocess.PIPE)
    identity = workers.process_identity(process.pid)
    process.kill()
    process.wait(timeout=10)
    assert workers.identity_alive(identity) is False
    return identity


@pytest.fixture
def queued(org, make_user, settings) -> PersonImport:
    settings.JISHENG_IMPORT_INLINE_ROWS = 0  # background: with a progress bar, not run here
    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))
    return imports.person_import_start(actor=actor, upload=upload(csv_bytes(resident_rows(5))))


def test_this_process_is_alive_and_a_stranger_is_unknown() -> None:
    assert workers.identity_alive(workers.process_identity()) is True
    assert workers.identity_alive("elsewhere:abcd:12:34") is None


def test_an_import_of_a_dead_process_is_failed_with_a_message_and_its_upload_deleted(
    queued, dead_identity
) -> None:
    PersonImport.objects.filter(pk=queued.pk).update(state=State.LOADING, runner=dead_identity)
    stored = imports.stored_path(queued)
    stored.with_suffix(".spool").write_bytes(b"rows")
    assert stored.is_file()

    assert lifecycle.recover_stale_imports() == 1

    queued.refresh_from_db()
    assert queued.state == State.FAILED
    assert "重新启动" in queued.message
    progress = TaskProgress.objects.get(pk=queued.progress_id)
    assert (progress.state, progress.message) == (TaskProgress.State.FAILED, queued.message)
    assert not stored.exists()
    assert not stored.with_suffix(".spool").exists()
    audit = AuditEvent.objects.filter(object_type="registry.personimport").latest("pk")
    assert (audit.result, audit.detail["error"]) == ("failure", "worker_died")
    assert lifecycle.recover_stale_imports() == 0  # once


def test_an_import_of_a_live_process_is_left_alone(queued) -> None:
    PersonImport.objects.filter(pk=queued.pk).update(
        state=State.VALIDATING, runner=workers.process_identity()
    )
    assert lifecycle.recover_stale_imports() == 0
    queued.refresh_from_db()
    assert queued.state == State.VALIDATING
    assert imports.stored_path(queued).is_file()


def test_an_import_elsewhere_is_failed_only_when_its_heartbeat_is_old(queued) -> None:
    PersonImport.objects.filter(pk=queued.pk).update(
        state=State.LOADING, runner="elsewhere:abcd:12:34"
    )
    assert lifecycle.recover_stale_imports() == 0
    old = timezone.now() - dt.timedelta(minutes=settings.JISHENG_STALE_TASK_MINUTES + 1)
    TaskProgress.objects.filter(pk=queued.progress_id).update(updated_at=old)
    PersonImport.objects.filter(pk=queued.pk).update(created_at=old)
    assert lifecycle.recover_stale_imports() == 1


def test_a_running_task_of_a_dead_worker_is_failed(db, dead_identity) -> None:
    result = touch.enqueue(path="/nonexistent")
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=[dead_identity], started_at=timezone.now()
    )
    alive = touch.enqueue(path="/nonexistent")
    DBTaskResult.objects.filter(pk=alive.id).update(
        status="RUNNING", worker_ids=[workers.process_identity()], started_at=timezone.now()
    )

    assert workers.fail_dead_tasks() == 1

    assert DBTaskResult.objects.get(pk=result.id).status == "FAILED"
    assert DBTaskResult.objects.get(pk=alive.id).status == "RUNNING"


def test_kept_uploads_are_purged_after_their_retention_and_orphans_go(
    org, make_user, settings
) -> None:
    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))
    rows = resident_rows(3)
    rows[0][1] = "?"
    invalid = imports.person_import_start(actor=actor, upload=upload(csv_bytes(rows)))
    assert invalid.state == State.INVALID
    sealed = imports.stored_path(invalid)
    orphan = lifecycle.import_root() / "0123abcd.csv"
    orphan.write_bytes(b"left by a process killed before its import row")
    long_ago = time.time() - 3600 * 24
    os.utime(orphan, (long_ago, long_ago))
    fresh = lifecycle.import_root() / "4567cdef.csv"
    fresh.write_bytes(b"an upload being stored right now")

    assert lifecycle.purge_uploads() == 1  # the orphan; the sealed file is within retention
    assert sealed.is_file()
    assert not orphan.exists()
    assert fresh.exists()

    PersonImport.objects.filter(pk=invalid.pk).update(
        created_at=timezone.now() - dt.timedelta(days=settings.JISHENG_IMPORT_UPLOAD_DAYS + 1)
    )
    assert lifecycle.purge_uploads() == 1
    assert not sealed.exists()
    assert sorted(Path(settings.MEDIA_ROOT, "imports").iterdir()) == [fresh]
