"""Reproductive data of a pregnancy becomes encrypted (step 1 of 3: new columns).

The plain columns are renamed ``*_plain``; encrypted columns take the old names, so the
encryption context of each is ``prepregnancy.Pregnancy.<name>`` from the start. Also: the
day a couple's file closed, and when each unit's worklist was last derived.
"""

import django.db.models.deletion
from django.db import migrations, models

import jisheng.core.fields
import jisheng.prepregnancy.fields


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("prepregnancy", "0002_seed_risk_factors"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="pregnancy", name="prepregnancy_one_open_pregnancy"),
        migrations.RenameField(
            model_name="pregnancy", old_name="outcome", new_name="outcome_plain"
        ),
        migrations.RenameField(
            model_name="pregnancy", old_name="last_period", new_name="last_period_plain"
        ),
        migrations.RenameField(
            model_name="pregnancy", old_name="outcome_date", new_name="outcome_date_plain"
        ),
        migrations.AddField(
            model_name="pregnancy",
            name="closed",
            field=models.BooleanField(default=False, verbose_name="closed"),
        ),
        migrations.AddField(
            model_name="pregnancy",
            name="outcome",
            field=jisheng.core.fields.EncryptedTextField(
                blank=True, null=True, verbose_name="outcome"
            ),
        ),
        migrations.AddField(
            model_name="pregnancy",
            name="last_period",
            field=jisheng.prepregnancy.fields.EncryptedDateField(
                blank=True, null=True, verbose_name="last menstrual period"
            ),
        ),
        migrations.AddField(
            model_name="pregnancy",
            name="outcome_date",
            field=jisheng.prepregnancy.fields.EncryptedDateField(
                blank=True, null=True, verbose_name="date of outcome"
            ),
        ),
        migrations.AddField(
            model_name="targetcouple",
            name="closed_on",
            field=models.DateField(blank=True, null=True, verbose_name="closed on"),
        ),
        migrations.CreateModel(
            name="WorklistRefresh",
            fields=[
                (
                    "unit",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="core.orgunit",
                    ),
                ),
                ("refreshed_at", models.DateTimeField(verbose_name="refreshed at")),
            ],
            options={"verbose_name": "worklist refresh"},
        ),
    ]
