"""The import's entry points, called by the pages, the API, the task and the benchmark: start
an import, run it, read its outcome, get its bad rows back as a file."""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core import progress
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, NotFound
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.registry.imports import files, limits, outcome
from jisheng.registry.imports.checking import validate
from jisheng.registry.imports.files import ImportFileError, Sheet
from jisheng.registry.imports.loading import Spool, large_cache, load
from jisheng.registry.imports.parallel import Loader, loads_while_checking, worker_count
from jisheng.registry.models import Person, PersonImport
from jisheng.registry.services.persons import require_editable_community

logger = logging.getLogger(__name__)

State = PersonImport.State
RUNNING_STATES = frozenset({State.QUEUED, State.VALIDATING, State.LOADING})
IMPORT_DIR = "imports"
PROGRESS_KIND = "person_import"


# --- starting an import ---------------------------------------------------------------------


def _import_root() -> Path:
    root = Path(settings.MEDIA_ROOT) / IMPORT_DIR
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def _store(upload: UploadedFile[bytes]) -> str:
    """Copy the upload into the instance folder, readable by the owner only."""
    suffix = Path(upload.name or "").suffix.lower()
    name = f"{uuid.uuid4().hex}{suffix if suffix in {'.xlsx', '.xlsm', '.csv', '.txt'} else ''}"
    path = _import_root() / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return f"{IMPORT_DIR}/{name}"


def stored_path(person_import: PersonImport) -> Path:
    return Path(settings.MEDIA_ROOT) / person_import.stored_file


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


# --- reading imports ------------------------------------------------------------------------


def person_import_for_owner(*, user: User, import_id: int) -> PersonImport:
    """An import is seen only by the user who uploaded it, and only within their scope."""
    found = (
        PersonImport.objects.visible_to(user)
        .filter(pk=import_id, owner=user)
        .select_related("community", "progress")
        .first()
    )
    if found is None or not user.has_capability(Capability.EDIT_REGISTRY):
        raise NotFound()
    return found


def listed_error_rows(person_import: PersonImport) -> list[dict[str, Any]]:
    """The bad rows kept for the result page: {"row": Excel row number, "problems": [...]}.

    ``error_rows`` holds at most JISHENG_IMPORT_MAX_ERROR_ROWS of them, followed by
    ``{"omitted": n}`` when more rows were bad than were kept.
    """
    return [entry for entry in person_import.error_rows if "row" in entry]


def omitted_error_rows(person_import: PersonImport) -> int:
    return sum(int(entry.get("omitted", 0)) for entry in person_import.error_rows)


def error_count(person_import: PersonImport) -> int:
    """Bad rows in the file, listed or not."""
    return len(listed_error_rows(person_import)) + omitted_error_rows(person_import)


def progress_percent(person_import: PersonImport) -> int:
    if person_import.state in {State.DONE, State.INVALID, State.FAILED}:
        return 100
    if person_import.progress is not None:
        return min(99, person_import.progress.percent)
    return 0


# --- running an import ----------------------------------------------------------------------


def person_import_run(
    *, import_id: int, ip: str | None = None, language: str | None = None
) -> PersonImport:
    """Validate and load one queued import; runs once (a second call finds it claimed)."""
    claimed = PersonImport.objects.filter(pk=import_id, state=State.QUEUED).update(
        state=State.VALIDATING
    )
    person_import = PersonImport.objects.select_related("owner", "community", "progress").get(
        pk=import_id
    )
    if not claimed:
        return person_import
    person_import.state = State.VALIDATING
    actor = Actor(user=person_import.owner, ip=ip)
    override = translation.override(language) if language else contextlib.nullcontext()
    spool_path = stored_path(person_import).with_suffix(".spool")
    try:
        with override, large_cache():
            return _run(person_import, actor, spool_path)
    except Exception as exc:
        logger.exception("resident import %s failed", import_id)
        with override:
            outcome.failed(person_import, actor, exc)
        return person_import
    finally:
        spool_path.unlink(missing_ok=True)


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
                    loaded = load(
                        person_import,
                        actor,
                        sink.chunks(),
                        latest_id=latest_id,
                        bulk=checked.to_load >= limits.BULK_FLAG_ROWS,
                    )
                    outcome.done(person_import, actor, checked, loaded)
        except BaseException:
            if isinstance(sink, Loader):
                sink.abandon()
            raise
    if progress_id is not None:
        progress.progress_finish(progress_id, message=person_import.message)
    # The residents are now in the database, encrypted; the plaintext upload is not kept.
    path.unlink(missing_ok=True)
    return person_import


# --- the bad rows, back as a file -----------------------------------------------------------


def person_import_bad_rows(*, actor: Actor, import_id: int, destination: Path | IO[bytes]) -> int:
    """Write the bad rows of an invalid import, as uploaded plus 错误说明, to ``destination``."""
    from jisheng.registry.exporting import write_bad_rows

    person_import = person_import_for_owner(user=actor.user, import_id=import_id)
    problems = {entry["row"]: entry["problems"] for entry in listed_error_rows(person_import)}
    path = stored_path(person_import)
    if person_import.state != State.INVALID or not problems or not path.is_file():
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
