# One pregnancy record for the platform: the couple becomes optional and the pregnancy names
# the woman, her serving community (the new scope), where the report came from and, while it
# is open, the expected date of delivery. Existing rows are filled from their couple.
import datetime as dt
from typing import Any

import django.db.models.deletion
from django.db import migrations, models

# rules.GESTATION_DAYS, copied: a migration must not change when the rule does.
GESTATION_DAYS = 280


def fill_from_couples(apps: Any, schema_editor: Any) -> None:
    Pregnancy = apps.get_model("prepregnancy", "Pregnancy")
    for pregnancy in Pregnancy.objects.select_related("couple").iterator(chunk_size=500):
        pregnancy.woman_id = pregnancy.couple.wife_id
        pregnancy.community_id = pregnancy.couple.community_id
        if not pregnancy.closed:
            start = pregnancy.last_period or pregnancy.reported_on
            if isinstance(start, str):
                start = dt.date.fromisoformat(start)
            pregnancy.expected_on = start + dt.timedelta(days=GESTATION_DAYS)
        pregnancy.save(update_fields=["woman", "community", "expected_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("registry", "0001_initial"),
        ("prepregnancy", "0006_contact_outcome_of_text_messages"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pregnancy",
            name="couple",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pregnancies",
                to="prepregnancy.targetcouple",
            ),
        ),
        migrations.AlterField(
            model_name="followup",
            name="couple",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="followups",
                to="prepregnancy.targetcouple",
            ),
        ),
        migrations.AddField(
            model_name="pregnancy",
            name="woman",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.person",
                verbose_name="woman",
            ),
        ),
        migrations.AddField(
            model_name="pregnancy",
            name="community",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.orgunit",
                verbose_name="community",
            ),
        ),
        migrations.AddField(
            model_name="pregnancy",
            name="source",
            field=models.CharField(
                choices=[
                    ("couple", "Pre-pregnancy target couple"),
                    ("community", "Community report"),
                    ("clinic", "Clinic report"),
                ],
                default="couple",
                max_length=10,
                verbose_name="source",
            ),
        ),
        migrations.AddField(
            model_name="pregnancy",
            name="expected_on",
            field=models.DateField(blank=True, null=True, verbose_name="expected date of delivery"),
        ),
        migrations.RunPython(fill_from_couples, migrations.RunPython.noop),
    ]
