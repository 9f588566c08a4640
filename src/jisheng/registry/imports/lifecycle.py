"""The uploaded file's life, and imports whose process died.

An upload holds plaintext ID numbers and phones, so it lives in clear only while its import
runs. At the end it is deleted (imported, failed), or, when the file has errors, encrypted
with the instance key and kept for the bad-rows download until
``JISHENG_IMPORT_UPLOAD_DAYS`` have passed. An import whose process was killed is failed by
the task worker's maintenance (at start and periodically), with a message on its page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action, Result
from jisheng.core import crypto, progress, workers
from jisheng.core.actors import Actor
from jisheng.registry.imports.outcome import update
from jisheng.registry.models import PersonImport

logger = logging.getLogger(__name__)

State = PersonImport.State
IMPORT_DIR = "imports"
RUNNING_STATES = frozenset({State.QUEUED, State.VALIDATING, State.LOADING})
SEALED_SUFFIX = ".enc"
CONTEXT = "registry.PersonImport.upload"


def import_root() -> Path:
    root = Path(settings.MEDIA_ROOT) / IMPORT_DIR
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def stored_path(person_import: PersonImport) -> Path:
    return Path(settings.MEDIA_ROOT) / person_import.stored_file


def spool_path(person_import: PersonImport) -> Path:
    """The checked rows waiting for the load pass (plaintext, owner-only, short-lived)."""
    return stored_path(person_import).with_suffix(".spool")


def _private_write(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def release_upload(person_import: PersonImport) -> None:
    """The import has ended: its upload and spool are deleted."""
    if person_import.stored_file:
        stored_path(person_import).unlink(missing_ok=True)
        spool_path(person_import).unlink(missing_ok=True)


def seal_upload(person_import: PersonImport) -> None:
    """The file has errors: keep it encrypted for the bad-rows download, drop the plaintext."""
    plain = stored_path(person_import)
    if person_import.stored_file.endswith(SEALED_SUFFIX) or not plain.is_file():
        return
    sealed = f"{person_import.stored_file}{SEALED_SUFFIX}"
    target = Path(settings.MEDIA_ROOT) / sealed
    target.unlink(missing_ok=True)
    _private_write(target, crypto.encrypt_bytes(plain.read_bytes(), context=CONTEXT))
    update(person_import, stored_file=sealed)
    plain.unlink(missing_ok=True)
    spool_path(person_import).unlink(missing_ok=True)


@contextlib.contextmanager
def opened_upload(person_import: PersonImport) -> Iterator[Path | None]:
    """The upload as a plaintext file for as long as the block runs (None when it is gone)."""
    path = stored_path(person_import)
    if not person_import.stored_file or not path.is_file():
        yield None
        return
    if not person_import.stored_file.endswith(SEALED_SUFFIX):
        yield path
        return
    original = Path(person_import.stored_file.removesuffix(SEALED_SUFFIX)).suffix
    temporary = import_root() / f"{uuid.uuid4().hex}.open{original}"
    _private_write(temporary, crypto.decrypt_bytes(path.read_bytes(), context=CONTEXT))
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


# --- recovery and purge, run by the task worker ---------------------------------------------


def _heartbeat(person_import: PersonImport) -> dt.datetime:
    if person_import.progress is not None:
        return max(person_import.progress.updated_at, person_import.created_at)
    return person_import.created_at


def _abandon(person_import: PersonImport) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        message = _(
            "The import stopped because the server was restarted while it ran; nothing was "
            "imported. Upload the file again."
        )
    with transaction.atomic():
        claimed = PersonImport.objects.filter(
            pk=person_import.pk, state=person_import.state, runner=person_import.runner
        ).update(state=State.FAILED, message=message[:255])
        if not claimed:  # it moved on meanwhile: not dead after all
            return
        audit.record(
            action=Action.CREATE,
            actor=Actor(user=person_import.owner),
            obj=person_import,
            result=Result.FAILURE,
            detail={"error": "worker_died", "runner": person_import.runner},
        )
    if person_import.progress_id is not None:
        progress.progress_fail(person_import.progress_id, message=message)
    release_upload(person_import)
    logger.warning("resident import %s abandoned: its process is gone", person_import.pk)


def recover_stale_imports() -> int:
    """Imports being checked or loaded by a dead process are failed; returns how many.

    A queued import that no process has claimed yet is left to its queued task.
    """
    running = PersonImport.objects.filter(
        state__in=[State.VALIDATING, State.LOADING]
    ).select_related("owner", "progress")
    abandoned = 0
    for person_import in running:
        if workers.is_dead(person_import.runner, _heartbeat(person_import)):
            _abandon(person_import)
            abandoned += 1
    return abandoned


def purge_uploads() -> int:
    """Delete kept uploads past ``JISHENG_IMPORT_UPLOAD_DAYS``, and files of no running
    import (left by a process killed before its import row was written); returns how many."""
    root = import_root()
    keep_days = getattr(settings, "JISHENG_IMPORT_UPLOAD_DAYS", 7)
    expired = timezone.now() - dt.timedelta(days=keep_days)
    kept: set[str] = set()
    for person_import in PersonImport.objects.exclude(stored_file="").only(
        "pk", "state", "stored_file", "created_at"
    ):
        if person_import.state == State.INVALID:
            seal_upload(person_import)  # one left in clear (its process died while sealing)
        name = Path(person_import.stored_file).name
        if person_import.state in RUNNING_STATES or (
            person_import.state == State.INVALID and person_import.created_at >= expired
        ):
            kept.update({name, Path(name).with_suffix(".spool").name})
    orphan_before = workers.stale_before().timestamp()
    purged = 0
    for path in root.iterdir():
        if path.name in kept or not path.is_file():
            continue
        if path.stat().st_mtime < orphan_before or _is_ended_upload(path.name):
            path.unlink(missing_ok=True)
            purged += 1
    return purged


def _is_ended_upload(name: str) -> bool:
    """The file belongs to an import that has ended (its retention is over or it was not
    sealed): it goes at once, whatever its age."""
    stem = name.split(".", 1)[0]
    return PersonImport.objects.filter(stored_file__startswith=f"{IMPORT_DIR}/{stem}").exists()


def maintain() -> None:
    """The registry's worker job: recover dead imports, then purge uploads."""
    recover_stale_imports()
    purge_uploads()
