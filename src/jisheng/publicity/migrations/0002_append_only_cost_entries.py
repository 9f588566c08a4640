"""The database itself refuses to rewrite a cost entry handed to the funds ledger (deletes are
refused by the app; test databases must still be able to flush the table)."""

from django.db import migrations

from jisheng.core.db import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("publicity", "0001_publicity_assets_activities_trainings")]
    operations = [
        AppendOnly("publicity_costentry", message="publicity cost entries are append-only")
    ]
