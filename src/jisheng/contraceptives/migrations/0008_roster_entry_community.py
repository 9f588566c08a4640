"""Roster entries carry their person's community, so that scope and order read a column of
the entry instead of joining every person of the area; filled from the persons."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps: Any, schema_editor: Any) -> None:
    entry = apps.get_model("contraceptives", "RosterEntry")
    person = apps.get_model("registry", "Person")
    entry.objects.update(
        community_id=Subquery(
            person.objects.filter(pk=OuterRef("person_id")).values("community_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contraceptives", "0007_handout_occasion"),
        ("core", "0004_working_day_calendar"),
        ("registry", "0007_person_initials_derived_and_filled"),
    ]

    operations = [
        migrations.AddField(
            model_name="rosterentry",
            name="community",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.orgunit",
                verbose_name="community",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="rosterentry",
            name="community",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.orgunit",
                verbose_name="community",
            ),
        ),
        migrations.AddIndex(
            model_name="rosterentry",
            index=models.Index(
                fields=["community", "stop_date"], name="contraceptives_roster_unit"
            ),
        ),
    ]
