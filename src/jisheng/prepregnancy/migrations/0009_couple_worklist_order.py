"""The worklist's sort keys on the couple's row: the latest contact (filled from the contacts),
the state's rank and the latest contact or entry day (generated), indexed per community in the
list's order."""

from typing import Any

import django.db.models.functions.comparison
from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def fill(apps: Any, schema_editor: Any) -> None:
    couple = apps.get_model("prepregnancy", "TargetCouple")
    contact = apps.get_model("prepregnancy", "Contact")
    latest = (
        contact.objects.filter(couple=OuterRef("pk"))
        .order_by()
        .values("couple")
        .annotate(day=Max("date"))
        .values("day")
    )
    couple.objects.update(last_contact=Subquery(latest[:1]))


STATES = (
    "to_notify",
    "appointment",
    "one_checked",
    "notified",
    "pregnant",
    "declined",
    "both_checked",
    "outcome",
    "moved_out",
    "ended",
)


class Migration(migrations.Migration):
    dependencies = [
        ("prepregnancy", "0008_pregnancy_woman_and_community_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="targetcouple",
            name="last_contact",
            field=models.DateField(blank=True, null=True, verbose_name="last contact"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddField(
            model_name="targetcouple",
            name="state_rank",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    *[
                        models.When(state=state, then=models.Value(rank))
                        for rank, state in enumerate(STATES)
                    ],
                    default=models.Value(len(STATES)),
                ),
                output_field=models.PositiveSmallIntegerField(),
            ),
        ),
        migrations.AddField(
            model_name="targetcouple",
            name="worklist_date",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.comparison.Coalesce(
                    "last_contact", "entered_on"
                ),
                output_field=models.DateField(),
            ),
        ),
        migrations.AddIndex(
            model_name="targetcouple",
            index=models.Index(
                fields=["community", "state_rank", "-worklist_date", "id"],
                name="prepregnancy_couple_worklist",
            ),
        ),
    ]
