"""Database housekeeping that both engines need after bulk loads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def refresh_planner_statistics(*tables: str) -> None:
    """Re-gather the statistics the query planner uses, after a bulk load changed them.

    Without them SQLite picks the scope index over the name index for prefix searches
    on a large table (seconds instead of milliseconds); PostgreSQL's autovacuum would
    get there, but only later.
    """
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Plain multi-row insert of prepared values: COPY on PostgreSQL, executemany otherwise."""
    if not rows:
        return
    target = f"{connection.ops.quote_name(table)} ({_quoted(columns)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's own COPY, with its errors turned into Django's as for any query.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            # Table and column names come from the models, quoted; values are parameters.
            cursor.executemany(f"INSERT INTO {target} VALUES ({placeholders})", rows)  # noqa: S608
