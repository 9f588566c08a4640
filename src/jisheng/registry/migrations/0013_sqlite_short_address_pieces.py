"""SQLite: address searches of one or two characters served by an index, as on PostgreSQL.

A trigram index cannot find text shorter than three characters, so on SQLite such a search
read every resident in scope (a search that matched nobody read all 1,000,000 of them:
250 ms). This keeps, per resident and per household, every one- and two-character piece of
the address in an FTS5 table (contentless: it holds only the index, ``detail='none'``: no
positions), the way PostgreSQL's ``address_grams`` column does (migrations 0008, 0012).

Each piece is stored as the hex of its UTF-8 bytes, so one piece is always one token
whatever the tokenizer makes of the characters themselves (punctuation, spaces, characters
newer than its Unicode tables), and a query for a piece is an exact token match. ASCII
letters are folded first with SQLite's lower(), which folds ASCII only: the folding LIKE
does, so the index never finds fewer rows than LIKE (registry.selectors._address_contains).

Triggers keep the tables in step with the addresses. A contentless table removes a row
only when given the same pieces it was given, which ``PIECES`` recomputes from the old
address. A later migration that rebuilds registry_person or registry_household on SQLite
drops these triggers with the old table: tests/registry/test_address_search.py and
tests/registry/test_household_search.py fail then, and the triggers must be created again.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLES = ("registry_person", "registry_household")

# The pieces of {value}, space-separated: for each position, the character there and the
# two starting there. json_each over "[0,0,…]" (one 0 per character, made from a zeroblob)
# numbers the positions: a trigger body cannot use WITH RECURSIVE, and this has no upper
# bound on the length (the SQL of registry.selectors._short_piece_token, for one piece).
PIECES = (
    "(SELECT group_concat(hex(lower(substr({value}, key + 1, 1))) || ' ' || "
    "hex(lower(substr({value}, key + 1, 2))), ' ') FROM json_each("
    "'[' || substr(replace(hex(zeroblob(length({value}))), '00', ',0'), 2) || ']'))"
)


def _statements(table: str) -> list[str]:
    # Built from this module's constants only (``TABLES``, ``PIECES``): no outside text.
    pieces = f"{table}_address_pieces"
    new, old = PIECES.format(value="new.address"), PIECES.format(value="old.address")
    add = f"INSERT INTO {pieces}(rowid, pieces) VALUES (new.id, {new});"  # noqa: S608
    remove = (
        f"INSERT INTO {pieces}({pieces}, rowid, pieces) "  # noqa: S608
        f"VALUES ('delete', old.id, {old});"
    )
    return [
        f"CREATE VIRTUAL TABLE {pieces} USING fts5("
        "pieces, content='', detail='none', columnsize=0)",
        f"CREATE TRIGGER {pieces}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {pieces}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {pieces}_update AFTER UPDATE OF address ON {table} "
        f"BEGIN {remove} {add} END",
        f"INSERT INTO {pieces}(rowid, pieces) "  # noqa: S608
        f"SELECT id, {PIECES.format(value='address')} FROM {table}",
    ]


def _reverse(table: str) -> list[str]:
    pieces = f"{table}_address_pieces"
    return [
        f"DROP TRIGGER IF EXISTS {pieces}_insert",
        f"DROP TRIGGER IF EXISTS {pieces}_delete",
        f"DROP TRIGGER IF EXISTS {pieces}_update",
        f"DROP TABLE IF EXISTS {pieces}",
    ]


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            for statement in _statements(table):
                schema_editor.execute(statement)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            for statement in _reverse(table):
                schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0012_household_search_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
