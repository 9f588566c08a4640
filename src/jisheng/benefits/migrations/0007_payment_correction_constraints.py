"""The database holds the correction rule: a reversal does not free the period for an ordinary
build, and each reversed payment is paid again at most once.

Separate from 0006: PostgreSQL builds these indexes in a transaction of their own, after the
data migration's row updates.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0006_payment_corrections"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("corrects__isnull", True),
                    ("kind", "payment"),
                    ("status__in", ["pending", "paid", "reversed"]),
                ),
                fields=("program", "person", "period"),
                name="benefits_built_once_per_period",
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["pending", "paid", "reversed"])),
                fields=("corrects",),
                name="benefits_corrected_once",
            ),
        ),
    ]
