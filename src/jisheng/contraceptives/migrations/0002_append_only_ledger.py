"""The database itself refuses to rewrite a stock move (deletes are refused by the app;
test databases must still be able to flush the table)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SQLITE = [
    """CREATE TRIGGER contraceptives_stockmove_no_update BEFORE UPDATE ON contraceptives_stockmove
       BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS contraceptives_stockmove_no_update"]
POSTGRES = [
    """CREATE FUNCTION contraceptives_stockmove_refuse_update() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the stock ledger is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER contraceptives_stockmove_no_update BEFORE UPDATE ON contraceptives_stockmove
       FOR EACH ROW EXECUTE FUNCTION contraceptives_stockmove_refuse_update()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS contraceptives_stockmove_no_update ON contraceptives_stockmove",
    "DROP FUNCTION IF EXISTS contraceptives_stockmove_refuse_update()",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRES})


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE})


class Migration(migrations.Migration):
    dependencies = [("contraceptives", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
