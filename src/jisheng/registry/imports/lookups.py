"""Residents looked up in batches: by blind index, with as many parameters per query as the
database takes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import connection

from jisheng.registry.imports import limits
from jisheng.registry.models import Person


def batched[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def param_batch(per_item: int) -> int:
    """Items per query so that the database's limit on parameters is respected."""
    limit = connection.features.max_query_params or 100_000
    return max(1, min(limits.CHUNK_ROWS, (limit - 10) // per_item))


def with_digests(column: str, digests: Sequence[str], *, select: str) -> Iterator[tuple[Any, ...]]:
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
        for batch in batched(digests, 20_000 if postgres else param_batch(1)):
            if postgres:
                condition, params = "= ANY(string_to_array(%s, ','))", [",".join(batch)]
            else:
                condition, params = f"IN ({', '.join(['%s'] * len(batch))})", list(batch)
            # Only quoted model names are formatted in; the digests are parameters.
            cursor.execute(f"SELECT {select} FROM {table} WHERE {quoted} {condition}", params)  # noqa: S608
            yield from cursor.fetchall()
