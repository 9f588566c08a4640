from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# A community's residents searched by name or initials prefix, in the search's order
# (registry.selectors._prefix): the community first, so a community worker's search reads
# only that community's matches instead of every community's through the name index. On
# PostgreSQL the prefix is compared under the "C" collation (migration 0004); SQLite
# compares by code point, so the plain model index on (community, name, id) serves names there.
POSTGRES = [
    "CREATE INDEX registry_person_comm_name_c "
    'ON registry_person (community_id, (name COLLATE "C"), id)',
    "CREATE INDEX registry_person_comm_initials_c "
    'ON registry_person (community_id, (name_initials COLLATE "C"), id)',
    # Statistics for the new expression indexes; without them the planner guesses.
    "ANALYZE registry_person",
]
SQLITE = [
    "CREATE INDEX registry_person_comm_initials_c "
    "ON registry_person (community_id, name_initials, id)",
    # Without statistics for the new indexes SQLite guesses and may sort a whole street's
    # residents through one of them (12 s at 1,000,000 residents instead of 0.4 ms).
    "ANALYZE registry_person",
]
REVERSE = [
    "DROP INDEX IF EXISTS registry_person_comm_name_c",
    "DROP INDEX IF EXISTS registry_person_comm_initials_c",
]


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []:
        schema_editor.execute(statement)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in REVERSE:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_working_day_calendar"),
        ("registry", "0009_household_list_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["community", "name", "id"], name="registry_person_comm_name"
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
