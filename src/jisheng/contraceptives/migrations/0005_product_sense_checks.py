"""Products say for whom they are meant (sex, minimum age); the products in use get the
values of their category."""

from typing import Any

from django.db import migrations, models

# The sense checks of the products in use, by category (a frozen copy of
# ``catalogue.SENSE_CHECKS`` as it was when this migration was written).
SENSE_CHECKS = {
    "oral": ("F", 18),
    "external": ("F", 18),
    "emergency": ("F", 16),
    "iud": ("F", 18),
    "implant": ("F", 18),
    "condom": ("", None),
}


def fill_sense_checks(apps: Any, schema_editor: Any) -> None:
    Product = apps.get_model("contraceptives", "Product")
    for category, (for_sex, min_age) in SENSE_CHECKS.items():
        Product.objects.filter(category=category).update(for_sex=for_sex, min_age=min_age)


class Migration(migrations.Migration):
    dependencies = [
        ("contraceptives", "0004_idempotency_in_core"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="for_sex",
            field=models.CharField(
                blank=True,
                choices=[("M", "Male"), ("F", "Female")],
                help_text="Empty: for anyone.",
                max_length=1,
                verbose_name="meant for",
            ),
        ),
        migrations.AddField(
            model_name="product",
            name="min_age",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Empty: no minimum age.",
                null=True,
                verbose_name="minimum age",
            ),
        ),
        migrations.RunPython(fill_sense_checks, migrations.RunPython.noop),
    ]
