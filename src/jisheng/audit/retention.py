"""Retention: delete what has been kept as long as ``JISHENG_RETENTION_DAYS`` allows, and
write the purge itself to the audit trail.

Audit entries are the one thing the database will not let go of: the delete trigger lets
through only entries at or below the anchor in ``audit_chain``. The purge moves the anchor
to the last expired entry (its position and hash) and deletes up to it, in one transaction
holding the chain's lock; ``jisheng audit verify`` then starts the chain from the anchor, and
checks that a recorded purge put it there. No other path moves the anchor.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone

from jisheng.audit.chain import CHAIN_ID, PURGE_OBJECT_TYPE, chain_head_locked
from jisheng.audit.checks import retention_problems
from jisheng.audit.models import AuditChain, AuditEvent, DeniedWindow
from jisheng.audit.services import Action, record
from jisheng.core import modules
from jisheng.core.actors import Actor
from jisheng.core.errors import JishengError
from jisheng.core.models import TaskProgress

# Folders of the instance whose files are transient copies: import uploads, export results,
# and request bodies spilled to disk by uploads that never finished.
UPLOAD_FOLDERS = ("imports", "exports", "tmp")


@dataclass(frozen=True)
class PurgeReport:
    audit_entries: int
    anchor_seq: int
    upload_files: int
    sms_files: int
    closed_tasks: int
    closed_records: dict[str, int]


def purge_run(*, actor: Actor | None = None, now: dt.datetime | None = None) -> PurgeReport:
    """Delete everything older than its retention; the purge is recorded in the audit trail."""
    retention = settings.JISHENG_RETENTION_DAYS
    problems = retention_problems(retention)
    if problems:
        raise JishengError("; ".join(problems), code="retention_invalid")
    now = now or timezone.now()

    def cutoff(kind: str) -> dt.datetime:
        return now - dt.timedelta(days=retention[kind])

    with transaction.atomic():
        audit_entries, anchor_seq, anchor_hash = _purge_audit(cutoff("audit"))
        closed_tasks = _purge_finished_tasks(cutoff("closed"))
        closed_records = {
            kind.key: _purge_closed(kind.expired(cutoff("closed")))
            for kind in modules.closed_record_kinds()
        }
        # Refusal counts only feed the rate limit and the burst alert: a day is plenty.
        DeniedWindow.objects.filter(window_start__lt=now - dt.timedelta(days=1)).delete()
        report = PurgeReport(
            audit_entries=audit_entries,
            anchor_seq=anchor_seq,
            upload_files=_purge_files(
                [Path(settings.MEDIA_ROOT) / name for name in UPLOAD_FOLDERS], cutoff("uploads")
            ),
            sms_files=_purge_files([Path(settings.JISHENG_SMS_DIR)], cutoff("sms")),
            closed_tasks=closed_tasks,
            closed_records=closed_records,
        )
        record(
            action=Action.DELETE,
            actor=actor,
            username="" if actor is not None else "system",
            object_type=PURGE_OBJECT_TYPE,
            detail={**asdict(report), "anchor_hash": anchor_hash, "retention_days": retention},
        )
    return report


def _purge_audit(cutoff: dt.datetime) -> tuple[int, int, str]:
    """Release and delete the expired beginning of the chain; the new anchor (seq, hash)."""
    head = chain_head_locked()
    # Entries go as a prefix of the chain: up to the first one still within retention.
    first_kept = AuditEvent.objects.filter(at__gte=cutoff).order_by("seq").values("seq").first()
    last_expired = first_kept["seq"] - 1 if first_kept else head.seq
    if last_expired <= head.anchor_seq:
        return 0, head.anchor_seq, head.anchor_hash
    anchor_hash = AuditEvent.objects.values_list("chain_hash", flat=True).get(seq=last_expired)
    AuditChain.objects.filter(pk=CHAIN_ID).update(anchor_seq=last_expired, anchor_hash=anchor_hash)
    # The app's managers refuse deletes; the purge is the one path that goes around them.
    deleted, _ = AuditEvent._base_manager.filter(seq__lte=last_expired).delete()
    return deleted, last_expired, anchor_hash


def purge_when_due(*, now: dt.datetime | None = None) -> PurgeReport | None:
    """The task worker's daily purge: run it unless a recorded purge is more recent than
    ``JISHENG_PURGE_EVERY_HOURS``; the report, or None when it was not due."""
    now = now or timezone.now()
    every = dt.timedelta(hours=settings.JISHENG_PURGE_EVERY_HOURS)
    last = (
        AuditEvent.objects.filter(object_type=PURGE_OBJECT_TYPE)
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )
    if last is not None and last > now - every:
        return None
    return purge_run(now=now)


def maintain() -> None:
    """The audit app's worker job: the scheduled retention purge."""
    purge_when_due()


def _purge_closed(expired: QuerySet[Any]) -> int:
    """Delete the rows of ``expired``; one still named by a kept record stays."""
    purged = 0
    keys = list(expired.values_list("pk", flat=True))
    for start in range(0, len(keys), 500):
        chunk = expired.model._base_manager.filter(pk__in=keys[start : start + 500])
        try:
            with transaction.atomic():
                _total, by_model = chunk.delete()
            purged += by_model.get(expired.model._meta.label, 0)
        except ProtectedError:
            for row in chunk:
                try:
                    with transaction.atomic():
                        row.delete()
                except ProtectedError:
                    continue
                purged += 1
    return purged


def _purge_finished_tasks(cutoff: dt.datetime) -> int:
    # A progress row still named by a record that is kept (an import's history) stays.
    return _purge_closed(
        TaskProgress.objects.filter(
            state__in=[TaskProgress.State.DONE, TaskProgress.State.FAILED], updated_at__lt=cutoff
        )
    )


def _purge_files(folders: list[Path], cutoff: dt.datetime) -> int:
    """Delete files last written before ``cutoff``, and the folders they leave empty."""
    limit = cutoff.timestamp()
    purged = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for root, _dirs, files in os.walk(folder, topdown=False):
            for name in files:
                path = Path(root) / name
                if path.stat().st_mtime < limit:
                    path.unlink(missing_ok=True)
                    purged += 1
            if Path(root) != folder and not any(Path(root).iterdir()):
                Path(root).rmdir()
    return purged
