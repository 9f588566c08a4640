"""The database itself refuses to rewrite an audit event (deletes are refused by the app;
test databases must still be able to flush the table)."""

from django.db import migrations

from jisheng.core.db import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [AppendOnly("audit_auditevent", message="audit trail is append-only")]
