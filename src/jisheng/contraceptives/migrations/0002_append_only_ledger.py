"""The database itself refuses to rewrite a stock move (deletes are refused by the app;
test databases must still be able to flush the table)."""

from django.db import migrations

from jisheng.core.db import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("contraceptives", "0001_initial")]
    operations = [AppendOnly("contraceptives_stockmove", message="the stock ledger is append-only")]
