"""The import's entry points, called by the pages, the API, the task and the benchmark: start
an import, run it, get its bad rows back as a file (reading its outcome: ``selectors``)."""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from array import array
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core import progress, workers
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, NotFound
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.registry.imports import files, limits, outcome, selectors
from jisheng.registry.imports.checking import validate
from jisheng.registry.imports.families import FamilyLoader
from jisheng.registry.imports.files import FAMILY_KEYS, ImportFileError, Sheet
from jisheng.registry.imports.lifecycle import (
    IMPORT_DIR,
    import_root,
    opened_upload,
    release_upload,
    seal_upload,
    spool_path,
    stored_path,
)
from jisheng.registry.imports.lifecycle import (
    RUNNING_STATES as RUNNING_STATES,  # the pages ask the services
)
from jisheng.registry.imports.loading import Spool, large_cache, load, load_families
from jisheng.registry.imports.parallel import Loader, loads_while_checking, worker_count
from jisheng.registry.models import Person, PersonImport
from jisheng.registry.services.persons import require_editable_community

logger = logging.getLogger(__name__)

State = PersonImport.State
PROGRESS_KIND = "person_import"


# --- starting an import ---------------------------------------------------------------------


def _store(upload: UploadedFile[bytes]) -> str:
    """Copy the upload into the instance folder, readable by the owner only."""
    suffix = Path(upload.name or "").suffix.lower()
    name = f"{uuid.uuid4().hex}{suffix if suffix in {'.xlsx', '.xlsm', '.csv', '.txt'} else ''}"
    path = import_root() / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return f"{IMPORT_DIR}/{name}"


def _target_community(actor: Actor, community: OrgUnit | None) -> OrgUnit:
    """The import's community: the one chosen, else the worker's own; street staff may leave
    it open (their street), and then every row must name its community."""
    user = actor.user
    if not user.has_capability(Capability.EDIT_REGISTRY):
        raise Forbidden()
    if community is not None:
        require_editable_community(actor, community)
        return community
    unit = user.org_unit
    if unit is None:
        raise Forbidden()
    if unit.is_community:
        require_editable_community(actor, unit)
    return unit


def _check_size(upload: UploadedFile[bytes]) -> None:
    size = upload.size or 0
    if size == 0:
        raise ImportFileError(_("The file is empty."), code="empty_file")
    limit = limits.max_bytes()
    if size > limit:
        raise ImportFileError(
            _("The file is larger than %(limit)s MB: split it into smaller files.")
            % {"limit": f"{limit / 1024 / 1024:g}"},
            code="file_too_large",
        )


def _estimate_rows(sheet: Sheet) -> int | None:
    """Data rows: counted for CSV (cheap); what the workbook declares for xlsx, if anything."""
    limit = limits.max_rows()
    if sheet.kind == "csv":
        count = files.count_rows(sheet, stop_after=limit + 1)
        if count > limit:
            raise limits.too_many_rows(limit)
    else:
        # A small workbook is read whole here, so that a damaged sheet is refused at upload
        # (a 400, no import record); a big one is sized by what it declares, if anything.
        small = limits.inline_rows()
        count = files.count_rows(sheet, stop_after=small + 1)
        if count > small:
            return max(count, sheet.declared_rows - 1) if sheet.declared_rows else None
    if count == 0:
        raise ImportFileError(_("The file has no data rows below its header."), code="empty_file")
    return count


def person_import_start(
    *, actor: Actor, upload: UploadedFile[bytes], community: OrgUnit | None = None
) -> PersonImport:
    """Store and check an uploaded file, then import it: small files at once, big ones in
    the background (queued on commit, with a progress bar)."""
    target = _target_community(actor, community)
    _check_size(upload)
    relative = _store(upload)
    path = Path(settings.MEDIA_ROOT) / relative
    file_name = Path(upload.name or "upload").name[:255]
    try:
        sheet = files.open_sheet(path, file_name)
        estimate = _estimate_rows(sheet)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    background = estimate is None or estimate > limits.inline_rows()
    language = translation.get_language()
    with transaction.atomic():
        person_import = PersonImport.objects.create(
            owner=actor.user,
            community=target,
            file_name=file_name,
            stored_file=relative,
            total_rows=estimate or 0,
        )
        if background:
            from jisheng.registry.tasks import person_import_task

            person_import.progress = progress.progress_create(
                owner_id=actor.user.pk, kind=PROGRESS_KIND, total=2 * (estimate or 0)
            )
            person_import.save(update_fields=["progress"])
            import_id = person_import.pk
            transaction.on_commit(
                lambda: person_import_task.enqueue(
                    import_id=import_id, ip=actor.ip, language=language
                )
            )
    if background:
        return person_import
    return person_import_run(import_id=person_import.pk, ip=actor.ip)


# --- running an import ----------------------------------------------------------------------


def person_import_run(
    *, import_id: int, ip: str | None = None, language: str | None = None
) -> PersonImport:
    """Validate and load one queued import; runs once (a second call finds it claimed).

    Whatever the end, no plaintext upload is left: it is deleted, or sealed when the file has
    errors; the process is named on the import so that its death is noticed.
    """
    claimed = PersonImport.objects.filter(pk=import_id, state=State.QUEUED).update(
        state=State.VALIDATING, runner=workers.process_identity()
    )
    person_import = PersonImport.objects.select_related("owner", "community", "progress").get(
        pk=import_id
    )
    if not claimed:
        return person_import
    person_import.state = State.VALIDATING
    actor = Actor(user=person_import.owner, ip=ip)
    override = translation.override(language) if language else contextlib.nullcontext()
    spool = spool_path(person_import)
    try:
        with override, large_cache():
            _run(person_import, actor, spool)
    except Exception as exc:
        logger.exception("resident import %s failed", import_id)
        with override:
            outcome.failed(person_import, actor, exc)
    finally:
        spool.unlink(missing_ok=True)
        if person_import.state == State.INVALID:
            seal_upload(person_import)
        else:
            release_upload(person_import)
    return person_import


def _run(person_import: PersonImport, actor: Actor, spool_path: Path) -> PersonImport:
    if not actor.user.has_capability(Capability.EDIT_REGISTRY):
        raise Forbidden()
    path = stored_path(person_import)
    sheet = files.open_sheet(path, person_import.file_name)
    progress_id = person_import.progress_id
    if progress_id is not None:
        progress.progress_start(progress_id, total=2 * person_import.total_rows)
    fd = os.open(spool_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w+b") as handle:
        latest_id = Person.objects.aggregate(latest=Max("pk"))["latest"] or 0
        sink: Spool | Loader = Spool(handle)
        if loads_while_checking(worker_count(person_import.total_rows)):
            sink = Loader(
                person_import,
                actor,
                latest_id=latest_id,
                bulk=person_import.total_rows >= limits.BULK_FLAG_ROWS,
                families=any(key in sheet.columns for key in FAMILY_KEYS),
            )
        try:
            checked = validate(person_import, actor, sheet, sink)
            if checked.file_problem or checked.errors:
                if isinstance(sink, Loader):
                    sink.abandon()
                return outcome.invalid(person_import, actor, checked, sheet.kind)
            outcome.update(person_import, state=State.LOADING, total_rows=checked.total)
            if progress_id is not None:
                progress.progress_start(progress_id, total=2 * checked.total)
            if isinstance(sink, Loader):
                sink.finish(checked, progress_id)
            else:
                with transaction.atomic():
                    created = array("q")  # row number → id of each resident inserted
                    loaded = load(
                        person_import,
                        actor,
                        sink.chunks(),
                        latest_id=latest_id,
                        bulk=checked.to_load >= limits.BULK_FLAG_ROWS,
                        created=created if checked.family is not None else None,
                    )
                    load_families(checked, loaded, FamilyLoader(created))
                    outcome.done(person_import, actor, checked, loaded)
        except BaseException:
            if isinstance(sink, Loader):
                sink.abandon()
            raise
    if progress_id is not None:
        progress.progress_finish(progress_id, message=person_import.message)
    return person_import


# --- the bad rows, back as a file -----------------------------------------------------------


def person_import_bad_rows(*, actor: Actor, import_id: int, destination: Path | IO[bytes]) -> int:
    """Write the bad rows of an invalid import, as uploaded plus 错误说明, to ``destination``."""
    from jisheng.registry.exporting import write_bad_rows

    person_import = selectors.person_import_for_owner(user=actor.user, import_id=import_id)
    problems = {
        entry["row"]: entry["problems"] for entry in selectors.listed_error_rows(person_import)
    }
    if person_import.state != State.INVALID or not problems:
        raise NotFound()
    with opened_upload(person_import) as path:
        if path is None:  # past its retention
            raise NotFound()
        sheet = files.open_sheet(path, person_import.file_name)
        count = write_bad_rows(sheet, problems, destination)
    with transaction.atomic():
        audit.record(
            action=Action.EXPORT,
            actor=actor,
            obj=person_import,
            detail={"bad_rows": count},
        )
    return count
