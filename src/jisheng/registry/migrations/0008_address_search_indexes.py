"""Address search served by an index on both databases (registry.selectors._address_contains).

PostgreSQL: pg_trgm GIN indexes on the residents' and the households' addresses serve
``LIKE '%…%'`` of three characters or more. SQLite: an FTS5 trigram table over the residents'
addresses (external content: it holds only the index), kept in step by triggers;
the selector narrows a search to its candidates and keeps the LIKE, so the set found is
the one LIKE finds. A later migration that rebuilds registry_person on SQLite drops the
triggers with the old table: tests/registry/test_address_search.py fails then, and the
triggers must be created again (``SQLITE_TRIGGERS``).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

POSTGRES = [
    "CREATE INDEX registry_person_address_trgm ON registry_person USING gin (address gin_trgm_ops)",
    "CREATE INDEX registry_household_address_trgm ON registry_household "
    "USING gin (address gin_trgm_ops)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS registry_person_address_trgm",
    "DROP INDEX IF EXISTS registry_household_address_trgm",
]

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE registry_person_address_fts USING fts5("
    "address, content='registry_person', content_rowid='id', tokenize='trigram')"
)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER registry_person_address_fts_insert AFTER INSERT ON registry_person BEGIN "
    "INSERT INTO registry_person_address_fts(rowid, address) VALUES (new.id, new.address); END",
    "CREATE TRIGGER registry_person_address_fts_delete AFTER DELETE ON registry_person BEGIN "
    "INSERT INTO registry_person_address_fts(registry_person_address_fts, rowid, address) "
    "VALUES ('delete', old.id, old.address); END",
    "CREATE TRIGGER registry_person_address_fts_update AFTER UPDATE OF address ON registry_person "
    "BEGIN "
    "INSERT INTO registry_person_address_fts(registry_person_address_fts, rowid, address) "
    "VALUES ('delete', old.id, old.address); "
    "INSERT INTO registry_person_address_fts(rowid, address) VALUES (new.id, new.address); END",
]
SQLITE_FILL = (
    "INSERT INTO registry_person_address_fts(registry_person_address_fts) VALUES ('rebuild')"
)
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS registry_person_address_fts_insert",
    "DROP TRIGGER IF EXISTS registry_person_address_fts_delete",
    "DROP TRIGGER IF EXISTS registry_person_address_fts_update",
    "DROP TABLE IF EXISTS registry_person_address_fts",
]


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {
        "postgresql": POSTGRES,
        "sqlite": [SQLITE_TABLE, *SQLITE_TRIGGERS, SQLITE_FILL],
    }.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_person_initials_derived_and_filled"),
    ]

    operations = [
        # A no-op on SQLite (CreateExtension runs on PostgreSQL only).
        TrigramExtension(),
        migrations.RunPython(forwards, backwards),
    ]
