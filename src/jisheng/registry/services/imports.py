"""Importing residents from a file: validated whole, then loaded all-or-nothing.

Two passes over the stored upload:

1. **Validate**, outside any transaction: every row goes through ``person_data_check`` and
   the community, duplicate-in-file and known-ID-number checks (the blind index, queried a
   chunk at a time). While the file is still clean, the rows to load are built with
   ``person_build``, turned into database values (encryption happens in the field's
   ``get_db_prep_value``) and spooled to a private file next to the upload.
2. **Load**, in ONE transaction: the spooled rows are inserted a chunk at a time with
   ``executemany`` (SQLite) or ``COPY`` (PostgreSQL), then one "registration" life event per
   person likewise, then likely-duplicate flags (one query per chunk and rule; one grouping
   query for a large import), then one audit event for the whole import. A crash or a kill
   leaves nothing behind.

Large files are checked by several forked processes at once (``JISHENG_IMPORT_WORKERS``);
they only compute, the database is used by this process alone.

The natural key is the ID number: a row whose number is already registered in the
importer's area counts as *unchanged* and is skipped, even when its other facts differ —
facts of a registered resident change only through correction events, never by import.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import multiprocessing
import operator
import os
import pickle
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
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jisheng.accounts.models import User
from jisheng.accounts.roles import Capability
from jisheng.audit import services as audit
from jisheng.audit.services import Action, Actor, Result
from jisheng.core import progress
from jisheng.core.db import insert_rows, refresh_planner_statistics
from jisheng.core.errors import Forbidden, NotFound
from jisheng.core.fields import BlindIndexField, EncryptedTextField
from jisheng.core.models import OrgUnit
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
    person_build,
    person_data_check,
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
    """Person → the column values Django's own INSERT would send, in ``columns`` order."""

    def __init__(self, now: dt.datetime) -> None:
        fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
        # Plain values are read in one C-level call; the others need preparing.
        plain = [f for f in fields if type(f) in _PLAIN_FIELDS or f.is_relation]
        special = [f for f in fields if f not in plain]
        self.columns = [str(f.column) for f in (*plain, *special)]
        self.plain = operator.attrgetter(*(f.attname for f in plain))
        self.special = [self._getter(f, now) for f in special]

    @staticmethod
    def _getter(field_: models.Field[Any, Any], now: dt.datetime) -> Callable[[Person], Any]:
        attname = field_.attname
        if isinstance(field_, models.DateTimeField) and (field_.auto_now or field_.auto_now_add):
            value = field_.get_db_prep_value(now, connection)
            return lambda _person: value
        if isinstance(field_, EncryptedTextField):
            return lambda person: _plain_bytes(
                field_.get_db_prep_value(getattr(person, attname), connection)
            )
        if isinstance(field_, BlindIndexField):
            # A digest already computed for the checks is reused; otherwise computed here.
            return lambda person: getattr(person, attname) or field_.pre_save(person, True)
        return lambda person: field_.get_db_prep_save(field_.pre_save(person, True), connection)

    def values(self, person: Person) -> tuple[Any, ...]:
        return (*self.plain(person), *[get(person) for get in self.special])


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
    """person_data_check and the community of each row; person_build and the database values
    (encryption included) of the clean rows while ``prepare`` holds."""
    parse = importing.RowParser(context.columns)
    resolve = context.communities.resolve
    maker = context.maker()
    index_field = Person._meta.get_field("id_number_index")
    assert isinstance(index_field, BlindIndexField)  # noqa: S101 - the model guarantees it
    checked = _CheckedChunk(numbers=[], problems=[], digests=[], prepared=[], blob=b"")
    values = []
    for position, (number, cells) in enumerate(rows):
        parsed = parse(number, cells)
        data = parsed.data
        problems = person_data_check(data, require_id_number=parsed.id_number_readable)
        unit, problem = resolve(parsed.community)
        if problem:
            problems.append(problem)
        digest = index_field.digest(data.id_number) if data.id_number else ""
        checked.numbers.append(number)
        checked.problems.append(problems)
        checked.digests.append(digest)
        if prepare and not problems and unit is not None:
            person = person_build(data, community=unit)
            person.id_number_index = digest
            values.append(maker.values(person))
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


def _registered(digests: list[str]) -> dict[str, tuple[int, str]]:
    """ID-number digest → (community id, status) of the residents already registered."""
    found: dict[str, tuple[int, str]] = {}
    table = connection.ops.quote_name(Person._meta.db_table)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for batch in _batched(digests, 20_000 if postgres else _param_batch(1)):
            # Plain SQL: the ORM's per-parameter work would cost more than the lookups.
            # PostgreSQL takes the batch as one array; SQLite as a list of parameters.
            condition = "= ANY(%s)" if postgres else f"IN ({', '.join(['%s'] * len(batch))})"
            cursor.execute(
                "SELECT id_number_index, community_id, status "  # noqa: S608
                f"FROM {table} WHERE id_number_index {condition}",
                [batch] if postgres else batch,
            )
            found.update({digest: (community, status) for digest, community, status in cursor})
    return found


def _validate(
    person_import: PersonImport, actor: Actor, sheet: Sheet, spool: IO[bytes]
) -> _Validation:
    """First pass: every row checked; while the file is clean, the rows to load are spooled
    as (positions to skip, pickled values) records after a first record naming the columns."""
    result = _Validation()
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
    pickle.dump(context.maker().columns, spool, protocol=pickle.HIGHEST_PROTOCOL)

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
                pickle.dump((skip, checked.blob), spool, protocol=pickle.HIGHEST_PROTOCOL)
            if progress_id is not None:
                progress.progress_advance(progress_id, by=len(checked.numbers))
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
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
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
            f.get_db_prep_save(
                values[f.attname] if f.attname in values else f.get_default(), connection
            )
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
        row[self.before_at] = self.before.get_db_prep_save(
            {"created_person": person_id}, connection
        )
        return tuple(row)


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
    large import instead finds same-name-and-birth-date groups with one grouping query at
    the end: per chunk, each pair would visit every resident born that day.
    """

    def __init__(self, *, bulk: bool) -> None:
        self.bulk = bulk
        self.candidates: Candidates = {}
        self.new_ids: array[int] = array("q")

    def add(self, new: list[tuple[int, str, dt.date, str]]) -> None:
        """A chunk of new residents (id, name, birth date, phone digest), just inserted."""
        self.new_ids.extend(pk for pk, _n, _b, _p in new)
        if not self.bulk:
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
        for batch in _batched(list(by_phone), _param_batch(1)):
            same_phone = (
                Person.objects.filter(phone_index__in=batch)
                .exclude(status=ResidentStatus.VOIDED)
                .values_list("pk", "name", "phone_index")
            )
            for other, other_name, phone in same_phone:
                for pk, name in by_phone[phone]:
                    if other_name == name:
                        self._candidate(pk, other, DuplicateFlag.Reason.NAME_PHONE)

    def _candidate(self, pk: int, other: int, reason: str) -> None:
        if other < pk:  # earlier records only, as when residents are entered one by one
            found = self.candidates.setdefault(pk, {})
            if found.get(other) != DuplicateFlag.Reason.NAME_BIRTH_DATE:
                found[other] = reason

    def _same_birth_groups(self) -> None:
        if not self.new_ids:
            return
        groups = (
            Person.objects.exclude(status=ResidentStatus.VOIDED)
            .values("name", "birth_date")
            .annotate(members=Count("pk"), last=Max("pk"))
            .filter(members__gt=1, last__gte=min(self.new_ids))
            .values_list("name", "birth_date")
        )
        members: dict[tuple[str, dt.date], list[int]] = {}
        for pk, name, value in _pair_matches("birth_date", list(groups)):
            members.setdefault((name, _as_date(value)), []).append(pk)
        new = self.new_ids
        for ids in members.values():
            for pk in ids:
                at = bisect_left(new, pk)
                if at < len(new) and new[at] == pk:
                    for other in ids:
                        self._candidate(pk, other, DuplicateFlag.Reason.NAME_BIRTH_DATE)

    def save(self) -> int:
        if self.bulk:
            self._same_birth_groups()
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


def _spooled(spool: IO[bytes]) -> Iterator[tuple[list[str], list[tuple[Any, ...]]]]:
    """(columns, rows to insert) of each spooled chunk."""
    spool.seek(0)
    # The spool was written by this import a moment ago, in the private instance folder.
    columns: list[str] = pickle.load(spool)  # noqa: S301
    while True:
        try:
            skip, blob = pickle.load(spool)  # noqa: S301
        except EOFError:
            return
        rows: list[tuple[Any, ...]] = pickle.loads(blob)  # noqa: S301
        if skip:
            skipped = set(skip)
            rows = [row for k, row in enumerate(rows) if k not in skipped]
        yield columns, rows


@dataclass
class _Loaded:
    created: int = 0
    unchanged: int = 0
    flagged: int = 0


def _load(person_import: PersonImport, actor: Actor, spool: IO[bytes], *, rows: int) -> _Loaded:
    """Second pass, inside the caller's transaction: residents, events, duplicate flags."""
    loaded = _Loaded()
    now = timezone.now()
    events = _EventRows(
        import_id=person_import.pk, actor_id=actor.user.pk, date=timezone.localdate(), now=now
    )
    duplicates = _Duplicates(bulk=rows >= BULK_FLAG_ROWS)
    for columns, chunk in _spooled(spool):
        at = {name: i for i, name in enumerate(columns)}
        digest_at, name_at = at["id_number_index"], at["name"]
        birth_at, phone_at, community_at = at["birth_date"], at["phone_index"], at["community_id"]
        # Someone may have registered one of these people since the validation pass.
        known = _registered([row[digest_at] for row in chunk])
        if known:
            fresh = [row for row in chunk if row[digest_at] not in known]
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
    with os.fdopen(fd, "w+b") as spool:
        checked = _validate(person_import, actor, sheet, spool)
        counts = {"file_type": sheet.kind, "rows": checked.total}
        if checked.file_problem or checked.errors:
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
                    detail={**counts, "errors": checked.errors},
                )
            if progress_id is not None:
                progress.progress_finish(progress_id, message=message[:255])
            return person_import
        _finish(person_import, state=State.LOADING, total_rows=checked.total)
        if progress_id is not None:
            progress.progress_start(progress_id, total=2 * checked.total)
        with transaction.atomic():
            loaded = _load(person_import, actor, spool, rows=checked.to_load)
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
                    **counts,
                    "created": loaded.created,
                    "unchanged": unchanged,
                    "duplicates_flagged": loaded.flagged,
                },
            )
    if progress_id is not None:
        progress.progress_finish(progress_id, message=message[:255])
    # The residents are now in the database, encrypted; the plaintext upload is not kept.
    path.unlink(missing_ok=True)
    return person_import


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
