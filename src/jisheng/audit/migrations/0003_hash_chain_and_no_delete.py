"""The trail becomes a hash chain (existing entries are chained in id order), and the
database refuses deletes too: only entries at or below the purge anchor kept in
``audit_chain`` may go, which only the audited retention purge moves (audit/retention.py).

``audit_chain`` is created here in SQL and not managed by Django, so that a flush of a test
database leaves the anchor alone. The update trigger is dropped while existing rows get
their hashes, and the table is rebuilt on SQLite (which drops its triggers): every trigger is
created again at the end.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from jisheng.audit.chain import HASHED_FIELDS, entry_hash

REFUSE_DELETE = "audit trail is append-only: only entries released by the purge may be deleted"
CHAIN_TABLE = """CREATE TABLE audit_chain (
    id integer NOT NULL PRIMARY KEY, seq bigint NOT NULL, chain_hash varchar(64) NOT NULL,
    anchor_seq bigint NOT NULL, anchor_hash varchar(64) NOT NULL)"""
RELEASED = "COALESCE((SELECT anchor_seq FROM audit_chain WHERE id = 1), 0)"

SQLITE_UPDATE = """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
   BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END"""
SQLITE = [
    SQLITE_UPDATE,
    f"""CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
       WHEN OLD.seq > {RELEASED}
       BEGIN SELECT RAISE(ABORT, '{REFUSE_DELETE}'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
]
POSTGRES_UPDATE = """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
   FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_update()"""
POSTGRES = [
    POSTGRES_UPDATE,
    f"""CREATE FUNCTION audit_auditevent_refuse_delete() RETURNS trigger AS $$
       BEGIN
         IF OLD.seq > {RELEASED} THEN RAISE EXCEPTION '{REFUSE_DELETE}'; END IF;
         RETURN OLD;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_delete()""",
    # TRUNCATE fires no row trigger: it may only empty a trail the purge has released whole.
    f"""CREATE FUNCTION audit_auditevent_refuse_truncate() RETURNS trigger AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM audit_auditevent WHERE seq > {RELEASED})
         THEN RAISE EXCEPTION '{REFUSE_DELETE}'; END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql""",  # noqa: S608 - constants, no input
    """CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_truncate()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_refuse_truncate()",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_refuse_delete()",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update ON audit_auditevent",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE})


def create_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRES})


def update_trigger_only(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": [SQLITE_UPDATE], "postgresql": [POSTGRES_UPDATE]})


def chain_existing(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    event_model = apps.get_model("audit", "AuditEvent")
    seq, previous = 0, ""
    batch = []
    for event in event_model.objects.order_by("id").iterator(chunk_size=2000):
        seq += 1
        event.seq, event.prev_hash = seq, previous
        event.chain_hash = previous = entry_hash({f: getattr(event, f) for f in HASHED_FIELDS})
        batch.append(event)
        if len(batch) == 2000:
            event_model.objects.bulk_update(batch, ["seq", "prev_hash", "chain_hash"])
            batch = []
    event_model.objects.bulk_update(batch, ["seq", "prev_hash", "chain_hash"])
    schema_editor.execute(
        "INSERT INTO audit_chain (id, seq, chain_hash, anchor_seq, anchor_hash) "
        "VALUES (1, %s, %s, 0, '')",
        [seq, previous],
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [
        migrations.RunPython(drop_triggers, update_trigger_only),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="sequence"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.BigIntegerField(default=0)),
                ("chain_hash", models.CharField(blank=True, max_length=64)),
                ("anchor_seq", models.BigIntegerField(default=0)),
                ("anchor_hash", models.CharField(blank=True, max_length=64)),
            ],
            options={"db_table": "audit_chain", "managed": False},
        ),
        migrations.RunSQL(CHAIN_TABLE, "DROP TABLE audit_chain"),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, unique=True, verbose_name="sequence"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
