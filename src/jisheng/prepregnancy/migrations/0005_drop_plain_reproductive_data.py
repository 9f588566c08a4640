"""Step 3 of 3: drop the plain columns; one open pregnancy per couple, by the plain flag."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("prepregnancy", "0004_copy_into_encrypted"),
    ]

    operations = [
        migrations.RemoveField(model_name="pregnancy", name="outcome_plain"),
        migrations.RemoveField(model_name="pregnancy", name="last_period_plain"),
        migrations.RemoveField(model_name="pregnancy", name="outcome_date_plain"),
        migrations.AddConstraint(
            model_name="pregnancy",
            constraint=models.UniqueConstraint(
                condition=models.Q(("closed", False)),
                fields=("couple",),
                name="prepregnancy_one_open_pregnancy",
            ),
        ),
    ]
