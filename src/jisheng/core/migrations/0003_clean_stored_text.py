"""Text stored before input was checked (core.text): control characters dropped, NFC.

It sees every app's models as migrated so far; on a new database there is nothing to clean.
"""

from django.db import migrations

from jisheng.core.text import clean_stored_text


class Migration(migrations.Migration):
    dependencies = [("core", "0002_idempotencykey")]

    operations = [migrations.RunPython(clean_stored_text, migrations.RunPython.noop)]
