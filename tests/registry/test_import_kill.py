"""Killing an import while it writes leaves nothing behind: the load is one transaction.

A separate Python process runs a real import against this test's database (on SQLite a
file copy of it, since the test database lives in memory); once it has inserted the first
chunk of residents inside its transaction, it says so and this test kills it with SIGKILL.
On PostgreSQL a file checked by several processes is loaded while it is still being checked
(by a second connection); that way is killed too.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from queue import Empty, Queue
from urllib.parse import quote

import pytest
from django.db import connection

from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.registry.imports import services as imports
from jisheng.registry.models import LifeEvent, Person, PersonImport
from support.import_files import csv_bytes, resident_rows, upload

ROWS = 3000
CHUNK = 500
APPLICATION_NAME = "jisheng-kill-test"

# Runs the import; after the first chunk is inserted (uncommitted) it reports how many
# residents its own transaction sees, then waits to be killed.
SCRIPT = textwrap.dedent(
    """
    import sys, threading, time
    import django
    django.setup()
    from django.conf import settings
    from jisheng.registry.models import Person
    from jisheng.registry.imports import limits, loading, services

    limits.CHUNK_ROWS = int(sys.argv[2])
    settings.JISHENG_IMPORT_PARALLEL_ROWS = int(sys.argv[3])
    settings.JISHENG_IMPORT_WORKERS = 2
    insert = loading._insert_persons

    def insert_then_wait(columns, rows):
        ids = insert(columns, rows)
        print("INSERTED", Person.objects.count(), threading.current_thread().name, flush=True)
        time.sleep(120)
        return ids

    loading._insert_persons = insert_then_wait
    services.person_import_run(import_id=int(sys.argv[1]))
    print("FINISHED", flush=True)
    """
)


def _database_url(sqlite_copy: Path) -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        # Copy the in-memory test database to a file the other process can open.
        target = sqlite3.connect(sqlite_copy)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{sqlite_copy}"
    return "postgres://{}:{}@{}:{}/{}".format(
        quote(settings["USER"] or "", safe=""),
        quote(settings["PASSWORD"] or "", safe=""),
        settings["HOST"] or "localhost",
        settings["PORT"] or 5432,
        settings["NAME"],
    )


def _lines(stream, queue: Queue[str]) -> None:
    for line in stream:
        queue.put(line.strip())


def _wait_for_line(process: subprocess.Popen[str], prefix: str, timeout: float) -> str:
    queue: Queue[str] = Queue()
    threading.Thread(target=_lines, args=(process.stdout, queue), daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = queue.get(timeout=0.1)
        except Empty:
            if process.poll() is not None:
                break
            continue
        if line.startswith(prefix):
            return line
    process.kill()
    raise AssertionError(f"no {prefix!r} from the import: {process.stderr.read()}")  # type: ignore[union-attr]


def _wait_until_postgres_forgets_the_session() -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                [APPLICATION_NAME],
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.1)
    raise AssertionError("the killed import's session is still open")


@pytest.mark.parametrize(
    "parallel_rows", [1_000_000, 1], ids=["checked-then-loaded", "loaded-while-checked"]
)
def test_killing_an_import_while_it_writes_leaves_no_residents(
    transactional_db, org, make_user, settings, tmp_path, parallel_rows
) -> None:
    settings.JISHENG_IMPORT_INLINE_ROWS = 0  # queued, not run here
    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))
    person_import = imports.person_import_start(
        actor=actor, upload=upload(csv_bytes(resident_rows(ROWS)))
    )
    sqlite_copy = tmp_path / "killed.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jisheng.settings",
        "DATABASE_URL": _database_url(sqlite_copy),
        "PGAPPNAME": APPLICATION_NAME,
    }
    assert Path(settings.MEDIA_ROOT).is_relative_to(os.environ["JISHENG_HOME"])

    process = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", SCRIPT, str(person_import.pk), str(CHUNK), str(parallel_rows)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = _wait_for_line(process, "INSERTED", timeout=60)
        _label, seen, thread = line.split()
        seen_inside = int(seen)
        process.kill()
    finally:
        process.kill()
        process.wait(timeout=30)

    assert seen_inside == CHUNK  # the first chunk was in the database, uncommitted
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(sqlite_copy)
        try:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert copy.execute("SELECT count(*) FROM registry_person").fetchone() == (0,)
            assert copy.execute("SELECT count(*) FROM registry_lifeevent").fetchone() == (0,)
            state = copy.execute(
                "SELECT state FROM registry_personimport WHERE id = ?", [person_import.pk]
            ).fetchone()
        finally:
            copy.close()
        assert state == (PersonImport.State.LOADING,)
    else:
        _wait_until_postgres_forgets_the_session()
        assert Person.objects.count() == 0
        assert LifeEvent.objects.count() == 0
        person_import.refresh_from_db()
        # Loaded while checked, the first chunk is written before the check is over.
        loaded_while_checked = parallel_rows == 1
        assert (thread == "person-import-load") == loaded_while_checked
        expected = {PersonImport.State.LOADING}
        if loaded_while_checked:
            expected.add(PersonImport.State.VALIDATING)
        assert person_import.state in expected


# --- a killed worker, restarted ---------------------------------------------------------------

# The real task worker, its import slowed after the first chunk so that it can be killed there.
WORKER_SCRIPT = textwrap.dedent(
    """
    import time
    import django
    django.setup()
    from django.core.management import call_command
    from jisheng.registry.models import Person
    from jisheng.registry.imports import limits, loading

    limits.CHUNK_ROWS = 500
    insert = loading._insert_persons

    def insert_then_wait(columns, rows):
        ids = insert(columns, rows)
        print("INSERTED", Person.objects.count(), flush=True)
        time.sleep(120)
        return ids

    loading._insert_persons = insert_then_wait
    call_command("worker")
    """
)

RESTART_SCRIPT = textwrap.dedent(
    """
    import django
    django.setup()
    from django.core.management import call_command
    call_command("worker", batch=True)
    print("RESTARTED", flush=True)
    """
)

FIRST_ROW = 4_100_000  # numbers no other test writes, so that the scan finds only this file's


def _plaintext_left(home: Path, secrets: list[bytes]) -> list[str]:
    found = []
    for path in home.rglob("*"):
        if path.is_file() and not path.is_symlink():
            content = path.read_bytes()
            if any(secret in content for secret in secrets):
                found.append(str(path.relative_to(home)))
    return found


def test_a_killed_worker_is_recovered_on_restart_and_no_plaintext_is_left(
    transactional_db, org, make_user, settings, tmp_path
) -> None:
    settings.JISHENG_IMPORT_INLINE_ROWS = 0  # queued for the worker
    rows = resident_rows(ROWS, start=FIRST_ROW)
    secrets = [row[3].encode() for row in rows] + [row[4].encode() for row in rows]
    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))
    person_import = imports.person_import_start(actor=actor, upload=upload(csv_bytes(rows)))
    home = Path(os.environ["JISHENG_HOME"])
    assert _plaintext_left(home, secrets)  # the upload waits in the instance folder

    sqlite_copy = tmp_path / "worker.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jisheng.settings",
        "DATABASE_URL": _database_url(sqlite_copy),
        "PGAPPNAME": APPLICATION_NAME,
        "JISHENG_IMPORT_INLINE_ROWS": "0",
    }
    worker = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", WORKER_SCRIPT],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_line(worker, "INSERTED", timeout=90)
        os.kill(worker.pid, 9)
    finally:
        worker.kill()
        worker.wait(timeout=30)
    assert worker.returncode == -9

    def state() -> tuple[str, str, str, str]:
        if connection.vendor == "sqlite":
            copy = sqlite3.connect(sqlite_copy)
            try:
                found = copy.execute(
                    "SELECT i.state, i.message, p.state, t.status FROM registry_personimport i"
                    " JOIN core_taskprogress p ON p.id = i.progress_id,"
                    " django_tasks_database_dbtaskresult t WHERE i.id = ?",
                    [person_import.pk],
                ).fetchone()
            finally:
                copy.close()
            return found
        from django_tasks_db.models import DBTaskResult

        imported = PersonImport.objects.select_related("progress").get(pk=person_import.pk)
        task = DBTaskResult.objects.get()
        assert imported.progress is not None
        return imported.state, imported.message, imported.progress.state, task.status

    if connection.vendor != "sqlite":
        _wait_until_postgres_forgets_the_session()
    assert state()[0] in {PersonImport.State.VALIDATING, PersonImport.State.LOADING}
    assert state()[3] == "RUNNING"  # as the killed worker left it

    restarted = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", RESTART_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "RESTARTED" in restarted.stdout, restarted.stderr

    import_state, message, progress_state, task_status = state()
    assert import_state == PersonImport.State.FAILED
    assert "重新启动" in message  # the page shows why, in Chinese
    assert progress_state == "failed"
    assert task_status == "FAILED"
    assert _plaintext_left(home, secrets) == []
