"""The units handed out per point, product and month, net of reversed issues, kept with the
ledger (``IssueMonth``) so the issues report reads a few rows per point instead of every
move of the area; filled from the moves."""

import datetime as dt
from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Sum
from django.db.models.functions import ExtractMonth, ExtractYear

ISSUE_KINDS = ["anonymous_issue", "issue"]


def fill(apps: Any, schema_editor: Any) -> None:
    move = apps.get_model("contraceptives", "StockMove")
    issue_month = apps.get_model("contraceptives", "IssueMonth")
    grouped = (
        move.objects.filter(kind__in=ISSUE_KINDS, reversed_by__isnull=True)
        .values_list(
            "point_id", "lot__product_id", ExtractYear("occurred_on"), ExtractMonth("occurred_on")
        )
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    issue_month.objects.bulk_create(
        [
            issue_month(
                point_id=point,
                product_id=product,
                month=dt.date(int(year), int(month), 1),
                quantity=-int(units),
            )
            for point, product, year, month, units in grouped
            if units
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("contraceptives", "0009_roster_entry_person_name")]

    operations = [
        migrations.CreateModel(
            name="IssueMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("quantity", models.IntegerField(default=0)),
                (
                    "point",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contraceptives.distributionpoint",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contraceptives.product",
                    ),
                ),
            ],
            options={
                "verbose_name": "units handed out in a month",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("point", "month", "product"),
                        name="contraceptives_issue_month_key",
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
