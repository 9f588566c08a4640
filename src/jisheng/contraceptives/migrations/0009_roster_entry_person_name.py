"""Roster entries carry their person's name, so that the roster sorts each community's
entries by an index of the entry instead of joining every person of the area; filled from
the persons."""

from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps: Any, schema_editor: Any) -> None:
    entry = apps.get_model("contraceptives", "RosterEntry")
    person = apps.get_model("registry", "Person")
    entry.objects.update(
        person_name=Subquery(person.objects.filter(pk=OuterRef("person_id")).values("name")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contraceptives", "0008_roster_entry_community"),
        ("registry", "0007_person_initials_derived_and_filled"),
    ]

    operations = [
        migrations.AddField(
            model_name="rosterentry",
            name="person_name",
            field=models.CharField(default="", max_length=50, verbose_name="name"),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="rosterentry",
            index=models.Index(
                fields=["community", "stop_date", "person_name", "method", "id"],
                name="contraceptives_roster_order",
            ),
        ),
    ]
