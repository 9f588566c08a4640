"""The load pass, inside the caller's transaction: checked chunks inserted a chunk at a time
(``executemany`` on SQLite, ``COPY`` on PostgreSQL), a registration event per resident, then
likely-duplicate flags.

Checked chunks wait for the load in a private spool file next to the upload, unless a
loader thread takes them as they come (``parallel.Loader``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import pickle
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core.actors import Actor
from jisheng.core.db import insert_rows, insert_rows_returning_ids, refresh_planner_statistics
from jisheng.registry.imports import limits
from jisheng.registry.imports.duplicates import Duplicates, as_date
from jisheng.registry.imports.families import FamilyLoader, FamilyPlan, created_ids
from jisheng.registry.imports.files import ImportFileError
from jisheng.registry.imports.outcome import Loaded, Validation
from jisheng.registry.models import LifeEvent, Person, PersonImport

# (columns, rows to insert, and with family columns their row numbers in the file)
Chunks = Iterator[tuple[list[str], list[tuple[Any, ...]], array[int]]]


def unpickled(
    columns: list[str], skip: list[int], blob: bytes, numbers: bytes
) -> tuple[list[str], list[Any], array[int]]:
    """(columns, rows to insert, their row numbers) of one checked chunk; ``numbers``: the
    row numbers of the rows kept (not skipped), as array("i") bytes, or empty."""
    # Pickled by this import a moment ago (in its own process or a forked worker).
    rows: list[tuple[Any, ...]] = pickle.loads(blob)  # noqa: S301
    if skip:
        skipped = set(skip)
        rows = [row for k, row in enumerate(rows) if k not in skipped]
    kept = array("i")
    kept.frombytes(numbers)
    return columns, rows, kept


class Spool:
    """Checked chunks kept in a private file next to the upload until the check is over."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle

    def begin(self, columns: list[str]) -> None:
        pickle.dump(columns, self.handle, protocol=pickle.HIGHEST_PROTOCOL)

    def family_planned(self, plan: FamilyPlan) -> None:
        pass  # the families are loaded after the check, with the residents

    def add(self, skip: list[int], blob: bytes, numbers: bytes) -> None:
        pickle.dump((skip, blob, numbers), self.handle, protocol=pickle.HIGHEST_PROTOCOL)

    def loaded(self) -> int:
        return 0  # nothing is loaded while checking

    def all_sent(self) -> None:
        pass  # the load starts after the check

    def chunks(self) -> Chunks:
        self.handle.seek(0)
        # The spool was written by this import a moment ago, in the private instance folder.
        columns: list[str] = pickle.load(self.handle)  # noqa: S301
        while True:
            try:
                skip, blob, numbers = pickle.load(self.handle)  # noqa: S301
            except EOFError:
                return
            yield unpickled(columns, skip, blob, numbers)


def load(
    person_import: PersonImport,
    actor: Actor,
    chunks: Chunks,
    *,
    latest_id: int,
    bulk: bool,
    on_chunk: Callable[[int], None] | None = None,
    created: array[int] | None = None,
) -> Loaded:
    """Second pass, inside the caller's transaction: residents, events, duplicate flags;
    ``created`` (for the families) gets the row number → id of each resident inserted."""
    loaded = Loaded()
    now = timezone.now()
    events = _EventRows(
        import_id=person_import.pk, actor_id=actor.user.pk, date=timezone.localdate(), now=now
    )
    duplicates = Duplicates(bulk=bulk)
    # Someone may have registered some of these people since the check began: they count
    # as unchanged. Residents registered since then have higher ids, so one query finds
    # them. One registered after this query, or a number given meanwhile to an older
    # record (a correction), meets the unique index instead, and the import fails as a
    # whole, asking to be run again.
    since = _registered_since(latest_id)
    for columns, chunk, numbers in chunks:
        at = {name: i for i, name in enumerate(columns)}
        digest_at, name_at = at["id_number_index"], at["name"]
        birth_at, phone_at, community_at = at["birth_date"], at["phone_index"], at["community_id"]
        if since:
            if any(since.get(row[digest_at], row[name_at]) != row[name_at] for row in chunk):
                # The check would have made this row an error: fail as a whole, so that
                # the import run again shows which row.
                raise ImportFileError(
                    _(
                        "An ID number of this file was registered meanwhile under another "
                        "name; nothing was imported. Import the file again to see the row."
                    )
                )
            kept = [k for k, row in enumerate(chunk) if row[digest_at] not in since]
            loaded.unchanged += len(chunk) - len(kept)
            chunk = [chunk[k] for k in kept]
            numbers = array("i", [numbers[k] for k in kept] if numbers else [])
        if not chunk:
            continue
        ids = _insert_persons(columns, chunk)
        if created is not None:
            created_ids(created, numbers, ids)
        insert_rows(
            LifeEvent._meta.db_table,
            events.columns,
            [events.values(pk, row[community_at]) for pk, row in zip(ids, chunk, strict=True)],
        )
        loaded.created += len(chunk)
        duplicates.add(
            [
                (pk, row[name_at], as_date(row[birth_at]), row[phone_at])
                for pk, row in zip(ids, chunk, strict=True)
            ]
        )
        if on_chunk is not None:
            on_chunk(len(chunk))
    loaded.flagged = duplicates.save()
    if loaded.created >= limits.ANALYZE_ROWS:
        refresh_planner_statistics(Person._meta.db_table, LifeEvent._meta.db_table)
    return loaded


def load_families(checked: Validation, loaded: Loaded, families: FamilyLoader) -> None:
    """The file's households, marriages and parent links (what ``families`` has not loaded
    yet), once its residents are in."""
    if checked.family is not None:
        loaded.families = families.finish(checked.family)


def _registered_since(latest_id: int) -> dict[str, str]:
    """ID-number digest → name of the residents registered after the one with ``latest_id``."""
    return dict(
        Person.objects.filter(pk__gt=latest_id)
        .exclude(id_number_index="")
        .values_list("id_number_index", "name")
    )


def _insert_persons(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Insert one chunk of residents; returns their ids in row order."""
    return insert_rows_returning_ids(
        Person._meta.db_table, str(Person._meta.pk.column), columns, rows
    )


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
        # The snapshot's JSON text differs between rows only in the id: split around it once
        # rather than encoded per row (a million json.dumps were a tenth of the load).
        marker = 987654321
        text = _json_text(fields[self.before_at], {"created_person": marker})
        self.before_prefix, self.before_suffix = text.split(str(marker))

    def values(self, person_id: int, community_id: int) -> tuple[Any, ...]:
        row = list(self.template)
        row[self.person_at] = person_id
        row[self.community_at] = community_id
        # The same shape as registration_record's snapshot, so event_reverse can void it.
        row[self.before_at] = f"{self.before_prefix}{person_id:d}{self.before_suffix}"
        return tuple(row)


def _json_text(field_: models.Field[Any, Any], value: Any) -> str:
    """A JSONField's value as the JSON text its database adapter would send; both engines
    take the text for a JSON column, and PostgreSQL's COPY then skips a per-row adapter."""
    assert isinstance(field_, models.JSONField)  # noqa: S101 - callers pass JSON fields
    return json.dumps(field_.get_prep_value(value), cls=field_.encoder)


@contextlib.contextmanager
def large_cache() -> Iterator[None]:
    """On SQLite, a page cache big enough for the indexes a large import updates (the
    default 2 MB makes every index insert a read); put back afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-limits.SQLITE_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous:d}")
