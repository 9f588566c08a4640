"""Pinyin initials become a derived column, and every existing resident gets them filled
(the demo population and rows written before were left empty, so initials found nothing)."""

from typing import Any

from django.db import migrations

import jisheng.core.fields
from jisheng.registry.names import name_initials

BATCH = 2000


def fill_initials(apps: Any, schema_editor: Any) -> None:
    person_model = apps.get_model("registry", "Person")
    rows = person_model.objects.only("pk", "name", "name_initials").order_by("pk")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        changed = []
        for person in batch:
            initials = name_initials(person.name)
            if person.name_initials != initials:
                person.name_initials = initials
                changed.append(person)
        person_model.objects.bulk_update(changed, ["name_initials"], batch_size=BATCH)
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_family_members_not_resident"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="name_initials",
            field=jisheng.core.fields.DerivedCharField(
                blank=True, db_index=True, default="", editable=False, max_length=50, source="name"
            ),
        ),
        migrations.RunPython(fill_initials, migrations.RunPython.noop, elidable=True),
    ]
