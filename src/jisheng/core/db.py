"""Database housekeeping that both engines need after bulk loads."""

from __future__ import annotations

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
