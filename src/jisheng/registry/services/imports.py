"""Importing residents from a file: validated whole, then loaded all-or-nothing.

Two passes over the stored upload:

1. **Validate**, outside any transaction: every row goes through ``person_data_check`` and
   the community, duplicate-in-file and known-ID-number checks (the blind index, queried a
   chunk at a time). While the file is still clean, the rows to load are built with
   ``person_fields`` (what ``person_build`` gives a resident), turned into database values
   (encryption happens in the field's ``get_db_prep_value``) and spooled to a private file
   next to the upload.
2. **Load**, in ONE transaction: the spooled rows are inserted a chunk at a time with
   ``executemany`` (SQLite) or ``COPY`` (PostgreSQL), then one "registration" life event per
   person likewise, then likely-duplicate flags (one query per chunk and rule; one grouping
   query per rule for a large import), then one audit event for the whole import. A crash
   or a kill leaves nothing behind.

Large files are checked by several forked processes at once (``JISHENG_IMPORT_WORKERS``);
they only compute. On PostgreSQL the load then runs alongside the check instead of after
it (``_Loader``): a thread with its own connection inserts each chunk as soon as it is
found clean, in the one transaction, which is committed only when the whole file has been
checked and found clean, and rolled back otherwise.

The natural key is the ID number: a row whose number is already registered in the
importer's area counts as *unchanged* and is skipped, even when its other facts differ —
facts of a registered resident change only through correction events, never by import.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import multiprocessing
import operator
import os
import pickle
import queue
import signal
import threading
import time
import uuid
from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Max, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action, Result
from jisheng.core import progress
from jisheng.core.actors import Actor
from jisheng.core.db import insert_rows, refresh_planner_statistics
from jisheng.core.errors import Forbidden, NotFound
from jisheng.core.fields import BlindIndexField, EncryptedTextField
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.registry import importing
from jisheng.registry.importing import ImportFileError, Sheet
from jisheng.registry.models import (
    DuplicateFlag,
    LifeEvent,
    Person,
    PersonImport,
    ResidentStatus,
)
from jisheng.registry.services.persons import (
    flag_unit_resolver,
    person_data_check,
    person_fields,
    require_editable_community,
)

logger = logging.getLogger(__name__)

State = PersonImport.State
RUNNING_STATES = frozenset({State.QUEUED, State.VALIDATING, State.LOADING})
IMPORT_DIR = "imports"
CHUNK_ROWS = 5000
# A load this big changes the table enough that the planner needs fresh statistics.
ANALYZE_ROWS = 10_000
# From this many new residents on, likely duplicates are found by one grouping query.
BULK_FLAG_ROWS = 50_000
SQLITE_CACHE_KIB = 256 * 1024
PROGRESS_KIND = "person_import"
COMMUNITY_KINDS = (OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.VILLAGE)


def max_bytes() -> int:
    return int(getattr(settings, "JISHENG_IMPORT_MAX_BYTES", 50 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "JISHENG_IMPORT_MAX_ROWS", 1_000_000))


def inline_rows() -> int:
    """Files with at most this many rows are imported within the request."""
    return int(getattr(settings, "JISHENG_IMPORT_INLINE_ROWS", 1000))


def max_error_rows() -> int:
    """Bad rows kept for the result page and the bad-rows file (the count is not capped)."""
    return int(getattr(settings, "JISHENG_IMPORT_MAX_ERROR_ROWS", 1000))


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
    limit = max_bytes()
    if size > limit:
        raise ImportFileError(
            _("The file is larger than %(limit)s MB: split it into smaller files.")
            % {"limit": f"{limit / 1024 / 1024:g}"},
            code="file_too_large",
        )


def _estimate_rows(sheet: Sheet) -> int | None:
    """Data rows: counted for CSV (cheap); what the workbook declares for xlsx, if anything."""
    limit = max_rows()
    if sheet.kind == "csv":
        count = importing.count_rows(sheet, stop_after=limit + 1)
        if count > limit:
            raise _too_many_rows(limit)
    else:
        with contextlib.closing(importing.rows(sheet)) as found:
            count = 1 if next(found, None) is not None else 0
        if count and sheet.declared_rows is not None:
            count = max(1, sheet.declared_rows - 1)
        elif count:
            return None
    if count == 0:
        raise ImportFileError(_("The file has no data rows below its header."), code="empty_file")
    return count


def _too_many_rows(limit: int) -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(limit)s rows: split it into smaller files.") % {"limit": limit},
        code="too_many_rows",
    )


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
        sheet = importing.open_sheet(path, file_name)
        estimate = _estimate_rows(sheet)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    background = estimate is None or estimate > inline_rows()
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


# --- validation pass ------------------------------------------------------------------------


@dataclass
class _Communities:
    """Communities a row may name (name or code), resolved without the database."""

    default: OrgUnit | None
    by_key: dict[str, OrgUnit]
    ambiguous: set[str]
    outside: set[str]

    @classmethod
    def for_import(cls, user: User, target: OrgUnit) -> _Communities:
        scope = set(user.scope_unit_ids())
        by_key: dict[str, OrgUnit] = {}
        names: dict[str, list[OrgUnit]] = {}
        outside: set[str] = set()
        for unit in OrgUnit.objects.filter(kind__in=COMMUNITY_KINDS).only("id", "name", "code"):
            if unit.pk in scope:
                by_key[unit.code] = unit
                names.setdefault(unit.name, []).append(unit)
            else:
                outside.update((unit.name, unit.code))
        ambiguous = {name for name, units in names.items() if len(units) > 1}
        by_key.update({name: units[0] for name, units in names.items() if len(units) == 1})
        default = target if target.is_community and target.pk in scope else None
        return cls(default=default, by_key=by_key, ambiguous=ambiguous, outside=outside)

    def resolve(self, text: str) -> tuple[OrgUnit | None, str | None]:
        text = "".join(text.split())
        if not text:
            if self.default is None:
                return None, _(
                    "The community column is empty and no community was chosen for this import."
                )
            return self.default, None
        unit = self.by_key.get(text)
        if unit is not None:
            return unit, None
        if text in self.ambiguous:
            return None, _(
                "Several communities are called “%(value)s”: give the 12-digit code instead."
            ) % {"value": text}
        if text in self.outside:
            return None, _("The community “%(value)s” lies outside your area.") % {"value": text}
        return None, _("Unknown community: “%(value)s”.") % {"value": text}


def _plain_bytes(value: Any) -> Any:
    """The driver's binary wrapper (memoryview, psycopg Binary) as bytes, which both drivers
    take and which can be spooled."""
    if isinstance(value, memoryview):
        return value.tobytes()
    wrapped = getattr(value, "obj", None)
    if isinstance(wrapped, bytes | bytearray | memoryview):
        return bytes(wrapped)
    return value


class _PersonRows:
    """A resident's fields (``person_fields``) → the column values Django's own INSERT would
    send for them, in ``columns`` order, without building a model instance."""

    def __init__(self, now: dt.datetime) -> None:
        fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
        # Plain values are read in one C-level call; the others need preparing.
        plain = [f for f in fields if type(f) in _PLAIN_FIELDS or f.is_relation]
        special = [f for f in fields if f not in plain]
        self.columns = [str(f.column) for f in (*plain, *special)]
        self.defaults = {f.attname: f.get_default() for f in plain}
        self.plain = operator.itemgetter(*(f.attname for f in plain))
        # The connection object itself, not the per-thread proxy: only its adapters are
        # used, a million times over, also in forked workers.
        db = connections[DEFAULT_DB_ALIAS]
        self.special = [self._getter(f, now, db) for f in special]

    @staticmethod
    def _getter(
        field_: models.Field[Any, Any], now: dt.datetime, db: BaseDatabaseWrapper
    ) -> Callable[[dict[str, Any]], Any]:
        attname = field_.attname
        if isinstance(field_, models.DateTimeField) and (field_.auto_now or field_.auto_now_add):
            value = field_.get_db_prep_value(now, db)
            return lambda _fields: value
        if isinstance(field_, EncryptedTextField):
            return lambda fields: _plain_bytes(field_.get_db_prep_value(fields[attname], db))
        if isinstance(field_, BlindIndexField):
            # A digest already computed for the checks is reused; otherwise computed here.
            source = field_.source
            return lambda fields: fields.get(attname) or field_.digest(fields[source])
        return lambda fields: field_.get_db_prep_save(fields[attname], db)

    def values(self, fields: dict[str, Any]) -> tuple[Any, ...]:
        """``fields``: attribute name → value (``community_id`` included); missing plain
        fields take their defaults."""
        complete = {**self.defaults, **fields}
        return (*self.plain(complete), *[get(complete) for get in self.special])


_PLAIN_FIELDS = (models.CharField, models.BooleanField)


@dataclass
class _ChunkContext:
    """What checking rows needs, all without the database (a worker process inherits it)."""

    columns: dict[str, int]
    communities: _Communities
    now: dt.datetime
    makers: dict[dt.datetime, _PersonRows] = field(default_factory=dict)

    def maker(self) -> _PersonRows:
        if self.now not in self.makers:
            self.makers[self.now] = _PersonRows(self.now)
        return self.makers[self.now]


@dataclass
class _CheckedChunk:
    """Rows checked without the database; the clean ones already prepared for loading."""

    numbers: list[int]
    problems: list[list[str]]
    digests: list[str]
    prepared: list[int]  # positions (in the chunk) of the rows whose values are in ``blob``
    blob: bytes  # pickled list of value tuples, in _PersonRows.columns order


def _check_chunk(
    context: _ChunkContext, rows: list[tuple[int, importing.Cells]], prepare: bool
) -> _CheckedChunk:
    """person_data_check and the community of each row; person_fields and the database values
    (encryption included) of the clean rows while ``prepare`` holds."""
    parse = importing.RowParser(context.columns)
    resolve = context.communities.resolve
    maker = context.maker()
    index_field = Person._meta.get_field("id_number_index")
    assert isinstance(index_field, BlindIndexField)  # noqa: S101 - the model guarantees it
    today = timezone.localdate()
    checked = _CheckedChunk(numbers=[], problems=[], digests=[], prepared=[], blob=b"")
    values = []
    for position, (number, cells) in enumerate(rows):
        parsed = parse(number, cells)
        data = parsed.data
        problems = person_data_check(data, require_id_number=parsed.id_number_readable, today=today)
        unit, problem = resolve(parsed.community)
        if problem:
            problems.append(problem)
        digest = index_field.digest(data.id_number) if data.id_number else ""
        checked.numbers.append(number)
        checked.problems.append(problems)
        checked.digests.append(digest)
        if prepare and not problems and unit is not None:
            fields = person_fields(data)
            fields["community_id"] = unit.pk
            fields["id_number_index"] = digest
            values.append(maker.values(fields))
            checked.prepared.append(position)
    if values:
        checked.blob = pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)
    return checked


# Set in each worker process of a parallel check (inherited through fork).
_worker_context: _ChunkContext | None = None
_worker_stop: Any = None


def _worker_start(context: _ChunkContext, stop: Any, parent: int) -> None:
    global _worker_context, _worker_stop  # per-process state of a pool worker
    _worker_context, _worker_stop = context, stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def orphaned() -> None:  # a killed parent must not leave its workers behind
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=orphaned, daemon=True).start()


def _worker_check(rows: list[tuple[int, importing.Cells]]) -> _CheckedChunk:
    assert _worker_context is not None  # noqa: S101 - set by _worker_start
    return _check_chunk(_worker_context, rows, prepare=not _worker_stop.value)


def parallel_rows() -> int:
    """Files with at least this many rows are checked by several processes at once."""
    return int(getattr(settings, "JISHENG_IMPORT_PARALLEL_ROWS", 20_000))


def _workers(estimate: int) -> int:
    configured = getattr(settings, "JISHENG_IMPORT_WORKERS", None)
    workers = int(configured) if configured is not None else min(4, os.cpu_count() or 1)
    if workers < 2 or estimate < parallel_rows() or not hasattr(os, "fork"):
        return 0
    return workers


@contextlib.contextmanager
def _checker(
    context: _ChunkContext, workers: int, stop: Callable[[], bool]
) -> Iterator[Callable[[Iterable[list[tuple[int, importing.Cells]]]], Iterator[_CheckedChunk]]]:
    """Checks chunks in order: in this process, or in ``workers`` forked processes.

    The workers never touch the database: they get rows and give back problems, digests
    and prepared values. Forking (not spawning) gives them the configured Django of this
    process as it is; they leave with os._exit, so inherited connections are never closed.
    """
    if workers < 2:

        def serial(chunks: Iterable[list[tuple[int, importing.Cells]]]) -> Iterator[_CheckedChunk]:
            for chunk in chunks:
                yield _check_chunk(context, chunk, prepare=not stop())

        yield serial
        return
    fork = multiprocessing.get_context("fork")
    shared_stop = fork.Value("b", 0, lock=False)
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=fork,
        initializer=_worker_start,
        initargs=(context, shared_stop, os.getpid()),
    ) as pool:

        def parallel(
            chunks: Iterable[list[tuple[int, importing.Cells]]],
        ) -> Iterator[_CheckedChunk]:
            pending: deque[Future[_CheckedChunk]] = deque()
            for chunk in chunks:
                pending.append(pool.submit(_worker_check, chunk))
                if len(pending) >= 2 * workers:  # bounded: the file is never all in memory
                    yield pending.popleft().result()
                    shared_stop.value = 1 if stop() else 0
            while pending:
                yield pending.popleft().result()

        try:
            yield parallel
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


@dataclass
class _Validation:
    file_type: str = ""
    total: int = 0
    unchanged: int = 0
    to_load: int = 0
    errors: int = 0
    error_rows: list[dict[str, Any]] = field(default_factory=list)
    file_problem: str = ""


def _batched[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _param_batch(per_item: int) -> int:
    """Items per query so that the database's limit on parameters is respected."""
    limit = connection.features.max_query_params or 100_000
    return max(1, min(CHUNK_ROWS, (limit - 10) // per_item))


def _with_digests(column: str, digests: Sequence[str], *, select: str) -> Iterator[tuple[Any, ...]]:
    """``select`` (columns of residents) of those whose blind index ``column`` is one of
    ``digests``, voided or not, a batch per query.

    Plain SQL: the ORM's per-parameter work would cost more than the lookups. PostgreSQL
    takes a batch as ONE text parameter that it splits itself (digests are hex, never a
    comma), which the driver sends as it is instead of quoting thousands of array items;
    SQLite takes a list of parameters.
    """
    table = connection.ops.quote_name(Person._meta.db_table)
    quoted = connection.ops.quote_name(column)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for batch in _batched(digests, 20_000 if postgres else _param_batch(1)):
            if postgres:
                condition, params = "= ANY(string_to_array(%s, ','))", [",".join(batch)]
            else:
                condition, params = f"IN ({', '.join(['%s'] * len(batch))})", list(batch)
            # Only quoted model names are formatted in; the digests are parameters.
            cursor.execute(f"SELECT {select} FROM {table} WHERE {quoted} {condition}", params)  # noqa: S608
            yield from cursor.fetchall()


def _registered_since(latest_id: int) -> set[str]:
    """ID-number digests of the residents registered after the one with ``latest_id``."""
    return set(
        Person.objects.filter(pk__gt=latest_id)
        .exclude(id_number_index="")
        .values_list("id_number_index", flat=True)
    )


def _registered(digests: list[str]) -> dict[str, tuple[int, str]]:
    """ID-number digest → (community id, status) of the residents already registered."""
    found = _with_digests(
        "id_number_index", digests, select="id_number_index, community_id, status"
    )
    return {digest: (community, status) for digest, community, status in found}


def _validate(
    person_import: PersonImport,
    actor: Actor,
    sheet: Sheet,
    sink: _Spool | _Loader,
) -> _Validation:
    """First pass: every row checked; while the file is clean, each chunk's rows to load go
    to ``sink`` as (positions to skip, pickled values), after the names of the columns."""
    result = _Validation(file_type=sheet.kind)
    now = timezone.now()
    context = _ChunkContext(
        columns=sheet.columns,
        communities=_Communities.for_import(actor.user, person_import.community),
        now=now,
    )
    scope = set(actor.user.scope_unit_ids())
    seen: dict[int, int] = {}
    limit, keep = max_rows(), max_error_rows()
    progress_id = person_import.progress_id
    sink.begin(context.maker().columns)

    def counted(rows: Iterator[tuple[int, importing.Cells]]) -> Iterator[tuple[int, Any]]:
        for row in rows:
            result.total += 1
            if result.total > limit:
                result.file_problem = str(_too_many_rows(limit).message)
                return
            yield row

    def fail(number: int, problems: list[str]) -> None:
        result.errors += 1
        if len(result.error_rows) < keep:
            result.error_rows.append({"row": number, "problems": problems})

    workers = _workers(person_import.total_rows)
    chunks = _batched(counted(importing.rows(sheet)), CHUNK_ROWS)
    with _checker(context, workers, stop=lambda: result.errors > 0) as check:
        for checked in check(chunks):
            known = _registered([digest for digest in checked.digests if digest])
            in_blob = {position: k for k, position in enumerate(checked.prepared)}
            skip = []
            for position, number in enumerate(checked.numbers):
                problems, digest = checked.problems[position], checked.digests[position]
                if digest:
                    first = seen.setdefault(int(digest[:32], 16), number)
                    if first != number:
                        problems.append(
                            _("The same ID number is also in row %(row)s.") % {"row": first}
                        )
                registered = known.get(digest) if digest else None
                if registered is not None:
                    community_id, status = registered
                    if status == ResidentStatus.VOIDED:
                        problems.append(_("This ID number belongs to a voided record."))
                    elif community_id not in scope:
                        problems.append(
                            _(
                                "This ID number is already registered outside your area: "
                                "record a move-in there instead."
                            )
                        )
                if problems:
                    fail(number, problems)
                elif registered is not None:
                    result.unchanged += 1
                    if position in in_blob:
                        skip.append(in_blob[position])
                else:
                    result.to_load += 1
            if checked.blob and not result.errors:
                sink.add(skip, checked.blob)
            if progress_id is not None:
                progress.progress_advance(progress_id, by=len(checked.numbers) + sink.loaded())
    if result.total == 0 and not result.file_problem:
        result.file_problem = _("The file has no data rows below its header.")
    return result


# --- load pass ------------------------------------------------------------------------------


def _insert_persons(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Insert one chunk of residents; returns their ids in row order."""
    table = Person._meta.db_table
    pk_column = str(Person._meta.pk.column)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The sequence is looked up once (materialized), not once per id.
            cursor.execute(
                "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
                "SELECT nextval(s.seq) FROM s, generate_series(1, %s)",
                [table, pk_column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        insert_rows(
            table, [pk_column, *columns], [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        )
        return ids
    insert_rows(table, columns, rows)
    # Within one statement of a writing transaction SQLite hands out consecutive rowids.
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_insert_rowid()")
        last = int(cursor.fetchone()[0])
    return list(range(last - len(rows) + 1, last + 1))


class _EventRows:
    """Registration events of imported residents, as prepared column values."""

    def __init__(self, *, import_id: int, actor_id: int, date: dt.date, now: dt.datetime) -> None:
        fields = [f for f in LifeEvent._meta.concrete_fields if not f.primary_key]
        self.columns = [str(f.column) for f in fields]
        values: dict[str, Any] = {
            "kind": LifeEvent.Kind.REGISTRATION,
            "date": date,
            "data": {"import_id": import_id},
            "recorded_by_id": actor_id,
            "recorded_at": now,
        }
        self.template = [
            _json_text(f, values.get(f.attname, f.get_default()))
            if isinstance(f, models.JSONField)
            else f.get_db_prep_save(values.get(f.attname, f.get_default()), connection)
            for f in fields
        ]
        attnames = [f.attname for f in fields]
        self.person_at = attnames.index("person_id")
        self.community_at = attnames.index("community_id")
        self.before_at = attnames.index("before")
        self.before = fields[self.before_at]

    def values(self, person_id: int, community_id: int) -> tuple[Any, ...]:
        row = list(self.template)
        row[self.person_at] = person_id
        row[self.community_at] = community_id
        # The same shape as registration_record's snapshot, so event_reverse can void it.
        row[self.before_at] = _json_text(self.before, {"created_person": person_id})
        return tuple(row)


def _json_text(field_: models.Field[Any, Any], value: Any) -> str:
    """A JSONField's value as the JSON text its database adapter would send; both engines
    take the text for a JSON column, and PostgreSQL's COPY then skips a per-row adapter."""
    assert isinstance(field_, models.JSONField)  # noqa: S101 - callers pass JSON fields
    return json.dumps(field_.get_prep_value(value), cls=field_.encoder)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _pair_matches(column: str, pairs: list[tuple[str, Any]]) -> list[tuple[int, str, Any]]:
    """Residents (id, name, value) whose (name, column) is one of ``pairs``; voided ones aside.

    A join with the pairs as a VALUES list, so both databases look each pair up by index.
    """
    found: list[tuple[int, str, Any]] = []
    table = connection.ops.quote_name(Person._meta.db_table)
    quoted = connection.ops.quote_name(column)
    for batch in _batched(sorted(set(pairs)), _param_batch(2)):
        values = ", ".join(["(%s, %s)"] * len(batch))
        # Only quoted model names are formatted in; every value is a parameter.
        sql = (
            f"WITH pairs (pair_name, pair_value) AS (VALUES {values}) "  # noqa: S608
            f"SELECT p.id, p.name, p.{quoted} FROM pairs JOIN {table} p "
            f"ON p.name = pairs.pair_name AND p.{quoted} = pairs.pair_value "
            "WHERE p.status <> %s"
        )
        params: list[Any] = []
        for name, value in batch:
            params.extend((name, value))
        params.append(ResidentStatus.VOIDED)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found.extend(cursor.fetchall())
    return found


Candidates = dict[int, dict[int, str]]  # new resident → {earlier resident: reason}


class _Duplicates:
    """Likely duplicates of the imported residents: earlier records with the same name and
    birth date, or the same name and phone (the rules of ``flag_likely_duplicates``).

    Each chunk is looked up right after it is inserted (one query per chunk and rule). A
    large import instead finds the groups of residents sharing a birth date and name, or a
    phone, with one grouping query per rule at the end: per chunk, each pair would visit
    every resident born that day, and thousands of scattered phone lookups per chunk cost
    more than one pass over the table.
    """

    def __init__(self, *, bulk: bool) -> None:
        self.bulk = bulk
        self.candidates: Candidates = {}
        self.new_ids: array[int] = array("q")

    def add(self, new: list[tuple[int, str, dt.date, str]]) -> None:
        """A chunk of new residents (id, name, birth date, phone digest), just inserted."""
        self.new_ids.extend(pk for pk, _n, _b, _p in new)
        if self.bulk:
            return
        by_birth: dict[tuple[str, dt.date], list[int]] = {}
        for pk, name, birth_date, _phone in new:
            by_birth.setdefault((name, birth_date), []).append(pk)
        for other, name, value in _pair_matches("birth_date", list(by_birth)):
            for pk in by_birth.get((name, _as_date(value)), ()):
                self._candidate(pk, other, DuplicateFlag.Reason.NAME_BIRTH_DATE)
        by_phone: dict[str, list[tuple[int, str]]] = {}
        for pk, name, _birth, phone in new:
            if phone:
                by_phone.setdefault(phone, []).append((pk, name))
        # Phone digests are nearly unique: look them up alone and compare the names here.
        same_phone = _with_digests(
            "phone_index", list(by_phone), select="id, name, phone_index, status"
        )
        for other, other_name, phone, status in same_phone:
            if status == ResidentStatus.VOIDED:
                continue
            for pk, name in by_phone[phone]:
                if other_name == name:
                    self._candidate(pk, other, DuplicateFlag.Reason.NAME_PHONE)

    def _candidate(self, pk: int, other: int, reason: str) -> None:
        if other < pk:  # earlier records only, as when residents are entered one by one
            found = self.candidates.setdefault(pk, {})
            if found.get(other) != DuplicateFlag.Reason.NAME_BIRTH_DATE:
                found[other] = reason

    def _groups(self, persons: QuerySet[Person], *keys: str) -> list[tuple[Any, ...]]:
        """Values of ``keys`` that several of ``persons`` share, one of them new."""
        return list(
            persons.values(*keys)
            .annotate(members=Count("pk"), last=Max("pk"))
            .filter(members__gt=1, last__gte=min(self.new_ids))
            .values_list(*keys)
        )

    def _flag_groups(self, members: Iterable[list[int]], reason: str) -> None:
        new = self.new_ids
        for ids in members:
            for pk in ids:
                at = bisect_left(new, pk)
                if at < len(new) and new[at] == pk:
                    for other in ids:
                        self._candidate(pk, other, reason)

    def _same_birth_groups(self) -> None:
        members: dict[tuple[str, dt.date], list[int]] = {}
        kept = Person.objects.exclude(status=ResidentStatus.VOIDED)
        groups = self._groups(kept, "name", "birth_date")
        for pk, name, value in _pair_matches("birth_date", groups):
            members.setdefault((name, _as_date(value)), []).append(pk)
        self._flag_groups(members.values(), DuplicateFlag.Reason.NAME_BIRTH_DATE)

    def _same_phone_groups(self) -> None:
        kept = Person.objects.exclude(status=ResidentStatus.VOIDED).exclude(phone_index="")
        # Phone digests are nearly unique: group by the phone alone, compare names here.
        phones = [phone for (phone,) in self._groups(kept, "phone_index")]
        members: dict[tuple[str, str], list[int]] = {}
        sharing = _with_digests("phone_index", phones, select="id, name, phone_index, status")
        for pk, name, phone, status in sharing:
            if status != ResidentStatus.VOIDED:
                members.setdefault((name, phone), []).append(pk)
        self._flag_groups(members.values(), DuplicateFlag.Reason.NAME_PHONE)

    def save(self) -> int:
        if self.bulk and self.new_ids:
            self._same_birth_groups()
            self._same_phone_groups()
        community_of: dict[int, int] = {}
        everyone = set(self.candidates) | {
            other for others in self.candidates.values() for other in others
        }
        for batch in _batched(list(everyone), _param_batch(1)):
            community_of.update(
                Person.objects.filter(pk__in=batch).values_list("pk", "community_id")
            )
        flag_unit_id = flag_unit_resolver()
        flags = [
            DuplicateFlag(
                person_id=pk,
                candidate_id=other,
                community_id=flag_unit_id(community_of[pk], community_of[other]),
                reason=why,
            )
            for pk, others in self.candidates.items()
            for other, why in others.items()
        ]
        DuplicateFlag.objects.bulk_create(flags, batch_size=1000)
        return len(flags)


Chunks = Iterator[tuple[list[str], list[tuple[Any, ...]]]]


def _unpickled(columns: list[str], skip: list[int], blob: bytes) -> tuple[list[str], list[Any]]:
    """(columns, rows to insert) of one checked chunk."""
    # Pickled by this import a moment ago (in its own process or a forked worker).
    rows: list[tuple[Any, ...]] = pickle.loads(blob)  # noqa: S301
    if skip:
        skipped = set(skip)
        rows = [row for k, row in enumerate(rows) if k not in skipped]
    return columns, rows


class _Spool:
    """Checked chunks kept in a private file next to the upload until the check is over."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle

    def begin(self, columns: list[str]) -> None:
        pickle.dump(columns, self.handle, protocol=pickle.HIGHEST_PROTOCOL)

    def add(self, skip: list[int], blob: bytes) -> None:
        pickle.dump((skip, blob), self.handle, protocol=pickle.HIGHEST_PROTOCOL)

    def loaded(self) -> int:
        return 0  # nothing is loaded while checking

    def chunks(self) -> Chunks:
        self.handle.seek(0)
        # The spool was written by this import a moment ago, in the private instance folder.
        columns: list[str] = pickle.load(self.handle)  # noqa: S301
        while True:
            try:
                skip, blob = pickle.load(self.handle)  # noqa: S301
            except EOFError:
                return
            yield _unpickled(columns, skip, blob)


class _Abandoned(Exception):
    """The check found errors or failed: the concurrent load is rolled back."""


_END = "end"  # no more chunks: the file is clean
_ABANDON = "abandon"  # no more chunks: roll back


class _Loader:
    """Loads checked chunks in a thread, on a connection of its own, while the forked
    workers check the next ones: the database's work overlaps theirs instead of following it.

    Everything is still ONE transaction, committed only once the whole file has been checked
    and found clean (:meth:`finish`); errors in a later row, a failure of the check or of the
    load, or a killed process roll it back whole. Started on the first clean chunk, after
    the workers were forked, so that no fork copies this thread's locks.
    """

    def __init__(
        self, person_import: PersonImport, actor: Actor, *, latest_id: int, bulk: bool
    ) -> None:
        self.person_import, self.actor = person_import, actor
        self.latest_id, self.bulk = latest_id, bulk
        self.language = translation.get_language()
        self.columns: list[str] = []
        self.queue: queue.Queue[tuple[list[int], bytes] | str] = queue.Queue(maxsize=4)
        self.checked: _Validation | None = None
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.rows_loaded = 0
        self.rows_reported = 0

    def begin(self, columns: list[str]) -> None:
        self.columns = columns

    def add(self, skip: list[int], blob: bytes) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="person-import-load", daemon=True)
            self.thread.start()
        self._put((skip, blob))

    def loaded(self) -> int:
        """Rows loaded since the last call (for the progress bar)."""
        done, self.rows_reported = self.rows_loaded - self.rows_reported, self.rows_loaded
        return done

    def finish(self, checked: _Validation, progress_id: int | None) -> None:
        """The file is clean: load what is left and commit."""
        if self.thread is None:  # no chunk had rows to load
            with transaction.atomic():
                _done(self.person_import, self.actor, checked, _Loaded())
            return
        self.checked = checked
        self._put(_END)
        while self.thread.is_alive():
            self.thread.join(timeout=1)
            if progress_id is not None and (done := self.loaded()):
                progress.progress_advance(progress_id, by=done)
        if self.error is not None:
            raise self.error

    def abandon(self) -> None:
        """Roll back whatever was loaded (the check found errors or failed)."""
        if self.thread is None:
            return
        with contextlib.suppress(BaseException):
            self._put(_ABANDON)
        self.thread.join()

    def _put(self, item: tuple[list[int], bytes] | str) -> None:
        assert self.thread is not None  # noqa: S101 - started by add
        while True:
            try:
                self.queue.put(item, timeout=1)
                return
            except queue.Full:
                if not self.thread.is_alive():
                    raise self.error or RuntimeError("the import's load stopped") from None

    def _chunks(self) -> Chunks:
        while (item := self.queue.get()) != _END:
            if item == _ABANDON:
                raise _Abandoned()
            assert not isinstance(item, str)  # noqa: S101 - the markers are handled above
            yield _unpickled(self.columns, *item)

    def _run(self) -> None:
        try:
            with translation.override(self.language), transaction.atomic():
                if connection.features.can_defer_constraint_checks:
                    # Foreign keys checked with each chunk, while the check goes on, not
                    # all at the commit, after it: the same checks, off the critical path.
                    with connection.cursor() as cursor:
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                loaded = _load(
                    self.person_import,
                    self.actor,
                    self._chunks(),
                    latest_id=self.latest_id,
                    bulk=self.bulk,
                    on_chunk=self._count,
                )
                assert self.checked is not None  # noqa: S101 - set before _END
                _done(self.person_import, self.actor, self.checked, loaded)
        except _Abandoned:
            pass
        except BaseException as exc:  # handed to the checking thread by finish()
            self.error = exc
        finally:
            connection.close()

    def _count(self, rows: int) -> None:
        self.rows_loaded += rows


def _loads_while_checking(workers: int) -> bool:
    """Whether to load in a second connection while forked workers check: the database must
    take writes from two connections at once (not SQLite), and no transaction of the caller
    may be open, as a second connection would not see what it wrote."""
    return workers > 0 and connection.vendor != "sqlite" and not connection.in_atomic_block


@dataclass
class _Loaded:
    created: int = 0
    unchanged: int = 0
    flagged: int = 0


def _load(
    person_import: PersonImport,
    actor: Actor,
    chunks: Chunks,
    *,
    latest_id: int,
    bulk: bool,
    on_chunk: Callable[[int], None] | None = None,
) -> _Loaded:
    """Second pass, inside the caller's transaction: residents, events, duplicate flags."""
    loaded = _Loaded()
    now = timezone.now()
    events = _EventRows(
        import_id=person_import.pk, actor_id=actor.user.pk, date=timezone.localdate(), now=now
    )
    duplicates = _Duplicates(bulk=bulk)
    # Someone may have registered some of these people since the check began: they count
    # as unchanged. Residents registered since then have higher ids, so one query finds
    # them. One registered after this query, or a number given meanwhile to an older
    # record (a correction), meets the unique index instead, and the import fails as a
    # whole, asking to be run again.
    since = _registered_since(latest_id)
    for columns, chunk in chunks:
        at = {name: i for i, name in enumerate(columns)}
        digest_at, name_at = at["id_number_index"], at["name"]
        birth_at, phone_at, community_at = at["birth_date"], at["phone_index"], at["community_id"]
        if since:
            fresh = [row for row in chunk if row[digest_at] not in since]
            loaded.unchanged += len(chunk) - len(fresh)
            chunk = fresh
        if not chunk:
            continue
        ids = _insert_persons(columns, chunk)
        insert_rows(
            LifeEvent._meta.db_table,
            events.columns,
            [events.values(pk, row[community_at]) for pk, row in zip(ids, chunk, strict=True)],
        )
        loaded.created += len(chunk)
        duplicates.add(
            [
                (pk, row[name_at], _as_date(row[birth_at]), row[phone_at])
                for pk, row in zip(ids, chunk, strict=True)
            ]
        )
        if on_chunk is not None:
            on_chunk(len(chunk))
    loaded.flagged = duplicates.save()
    if loaded.created >= ANALYZE_ROWS:
        refresh_planner_statistics(Person._meta.db_table, LifeEvent._meta.db_table)
    return loaded


# --- running an import ----------------------------------------------------------------------


def _audit(
    person_import: PersonImport, actor: Actor, *, result: str, detail: dict[str, Any]
) -> None:
    audit.record(action=Action.CREATE, actor=actor, obj=person_import, result=result, detail=detail)


def _finish(person_import: PersonImport, **changes: Any) -> PersonImport:
    PersonImport.objects.filter(pk=person_import.pk).update(**changes)
    for name, value in changes.items():
        setattr(person_import, name, value)
    return person_import


@contextlib.contextmanager
def _large_cache() -> Iterator[None]:
    """On SQLite, a page cache big enough for the indexes a large import updates (the
    default 2 MB makes every index insert a read); put back afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous:d}")


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
        with override, _large_cache():
            return _run(person_import, actor, spool_path)
    except Exception as exc:
        logger.exception("resident import %s failed", import_id)
        with override:
            _failed(person_import, actor, exc)
        return person_import
    finally:
        spool_path.unlink(missing_ok=True)


def _run(person_import: PersonImport, actor: Actor, spool_path: Path) -> PersonImport:
    if not actor.user.has_capability(Capability.EDIT_REGISTRY):
        raise Forbidden()
    path = stored_path(person_import)
    sheet = importing.open_sheet(path, person_import.file_name)
    progress_id = person_import.progress_id
    if progress_id is not None:
        progress.progress_start(progress_id, total=2 * person_import.total_rows)
    fd = os.open(spool_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w+b") as handle:
        latest_id = Person.objects.aggregate(latest=Max("pk"))["latest"] or 0
        sink: _Spool | _Loader = _Spool(handle)
        if _loads_while_checking(_workers(person_import.total_rows)):
            sink = _Loader(
                person_import,
                actor,
                latest_id=latest_id,
                bulk=person_import.total_rows >= BULK_FLAG_ROWS,
            )
        try:
            checked = _validate(person_import, actor, sheet, sink)
            if checked.file_problem or checked.errors:
                if isinstance(sink, _Loader):
                    sink.abandon()
                return _invalid(person_import, actor, checked, sheet.kind)
            _finish(person_import, state=State.LOADING, total_rows=checked.total)
            if progress_id is not None:
                progress.progress_start(progress_id, total=2 * checked.total)
            if isinstance(sink, _Loader):
                sink.finish(checked, progress_id)
            else:
                with transaction.atomic():
                    loaded = _load(
                        person_import,
                        actor,
                        sink.chunks(),
                        latest_id=latest_id,
                        bulk=checked.to_load >= BULK_FLAG_ROWS,
                    )
                    _done(person_import, actor, checked, loaded)
        except BaseException:
            if isinstance(sink, _Loader):
                sink.abandon()
            raise
    if progress_id is not None:
        progress.progress_finish(progress_id, message=person_import.message)
    # The residents are now in the database, encrypted; the plaintext upload is not kept.
    path.unlink(missing_ok=True)
    return person_import


def _invalid(
    person_import: PersonImport, actor: Actor, checked: _Validation, file_type: str
) -> PersonImport:
    """The file has errors: nothing is loaded; the bad rows are kept for the result page."""
    message = checked.file_problem or ngettext(
        "%(n)s row has errors: nothing was imported.",
        "%(n)s rows have errors: nothing was imported.",
        checked.errors,
    ) % {"n": checked.errors}
    with transaction.atomic():
        _finish(
            person_import,
            state=State.INVALID,
            total_rows=checked.total,
            unchanged_count=checked.unchanged,
            created_count=0,
            error_rows=checked.error_rows
            + (
                [{"omitted": checked.errors - len(checked.error_rows)}]
                if checked.errors > len(checked.error_rows)
                else []
            ),
            message=message[:255],
        )
        _audit(
            person_import,
            actor,
            result=Result.FAILURE,
            detail={"file_type": file_type, "rows": checked.total, "errors": checked.errors},
        )
    if person_import.progress_id is not None:
        progress.progress_finish(person_import.progress_id, message=message[:255])
    return person_import


def _done(person_import: PersonImport, actor: Actor, checked: _Validation, loaded: _Loaded) -> None:
    """The import's result and its audit event, in the load's transaction."""
    unchanged = checked.unchanged + loaded.unchanged
    message = _("Imported: %(created)s; already registered: %(unchanged)s.") % {
        "created": loaded.created,
        "unchanged": unchanged,
    }
    _finish(
        person_import,
        state=State.DONE,
        created_count=loaded.created,
        unchanged_count=unchanged,
        error_rows=[],
        message=message[:255],
    )
    _audit(
        person_import,
        actor,
        result=Result.SUCCESS,
        detail={
            "file_type": checked.file_type,
            "rows": checked.total,
            "created": loaded.created,
            "unchanged": unchanged,
            "duplicates_flagged": loaded.flagged,
        },
    )


def _failed(person_import: PersonImport, actor: Actor, exc: Exception) -> None:
    if isinstance(exc, ImportFileError | Forbidden):
        message = str(exc.message)
    elif isinstance(exc, IntegrityError):
        message = _(
            "Some of these residents were registered by someone else meanwhile; nothing was "
            "imported. Import the file again: they will count as already registered."
        )
    else:
        message = _("The import failed unexpectedly; nothing was imported. Try again later.")
    with transaction.atomic():
        _finish(person_import, state=State.FAILED, message=message[:255])
        _audit(
            person_import,
            actor,
            result=Result.FAILURE,
            detail={"error": type(exc).__name__},
        )
    if person_import.progress_id is not None:
        progress.progress_fail(person_import.progress_id, message=message)


# --- the bad rows, back as a file -----------------------------------------------------------


def person_import_bad_rows(*, actor: Actor, import_id: int, destination: Path | IO[bytes]) -> int:
    """Write the bad rows of an invalid import, as uploaded plus 错误说明, to ``destination``."""
    from jisheng.registry.exporting import write_bad_rows

    person_import = person_import_for_owner(user=actor.user, import_id=import_id)
    problems = {entry["row"]: entry["problems"] for entry in listed_error_rows(person_import)}
    path = stored_path(person_import)
    if person_import.state != State.INVALID or not problems or not path.is_file():
        raise NotFound()
    sheet = importing.open_sheet(path, person_import.file_name)
    count = write_bad_rows(sheet, problems, destination)
    with transaction.atomic():
        audit.record(
            action=Action.EXPORT,
            actor=actor,
            obj=person_import,
            detail={"bad_rows": count},
        )
    return count
