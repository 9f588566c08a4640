# The woman and her community are known for every pregnancy now (0007 filled them in).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_clean_stored_text"),
        ("prepregnancy", "0007_pregnancy_of_any_woman"),
        ("registry", "0007_person_initials_derived_and_filled"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="followup",
            name="kind",
            field=models.CharField(
                choices=[
                    ("early", "Early pregnancy"),
                    ("middle", "Middle pregnancy"),
                    ("outcome", "Pregnancy outcome"),
                ],
                max_length=8,
                verbose_name="follow-up",
            ),
        ),
        migrations.AlterField(
            model_name="pregnancy",
            name="community",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.orgunit",
                verbose_name="community",
            ),
        ),
        migrations.AlterField(
            model_name="pregnancy",
            name="woman",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.person",
                verbose_name="woman",
            ),
        ),
        migrations.AddIndex(
            model_name="pregnancy",
            index=models.Index(fields=["closed", "expected_on"], name="prepregnancy_pregnancy_due"),
        ),
        migrations.AddConstraint(
            model_name="pregnancy",
            constraint=models.UniqueConstraint(
                condition=models.Q(("closed", False)),
                fields=("woman",),
                name="prepregnancy_one_open_pregnancy_per_woman",
            ),
        ),
    ]
