"""Step 2 of 3: copy each pregnancy's plain values into the encrypted columns, and date
the files that are already closed (from the registry event that closed them)."""

import datetime as dt
from typing import Any

from django.db import migrations
from django.utils import timezone

CLOSED = ("moved_out", "ended")


def _latest_event(life_event: Any, kind: str, person_id: int) -> dt.date | None:
    day: dt.date | None = (
        life_event.objects.filter(kind=kind, person_id=person_id, reversed_by__isnull=True)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    return day


def _closed_on(apps: Any, couple: Any) -> dt.date:
    """The best date known: the move-out, divorce or death, else the file's last update."""
    life_event = apps.get_model("registry", "LifeEvent")
    person = apps.get_model("registry", "Person")
    marriage = apps.get_model("registry", "Marriage")
    statuses = dict(
        person.objects.filter(pk__in=[couple.husband_id, couple.wife_id]).values_list(
            "pk", "status"
        )
    )
    dates: list[dt.date | None] = []
    if couple.state == "moved_out":
        dates = [
            _latest_event(life_event, "move_out", pk)
            for pk, status in statuses.items()
            if status == "moved_out"
        ]
    else:
        if couple.marriage_id is not None:
            dates.append(
                marriage.objects.filter(pk=couple.marriage_id)
                .values_list("end_date", flat=True)
                .first()
            )
        dates += [
            _latest_event(life_event, "death", pk)
            for pk, status in statuses.items()
            if status == "deceased"
        ]
    known = [day for day in dates if day is not None]
    return min(known) if known else timezone.localdate(couple.updated_at)


def forward(apps: Any, schema_editor: Any) -> None:
    pregnancy = apps.get_model("prepregnancy", "Pregnancy")
    for row in pregnancy.objects.order_by("pk").iterator(chunk_size=500):
        row.closed = bool(row.outcome_plain)
        row.outcome = row.outcome_plain or None
        row.last_period = row.last_period_plain
        row.outcome_date = row.outcome_date_plain
        row.save(update_fields=["closed", "outcome", "last_period", "outcome_date"])
    couple = apps.get_model("prepregnancy", "TargetCouple")
    for row in couple.objects.filter(state__in=CLOSED, closed_on__isnull=True).order_by("pk"):
        # update(): keep updated_at as it was (save() would touch it).
        couple.objects.filter(pk=row.pk).update(closed_on=_closed_on(apps, row))


def backward(apps: Any, schema_editor: Any) -> None:
    pregnancy = apps.get_model("prepregnancy", "Pregnancy")
    for row in pregnancy.objects.order_by("pk").iterator(chunk_size=500):
        row.outcome_plain = row.outcome or ""
        row.last_period_plain = row.last_period
        row.outcome_date_plain = row.outcome_date
        row.save(update_fields=["outcome_plain", "last_period_plain", "outcome_date_plain"])


class Migration(migrations.Migration):
    dependencies = [
        ("prepregnancy", "0003_encrypt_reproductive_data"),
        ("registry", "0004_name_prefix_collation"),
    ]

    operations = [migrations.RunPython(forward, backward)]
