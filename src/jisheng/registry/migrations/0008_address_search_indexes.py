"""Address search served by an index on both databases (registry.selectors._address_contains).

PostgreSQL: pg_trgm GIN indexes on the residents' and the households' addresses serve
``LIKE '%…%'`` of three characters or more; for one or two characters (no trigram) a GIN
index over the address's one- and two-character pieces finds the residents' candidates
(``registry_person.address_grams``, a generated column the database keeps; not in the
model, so Django never writes it). SQLite: an FTS5 trigram table over the residents'
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

# Every one- and two-character piece of a text: what a search shorter than a trigram needs.
SHORT_GRAMS = """
CREATE FUNCTION registry_short_grams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT gram), '{}') FROM (
        SELECT substr(value, i, 1) AS gram FROM generate_series(1, length(value)) AS i
        UNION ALL
        SELECT substr(value, i, 2) FROM generate_series(1, length(value) - 1) AS i
    ) AS grams
$$
"""
POSTGRES = [
    "CREATE INDEX registry_person_address_trgm ON registry_person USING gin (address gin_trgm_ops)",
    SHORT_GRAMS,
    # Stored, not an expression index: a plan that filters rows instead of reading the index
    # (a common character) then compares stored arrays instead of calling the function.
    "ALTER TABLE registry_person ADD COLUMN address_grams text[] "
    "GENERATED ALWAYS AS (registry_short_grams(address)) STORED",
    "CREATE INDEX registry_person_address_short ON registry_person USING gin (address_grams)",
    "CREATE INDEX registry_household_address_trgm ON registry_household "
    "USING gin (address gin_trgm_ops)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS registry_person_address_trgm",
    "DROP INDEX IF EXISTS registry_person_address_short",
    "ALTER TABLE registry_person DROP COLUMN IF EXISTS address_grams",
    "DROP FUNCTION IF EXISTS registry_short_grams(text)",
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
