"""The household holds its head's name and initials (``Household.head_name``,
``head_initials``), kept by the database, so that the household search finds a head by a
prefix range of the household's own index (registry.selectors._household_matches).

Before, the search listed every resident whose name began with the text and asked which
households they head: for 陈 at 1,000,000 residents, 45,328 residents, gathered again for
each community of the list (SQLite 98 ms, PostgreSQL 250 ms a page for street staff).

Triggers keep the copy on both databases, whatever writes the rows (pages, imports, bulk
writes, the demo): a household's copy is read from its head whenever ``head`` (or the copy
itself) is written, and a resident's new name or initials are copied onto the households
they head. Django's own writes of the two columns are replaced. The columns are nullable
(NULL: no head) so that adding them is an ALTER TABLE on SQLite, not a rebuild of the
table, which would drop the address-search triggers of migrations 0012 and 0013.
A later migration that rebuilds registry_household or registry_person on SQLite drops
these triggers too: tests/registry/test_household_head_copy.py fails then.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FILL = {
    "postgresql": (
        "UPDATE registry_household AS household "
        "SET head_name = head.name, head_initials = head.name_initials "
        "FROM registry_person AS head WHERE head.id = household.head_id"
    ),
    "sqlite": (
        "UPDATE registry_household SET (head_name, head_initials) = "
        "(SELECT name, name_initials FROM registry_person WHERE id = head_id) "
        "WHERE head_id IS NOT NULL"
    ),
}

POSTGRES = [
    """
    CREATE FUNCTION registry_household_head_copy() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.head_name := NULL;
        NEW.head_initials := NULL;
        SELECT name, name_initials INTO NEW.head_name, NEW.head_initials
        FROM registry_person WHERE id = NEW.head_id;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER registry_household_head_copy "
    "BEFORE INSERT OR UPDATE OF head_id, head_name, head_initials ON registry_household "
    "FOR EACH ROW EXECUTE FUNCTION registry_household_head_copy()",
    """
    CREATE FUNCTION registry_person_head_copy() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE registry_household
        SET head_name = NEW.name, head_initials = NEW.name_initials
        WHERE head_id = NEW.id;
        RETURN NULL;
    END
    $$
    """,
    # Django writes every column on a save: only a changed name reaches the households.
    "CREATE TRIGGER registry_person_head_copy "
    "AFTER UPDATE OF name, name_initials ON registry_person FOR EACH ROW "
    "WHEN (OLD.name IS DISTINCT FROM NEW.name "
    "OR OLD.name_initials IS DISTINCT FROM NEW.name_initials) "
    "EXECUTE FUNCTION registry_person_head_copy()",
    "CREATE INDEX registry_household_comm_head_c "
    'ON registry_household (community_id, (head_name COLLATE "C"), id)',
    "CREATE INDEX registry_household_comm_head_initials_c "
    'ON registry_household (community_id, (head_initials COLLATE "C"), id)',
    "ANALYZE registry_household",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS registry_household_head_copy ON registry_household",
    "DROP TRIGGER IF EXISTS registry_person_head_copy ON registry_person",
    "DROP FUNCTION IF EXISTS registry_household_head_copy()",
    "DROP FUNCTION IF EXISTS registry_person_head_copy()",
    "DROP INDEX IF EXISTS registry_household_comm_head_c",
    "DROP INDEX IF EXISTS registry_household_comm_head_initials_c",
]

# SQLite has no BEFORE trigger that may change the new row: the copy is written just after.
# Its triggers do not fire themselves again (recursive_triggers is off, SQLite's default).
_SQLITE_COPY = (
    "UPDATE registry_household SET (head_name, head_initials) = "
    "(SELECT name, name_initials FROM registry_person WHERE id = new.head_id) "
    "WHERE id = new.id;"
)
SQLITE = [
    "CREATE TRIGGER registry_household_head_copy_insert AFTER INSERT ON registry_household "
    f"BEGIN {_SQLITE_COPY} END",
    "CREATE TRIGGER registry_household_head_copy_update "
    "AFTER UPDATE OF head_id, head_name, head_initials ON registry_household "
    f"BEGIN {_SQLITE_COPY} END",
    "CREATE TRIGGER registry_person_head_copy AFTER UPDATE OF name, name_initials "
    "ON registry_person "
    "WHEN old.name IS NOT new.name OR old.name_initials IS NOT new.name_initials BEGIN "
    "UPDATE registry_household SET head_name = new.name, head_initials = new.name_initials "
    "WHERE head_id = new.id; END",
    "CREATE INDEX registry_household_comm_head ON registry_household (community_id, head_name, id)",
    "CREATE INDEX registry_household_comm_head_initials "
    "ON registry_household (community_id, head_initials, id)",
    "ANALYZE registry_household",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS registry_household_head_copy_insert",
    "DROP TRIGGER IF EXISTS registry_household_head_copy_update",
    "DROP TRIGGER IF EXISTS registry_person_head_copy",
    "DROP INDEX IF EXISTS registry_household_comm_head",
    "DROP INDEX IF EXISTS registry_household_comm_head_initials",
]


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES, "sqlite": SQLITE}.get(vendor, [])
    if vendor in FILL:
        schema_editor.execute(FILL[vendor])  # before the triggers, which would fire per row
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0013_sqlite_short_address_pieces"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="head_initials",
            field=models.CharField(blank=True, editable=False, max_length=50, null=True),
        ),
        migrations.AddField(
            model_name="household",
            name="head_name",
            field=models.CharField(blank=True, editable=False, max_length=50, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
