"""core.db.AppendOnly: the one migration operation behind every append-only table."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from jisheng.core.db import AppendOnly

TABLE = "core_test_appendonly"


@pytest.fixture
def table(db: None):  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, value integer)")
        cursor.execute("INSERT INTO core_test_appendonly (id, value) VALUES (1, 1)")
    yield TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE}")


def _apply(operation: AppendOnly, *, backwards: bool = False) -> None:
    # What database_forwards/backwards execute (SQLite's schema editor cannot open inside the
    # test's transaction; the real migrations of audit and contraceptives run it for real).
    vendor = connection.vendor
    statements = operation.backwards_sql(vendor) if backwards else operation.forwards_sql(vendor)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _refused(sql: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError:
        return True
    return False


def test_update_and_delete_are_refused_only_as_asked_and_undone_backwards(table) -> None:
    update, delete = "UPDATE core_test_appendonly SET value = 2", "DELETE FROM core_test_appendonly"
    both = AppendOnly(table, message="append-only", block=("UPDATE", "DELETE"))
    _apply(both)
    assert _refused(update)
    assert _refused(delete)
    _apply(both, backwards=True)
    only_update = AppendOnly(table, message="append-only")
    _apply(only_update)
    assert _refused(update)
    assert not _refused(delete)
    _apply(only_update, backwards=True)


def test_the_trigger_sql_is_what_both_migrations_wrote_before() -> None:
    operation = AppendOnly("audit_auditevent", message="audit trail is append-only")
    assert operation.forwards_sql("sqlite") == [
        "CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent "
        "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END"
    ]
    assert operation.backwards_sql("postgresql") == [
        "DROP TRIGGER IF EXISTS audit_auditevent_no_update ON audit_auditevent",
        "DROP FUNCTION IF EXISTS audit_auditevent_refuse_update()",
    ]
    assert operation.forwards_sql("mysql") == []


@pytest.mark.parametrize(
    ("block", "message"), [((), "m"), (("INSERT",), "m"), (("UPDATE",), "it's")]
)
def test_what_it_cannot_do_is_refused_when_the_migration_is_written(block, message) -> None:
    with pytest.raises(ValueError, match="AppendOnly"):
        AppendOnly("t", message=message, block=block)
