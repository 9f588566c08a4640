"""The audit trail as a hash chain: each entry's SHA-256 covers its fields and the hash of
the entry before it, so an edited, deleted or inserted row breaks the chain where it lies.

Appends are serialised on the chain's head row (``AuditChain``, locked with
``select_for_update`` on PostgreSQL; SQLite's writers are serialised by its ``BEGIN
IMMEDIATE`` transactions), so two writers never chain to the same entry.

The serialisation below is frozen: changing it would break every existing chain.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection, models, transaction

from jisheng.audit.models import AuditChain, AuditEvent
from jisheng.core.prepared import Prepared

CHAIN_ID = 1
PURGE_OBJECT_TYPE = "retention"  # object type of the purge's own audit entry
# The columns an entry's hash covers, in the order they are serialised.
HASHED_FIELDS = (
    "seq",
    "prev_hash",
    "at",
    "user_id",
    "username",
    "roles",
    "ip",
    "action",
    "object_type",
    "object_id",
    "result",
    "detail",
)


def _canonical(value: Any) -> Any:
    # jsonb and SQLite's JSON give integral floats back as ints (1e20) or keep 1.0:
    # both hash as the int, so the hash survives the round trip through either database.
    kind = type(value)
    if kind is str or kind is int or value is None or kind is bool:
        return value
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is dict:
        return {str(k): _canonical(v) for k, v in value.items()}
    return [_canonical(v) for v in value]


def entry_hash(values: dict[str, Any]) -> str:
    """SHA-256 (hex) of one entry's hashed fields, as stored and as read back."""
    at: dt.datetime = values["at"]
    fields = [values[name] for name in HASHED_FIELDS]
    fields[HASHED_FIELDS.index("at")] = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    fields[HASHED_FIELDS.index("detail")] = _canonical(values["detail"])
    serialised = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(serialised.encode()).hexdigest()


# Every audited request appends: the head's read is compiled once (core.prepared).
_HEAD = Prepared(lambda: AuditChain.objects.select_for_update(), "pk")


def chain_head_locked() -> AuditChain:
    """The head row, locked until the caller's transaction ends (created on first use)."""
    head = _HEAD.first(CHAIN_ID)
    if head is not None:
        return head
    # No head (a new database whose migration ran before the table held anything, or a
    # head deleted behind the app's back): continue from the last entry, never from zero.
    last = AuditEvent.objects.order_by("-seq").values("seq", "chain_hash").first()
    AuditChain.objects.bulk_create(
        [
            AuditChain(
                pk=CHAIN_ID,
                seq=last["seq"] if last else 0,
                chain_hash=last["chain_hash"] if last else "",
            )
        ],
        ignore_conflicts=True,
    )
    return AuditChain.objects.select_for_update().get(pk=CHAIN_ID)


def chain_append(**fields: Any) -> AuditEvent:
    """Insert an entry with ``fields`` at the next position, with its hash; move the head."""
    fields["detail"] = json.loads(json.dumps(fields["detail"]))  # hash what the database keeps
    with transaction.atomic():
        head = chain_head_locked()
        fields["seq"], fields["prev_hash"] = head.seq + 1, head.chain_hash
        fields["chain_hash"] = entry_hash(fields)
        event = AuditEvent.objects.create(**fields)
        _move_head(event)
    return event


def _column(name: str) -> str:
    field = AuditChain._meta.get_field(name)
    assert isinstance(field, models.Field)  # noqa: S101 -- a column of the head row
    assert field.column  # noqa: S101
    return field.column


@cache
def _move_head_sql(vendor: str) -> str:
    """The head's UPDATE, written once per database kind (names quoted as it quotes them)."""
    table, seq, chain_hash, pk = map(
        connection.ops.quote_name,
        (AuditChain._meta.db_table, *(_column(name) for name in ("seq", "chain_hash", "id"))),
    )
    # Names from the model, quoted: no input reaches the statement's text.
    return f"UPDATE {table} SET {seq} = %s, {chain_hash} = %s WHERE {pk} = %s"  # noqa: S608


def _move_head(event: AuditEvent) -> None:
    """``AuditChain.objects.filter(pk=CHAIN_ID).update(seq=…, chain_hash=…)``, as plain SQL:
    building that update through the ORM on every audited request cost more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(_move_head_sql(connection.vendor), [event.seq, event.chain_hash, CHAIN_ID])


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain does not hold: the entry (if any) and what is wrong."""

    event_id: int | None
    seq: int | None
    problem: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head_seq: int
    anchor_seq: int
    broken: ChainBreak | None


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of head and entries while writers go on appending."""
    if connection.in_atomic_block:
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
    else:
        # A deferred read transaction: a WAL snapshot that does not block writers, where
        # atomic() would start BEGIN IMMEDIATE and hold the write lock for the whole walk.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")


def chain_verify(*, chunk_size: int = 5000) -> ChainReport:
    """Walk the whole trail in order, in bounded memory; report the first broken link."""
    with _snapshot():
        head = AuditChain.objects.filter(pk=CHAIN_ID).first()
        rows = (
            AuditEvent.objects.order_by("seq")
            .values_list("id", *HASHED_FIELDS, "chain_hash")
            .iterator(chunk_size=chunk_size)
        )
        checked, broken, last = _walk(rows, head)
        if broken is None and head is not None and head.anchor_seq > 0:
            broken = _anchor_unexplained(head)
    head_seq = head.seq if head is not None else 0
    anchor_seq = head.anchor_seq if head is not None else 0
    if broken is None and head is None and checked:
        broken = ChainBreak(None, None, "the chain head row is missing")
    if broken is None and head is not None:
        last_seq, last_hash = last
        if last_seq < head.seq:
            broken = ChainBreak(
                None,
                last_seq + 1,
                f"entries {last_seq + 1}..{head.seq} are missing: the end of the trail was deleted",
            )
        elif last_hash != head.chain_hash:
            broken = ChainBreak(None, head.seq, "the chain head does not match the last entry")
    return ChainReport(checked=checked, head_seq=head_seq, anchor_seq=anchor_seq, broken=broken)


def _anchor_unexplained(head: AuditChain) -> ChainBreak | None:
    # Only the retention purge moves the anchor, and it records where it put it.
    purges = AuditEvent.objects.filter(
        action=AuditEvent.Action.DELETE,
        object_type=PURGE_OBJECT_TYPE,
        seq__gt=head.anchor_seq,
        detail__anchor_seq=head.anchor_seq,
        detail__anchor_hash=head.anchor_hash,
    )
    if purges.exists():
        return None
    return ChainBreak(
        None,
        head.anchor_seq,
        "the purge anchor was not set by a recorded purge: entries before it were deleted",
    )


def _walk(
    rows: Iterator[tuple[Any, ...]], head: AuditChain | None
) -> tuple[int, ChainBreak | None, tuple[int, str]]:
    anchor_seq = head.anchor_seq if head is not None else 0
    head_seq = head.seq if head is not None else None
    expected, previous = anchor_seq + 1, head.anchor_hash if head is not None else ""
    checked = 0
    for row in rows:
        event_id, stored = row[0], row[-1]
        values = dict(zip(HASHED_FIELDS, row[1:-1], strict=True))
        seq: int = values["seq"]
        checked += 1
        if seq < expected and seq <= anchor_seq:
            problem = f"entry {seq} lies at or before the purge anchor ({anchor_seq}): inserted"
        elif head_seq is not None and seq > head_seq:
            problem = f"entry {seq} lies beyond the chain head ({head_seq}): not appended by app"
        elif seq > expected:
            problem = f"entries {expected}..{seq - 1} before this one are missing: deleted"
        elif values["prev_hash"] != previous:
            problem = "does not link to the entry before it: that entry or this one was rewritten"
        elif entry_hash(values) != stored:
            problem = "its content does not match its hash: the entry was altered"
        else:
            expected, previous = seq + 1, stored
            continue
        return checked, ChainBreak(event_id, seq, problem), (expected - 1, previous)
    return checked, None, (expected - 1, previous)
