"""Retention: `jisheng purge` deletes what has outlived its setting, is itself audited, and
leaves the audit chain verifiable; the audit retention cannot be set below six months."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import time_machine
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from jisheng.audit import services as audit
from jisheng.audit.chain import chain_verify
from jisheng.audit.models import AuditChain, AuditEvent
from jisheng.core.models import TaskProgress

NOW = dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.UTC)
RETENTION = {"audit": 200, "uploads": 30, "sms": 90, "closed": 365}
TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)


@pytest.fixture
def retention(settings, tmp_path: Path) -> Path:
    settings.JISHENG_RETENTION_DAYS = dict(RETENTION)
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.JISHENG_SMS_DIR = tmp_path / "sms"
    return tmp_path


def _record_at(moment: dt.datetime, username: str) -> AuditEvent:
    with time_machine.travel(moment, tick=False):
        return audit.record(action="login", username=username)


@pytest.fixture
def aged_trail(db: None, retention: Path) -> list[AuditEvent]:
    """Three entries past the 200-day audit retention, two within it."""
    return [
        _record_at(NOW - dt.timedelta(days=days), f"u{days}") for days in (400, 300, 201, 199, 10)
    ]


def _purge() -> None:
    with time_machine.travel(NOW, tick=False):
        call_command("purge")


def test_an_audit_retention_under_six_months_fails_the_system_check(settings) -> None:
    settings.JISHENG_RETENTION_DAYS = {**RETENTION, "audit": 180}

    assert [m.id for m in checks.run_checks()] == ["audit.E001"]
    settings.JISHENG_RETENTION_DAYS = {**RETENTION, "audit": 183}
    assert [m.id for m in checks.run_checks()] == []


def test_the_purge_refuses_to_run_with_a_short_audit_retention(aged_trail, settings) -> None:
    settings.JISHENG_RETENTION_DAYS = {**RETENTION, "audit": 30}

    with pytest.raises(CommandError, match="at least 183 days"):
        _purge()

    assert AuditEvent.objects.count() == 5


def test_the_purge_deletes_expired_entries_and_the_chain_still_verifies(aged_trail) -> None:
    _purge()

    kept = list(AuditEvent.objects.order_by("seq").values_list("username", flat=True))
    assert kept == ["u199", "u10", "system"]
    head = AuditChain.objects.get()
    assert (head.anchor_seq, head.anchor_hash) == (3, aged_trail[2].chain_hash)
    assert chain_verify().broken is None


def test_the_purge_is_itself_audited(aged_trail) -> None:
    _purge()

    event = AuditEvent.objects.get(object_type="retention")
    assert (event.action, event.username) == ("delete", "system")
    assert event.detail["audit_entries"] == 3
    assert event.detail["anchor_seq"] == 3
    assert event.detail["retention_days"] == RETENTION


def test_a_second_purge_deletes_nothing_more_and_verifies(aged_trail) -> None:
    _purge()
    _purge()

    assert AuditEvent.objects.filter(object_type="retention").count() == 2
    assert AuditEvent.objects.count() == 4
    assert chain_verify().broken is None


def test_entries_within_retention_stay_undeletable_after_a_purge(aged_trail) -> None:
    _purge()

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq = 4")  # noqa: S608

    assert AuditEvent.objects.filter(seq=4).exists()


def test_an_anchor_moved_behind_the_apps_back_is_reported(aged_trail) -> None:
    # An attacker releases and deletes the oldest entries without the purge.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_chain SET anchor_seq = 2, anchor_hash = %s",
            [aged_trail[1].chain_hash],
        )
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq <= 2")  # noqa: S608

    with pytest.raises(CommandError, match="not set by a recorded purge"):
        call_command("audit", "verify")


def _file(path: Path, age_days: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("13800138000")
    moment = (NOW - dt.timedelta(days=age_days)).timestamp()
    os.utime(path, (moment, moment))
    return path


def test_old_uploads_exports_and_sms_files_are_deleted(db: None, retention: Path) -> None:
    old_import = _file(retention / "uploads/imports/a.csv", 31)
    new_import = _file(retention / "uploads/imports/b.csv", 29)
    old_export = _file(retention / "uploads/exports/audit-1.csv", 40)
    kept_document = _file(retention / "uploads/benefits/documents/2026/01/x.pdf", 400)
    old_sms = _file(retention / "sms/2027-01-01/080000-abc.txt", 91)
    new_sms = _file(retention / "sms/2027-05-30/080000-def.txt", 2)

    _purge()

    assert [p.exists() for p in (old_import, new_import, old_export, kept_document)] == [
        False,
        True,
        False,
        True,
    ]
    assert (old_sms.exists(), new_sms.exists()) == (False, True)
    assert not old_sms.parent.exists()  # the day's folder went with its last file
    detail = AuditEvent.objects.get(object_type="retention").detail
    assert (detail["upload_files"], detail["sms_files"]) == (2, 1)


def test_finished_tasks_past_retention_are_deleted(make_user, retention: Path) -> None:
    from jisheng.core.roles import Role

    owner = make_user(Role.STREET_STAFF)
    with time_machine.travel(NOW - dt.timedelta(days=400), tick=False):
        old_done = TaskProgress.objects.create(owner=owner, kind="x", state="done")
        old_running = TaskProgress.objects.create(owner=owner, kind="x", state="running")
    recent = TaskProgress.objects.create(owner=owner, kind="x", state="failed")

    _purge()

    assert set(TaskProgress.objects.values_list("pk", flat=True)) == {old_running.pk, recent.pk}
    assert not TaskProgress.objects.filter(pk=old_done.pk).exists()


def test_merged_duplicate_flags_past_retention_go_and_other_decisions_stay(
    org, make_person, make_user, retention: Path
) -> None:
    from jisheng.core.roles import Role
    from jisheng.registry.models import DuplicateFlag

    staff = make_user(Role.COMMUNITY_WORKER)
    people = [make_person(org.c1) for _ in range(6)]
    state = DuplicateFlag.State

    def flag(pair: int, closed: str, resolved_days_ago: int | None) -> DuplicateFlag:
        resolved = None if resolved_days_ago is None else NOW - dt.timedelta(days=resolved_days_ago)
        with time_machine.travel(NOW - dt.timedelta(days=500), tick=False):
            return DuplicateFlag.objects.create(
                person=people[pair],
                candidate=people[pair + 1],
                community=org.c1,
                reason=DuplicateFlag.Reason.NAME_BIRTH_DATE,
                state=closed,
                resolved_by=staff if resolved else None,
                resolved_at=resolved,
            )

    old_merge = flag(0, state.MERGED, 400)
    merged_with_another = flag(1, state.MERGED, None)  # closed by another pair's merge
    recent_merge = flag(2, state.MERGED, 100)
    not_duplicate = flag(3, state.NOT_DUPLICATE, 400)  # stops the pair being flagged again
    still_open = flag(4, state.OPEN, None)

    _purge()

    kept = set(DuplicateFlag._base_manager.values_list("pk", flat=True))
    assert kept == {recent_merge.pk, not_duplicate.pk, still_open.pk}
    assert old_merge.pk not in kept
    assert merged_with_another.pk not in kept
    detail = AuditEvent.objects.get(object_type="retention").detail
    assert detail["closed_records"] == {"merged_duplicate_flags": 2}


def test_the_worker_purges_once_a_day(aged_trail, settings) -> None:
    from jisheng.audit.retention import purge_when_due
    from jisheng.core import workers

    settings.JISHENG_PURGE_EVERY_HOURS = 24
    with time_machine.travel(NOW, tick=False):
        workers.maintain()  # the worker's start: the purge is due, nothing recorded one yet
        workers.maintain()  # five minutes later, same day: not due
    assert AuditEvent.objects.filter(object_type="retention").count() == 1
    assert AuditEvent.objects.filter(username__in=["u400", "u300", "u201"]).count() == 0

    assert purge_when_due(now=NOW + dt.timedelta(hours=23)) is None
    report = purge_when_due(now=NOW + dt.timedelta(hours=25))
    assert report is not None
    assert AuditEvent.objects.filter(object_type="retention").count() == 2
    assert chain_verify().broken is None


def test_a_finished_task_still_named_by_a_kept_import_stays(
    org, make_user, retention: Path
) -> None:
    from jisheng.core.roles import Role
    from jisheng.registry.models import PersonImport

    owner = make_user(Role.COMMUNITY_WORKER)
    with time_machine.travel(NOW - dt.timedelta(days=400), tick=False):
        named = TaskProgress.objects.create(owner=owner, kind="import", state="done")
        TaskProgress.objects.create(owner=owner, kind="import", state="done")  # goes
    PersonImport.objects.create(
        owner=owner, community=org.c1, file_name="x.csv", stored_file="", progress=named
    )

    _purge()

    assert set(TaskProgress.objects.values_list("pk", flat=True)) == {named.pk}
    assert AuditEvent.objects.get(object_type="retention").detail["closed_tasks"] == 1
