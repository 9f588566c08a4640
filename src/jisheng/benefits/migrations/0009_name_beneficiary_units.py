"""Name the beneficiary unit of every application, entitlement and payment line, and start no
entitlement before its beneficiary was born.

A couple program may already have enrolled both spouses (the fault this fixes): the second
entitlement of a couple is stopped with the reason, a second open application keeps a unit
name of its own (so approval refuses it with the reason), and past payment lines that paid a
couple twice keep theirs too: they are history, reversed by staff if need be.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import F
from django.utils import timezone

OPEN_STATES = ("submitted", "community_checked", "street_reviewed", "in_notice", "returned")
ENTITLEMENT_FIELDS = ["unit_key", "spouse", "status", "end_date", "stop_reason"]
STOP_REASON = "同一对夫妻（或同一户）已由 #%(kept)s 享受本项目，重复享受停止（数据迁移）"


def name_units(apps: Any, schema_editor: Any) -> None:
    from jisheng.benefits.units import unit_key

    Program = apps.get_model("benefits", "Program")
    Application = apps.get_model("benefits", "Application")
    Entitlement = apps.get_model("benefits", "Entitlement")
    Payment = apps.get_model("benefits", "Payment")
    Marriage = apps.get_model("registry", "Marriage")
    HouseholdMember = apps.get_model("registry", "HouseholdMember")

    units = dict(Program.objects.values_list("pk", "unit"))
    spouse_of: dict[int, int] = {}
    for husband, wife in Marriage.objects.filter(end_date__isnull=True).values_list(
        "husband_id", "wife_id"
    ):
        spouse_of[husband], spouse_of[wife] = wife, husband
    household_of = dict(
        HouseholdMember.objects.filter(end_date__isnull=True).values_list(
            "person_id", "household_id"
        )
    )

    def named(row: Any) -> str:
        unit = units[row.program_id]
        spouse = spouse_of.get(row.person_id) if unit == "couple" else None
        row.spouse_id = spouse
        return str(
            unit_key(
                unit,
                row.person_id,
                spouse_id=spouse,
                household_id=household_of.get(row.person_id),
            )
        )

    today = timezone.localdate()
    entitlement_keys: dict[int, str] = {}
    active: dict[tuple[int, str], int] = {}
    changed = []
    for entitlement in Entitlement.objects.order_by("pk").iterator(chunk_size=2000):
        key = named(entitlement)
        entitlement.unit_key = key
        entitlement_keys[entitlement.pk] = key
        if entitlement.status == "active":
            kept = active.setdefault((entitlement.program_id, key), entitlement.pk)
            if kept != entitlement.pk:
                entitlement.status = "stopped"
                entitlement.end_date = max(entitlement.start_date, today)
                entitlement.stop_reason = STOP_REASON % {"kept": kept}
        changed.append(entitlement)
        if len(changed) >= 2000:
            Entitlement.objects.bulk_update(changed, ENTITLEMENT_FIELDS)
            changed = []
    Entitlement.objects.bulk_update(changed, ENTITLEMENT_FIELDS)

    open_keys: set[tuple[int, str]] = set()
    changed = []
    for application in Application.objects.order_by("pk").iterator(chunk_size=2000):
        key = named(application)
        if application.state in OPEN_STATES:
            if (application.program_id, key) in open_keys:
                key = f"{key}~{application.pk}"
            open_keys.add((application.program_id, key))
        application.unit_key = key
        changed.append(application)
        if len(changed) >= 2000:
            Application.objects.bulk_update(changed, ["unit_key", "spouse"])
            changed = []
    Application.objects.bulk_update(changed, ["unit_key", "spouse"])

    paid: set[tuple[int, str, str]] = set()
    built: set[tuple[int, str, str]] = set()
    changed = []
    for payment in Payment.objects.order_by("pk").iterator(chunk_size=5000):
        key = entitlement_keys.get(payment.entitlement_id, f"person:{payment.person_id}")
        slot = (payment.program_id, key, payment.period)
        if payment.kind == "payment":
            takes_paid = payment.status in ("pending", "paid")
            takes_built = payment.corrects_id is None and payment.status != "failed"
            if (takes_paid and slot in paid) or (takes_built and slot in built):
                key = f"{key}~{payment.pk}"
            else:
                if takes_paid:
                    paid.add(slot)
                if takes_built:
                    built.add(slot)
        payment.unit_key = key
        changed.append(payment)
        if len(changed) >= 5000:
            Payment.objects.bulk_update(changed, ["unit_key"])
            changed = []
    Payment.objects.bulk_update(changed, ["unit_key"])

    # An entitlement shown as starting before its beneficiary was born starts at the birth.
    early = list(
        Entitlement.objects.filter(start_date__lt=F("person__birth_date")).select_related("person")
    )
    for entitlement in early:
        entitlement.start_date = entitlement.person.birth_date
        if entitlement.end_date is not None and entitlement.end_date < entitlement.start_date:
            entitlement.end_date = entitlement.start_date
    Entitlement.objects.bulk_update(early, ["start_date", "end_date"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0008_beneficiary_unit"),
        ("registry", "0005_personimport_runner"),
    ]

    operations = [migrations.RunPython(name_units, migrations.RunPython.noop)]
