"""The household search served by an index on both databases
(registry.selectors._household_matches), each of its three parts on the household row.

The number's prefix: a code-point range (``_prefix``) under an expression index: PostgreSQL
compares under the "C" collation; SQLite's LIKE folds ASCII letters, so there the range is
over lower(number) (SQLite's lower() folds ASCII letters only, as LIKE does). The address:
as the residents' (migration 0008): on PostgreSQL the pg_trgm index of 0008 for three
characters or more and a GIN index over a generated column of the one- and two-character
pieces for shorter text; on SQLite an FTS5 trigram table (external content) kept in step by
triggers. The head's name: the residents' name indexes.
A later migration that rebuilds registry_household on SQLite drops the triggers with the old
table: tests/registry/test_household_search.py fails then, and they must be created again.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

POSTGRES = [
    "CREATE INDEX registry_household_comm_number_c "
    'ON registry_household (community_id, (number COLLATE "C"), id)',
    # registry_short_grams: migration 0008.
    "ALTER TABLE registry_household ADD COLUMN address_grams text[] "
    "GENERATED ALWAYS AS (registry_short_grams(address)) STORED",
    "CREATE INDEX registry_household_address_short ON registry_household USING gin (address_grams)",
    "ANALYZE registry_household",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS registry_household_comm_number_c",
    "DROP INDEX IF EXISTS registry_household_address_short",
    "ALTER TABLE registry_household DROP COLUMN IF EXISTS address_grams",
]

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE registry_household_address_fts USING fts5("
    "address, content='registry_household', content_rowid='id', tokenize='trigram')"
)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER registry_household_address_fts_insert AFTER INSERT ON registry_household "
    "BEGIN INSERT INTO registry_household_address_fts(rowid, address) "
    "VALUES (new.id, new.address); END",
    "CREATE TRIGGER registry_household_address_fts_delete AFTER DELETE ON registry_household "
    "BEGIN INSERT INTO registry_household_address_fts(registry_household_address_fts, rowid, "
    "address) VALUES ('delete', old.id, old.address); END",
    "CREATE TRIGGER registry_household_address_fts_update "
    "AFTER UPDATE OF address ON registry_household BEGIN "
    "INSERT INTO registry_household_address_fts(registry_household_address_fts, rowid, address) "
    "VALUES ('delete', old.id, old.address); "
    "INSERT INTO registry_household_address_fts(rowid, address) "
    "VALUES (new.id, new.address); END",
]
SQLITE_INDEXES = [
    "CREATE INDEX registry_household_comm_number_lower "
    "ON registry_household (community_id, lower(number), id)",
    "ANALYZE registry_household",
]
SQLITE_FILL = (
    "INSERT INTO registry_household_address_fts(registry_household_address_fts) VALUES ('rebuild')"
)
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS registry_household_address_fts_insert",
    "DROP TRIGGER IF EXISTS registry_household_address_fts_delete",
    "DROP TRIGGER IF EXISTS registry_household_address_fts_update",
    "DROP TABLE IF EXISTS registry_household_address_fts",
    "DROP INDEX IF EXISTS registry_household_comm_number_lower",
]


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {
        "postgresql": POSTGRES,
        "sqlite": [SQLITE_TABLE, *SQLITE_TRIGGERS, SQLITE_FILL, *SQLITE_INDEXES],
    }.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_person_order_indexes_hold_status"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
