"""Payment corrections: a reversed payment is paid again only by a correction line.

Before this, an ordinary build paid a reversed person again; such later lines are linked here
to the reversed line they re-paid, so that the new constraints hold for existing data.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def link_earlier_repayments(apps: Any, schema_editor: Any) -> None:
    """Each ordinary line after a reversed one of the same program, person and period
    becomes the correction of that reversed line."""
    payment_model = apps.get_model("benefits", "Payment")
    lines = (
        payment_model.objects.filter(kind="payment", status__in=["pending", "paid", "reversed"])
        .order_by("program_id", "person_id", "period", "pk")
        .values_list("pk", "program_id", "person_id", "period")
    )
    previous: tuple[int, int, int, str] | None = None
    for pk, program_id, person_id, period in lines.iterator():
        if previous is not None and previous[1:] == (program_id, person_id, period):
            payment_model.objects.filter(pk=pk).update(corrects_id=previous[0])
        previous = (pk, program_id, person_id, period)


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0005_batch_build_progress"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="corrects",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="corrections",
                to="benefits.payment",
            ),
        ),
        migrations.AddField(
            model_name="paymentbatch",
            name="correction_reason",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="reason for the correction"
            ),
        ),
        migrations.RunPython(link_earlier_repayments, migrations.RunPython.noop),
    ]
