from typing import Any

from django.db import migrations


def preload(apps: Any, schema_editor: Any) -> None:
    from jisheng.benefits.preload import preload_programs

    preload_programs(apps.get_model("benefits", "Program"))


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]

    operations = [migrations.RunPython(preload, migrations.RunPython.noop)]
