"""One open application, one active entitlement and one payment per period for each
beneficiary unit (a couple whichever spouse applied); a notice never ends before it starts."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("benefits", "0009_name_beneficiary_units")]

    operations = [
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    (
                        "state__in",
                        (
                            "submitted",
                            "community_checked",
                            "street_reviewed",
                            "in_notice",
                            "returned",
                        ),
                    ),
                    models.Q(("unit_key", ""), _negated=True),
                ),
                fields=("program", "unit_key"),
                name="benefits_one_open_application_per_unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="entitlement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "active"), models.Q(("unit_key", ""), _negated=True)),
                fields=("program", "unit_key"),
                name="benefits_one_active_entitlement_per_unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("kind", "payment"),
                    ("status__in", ["pending", "paid"]),
                    models.Q(("unit_key", ""), _negated=True),
                ),
                fields=("program", "unit_key", "period"),
                name="benefits_unit_paid_once_per_period",
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("corrects__isnull", True),
                    ("kind", "payment"),
                    ("status__in", ["pending", "paid", "reversed"]),
                    models.Q(("unit_key", ""), _negated=True),
                ),
                fields=("program", "unit_key", "period"),
                name="benefits_unit_built_once_per_period",
            ),
        ),
        migrations.AddConstraint(
            model_name="publicnotice",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                name="benefits_notice_ends_after_start",
            ),
        ),
    ]
