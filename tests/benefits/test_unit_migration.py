"""The migration that names beneficiary units: a couple enrolled twice keeps one active
entitlement (the other is stopped with the reason), a past period paid to both spouses stays
history, and an entitlement starting before its beneficiary's birth starts at the birth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jisheng.benefits.models import Entitlement, Payment

APP = "benefits"
BEFORE = [(APP, "0007_payment_correction_constraints")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection)


@pytest.fixture
def before_units(transactional_db: None) -> Iterator[MigrationExecutor]:
    executor = migrate(BEFORE)
    try:
        yield executor
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes(APP))


def test_a_couple_enrolled_twice_keeps_one_entitlement(before_units, make_family, street) -> None:
    old = before_units.loader.project_state(BEFORE).apps
    program_model = old.get_model(APP, "Program")
    entitlement_model = old.get_model(APP, "Entitlement")
    batch_model = old.get_model(APP, "PaymentBatch")
    payment_model = old.get_model(APP, "Payment")
    husband, wife, (child,) = make_family(children=(("F", dt.date(2015, 3, 1)),))
    program, _new = program_model.objects.get_or_create(
        code="only-child-parents",
        defaults={
            "name": "独生子女父母奖励",
            "category": "reward",
            "policy_document": "-",
            "unit": "couple",
            "benefit_kind": "cash",
            "amount": Decimal("120.00"),
        },
    )
    subsidy = program_model.objects.create(
        code="child-test",
        name="child",
        category="support",
        policy_document="-",
        unit="child",
        benefit_kind="cash",
        amount=Decimal("100.00"),
    )
    both = [
        entitlement_model.objects.create(
            program=program,
            person_id=p.pk,
            community_id=p.community_id,
            start_date=dt.date(2020, 1, 1),
        )
        for p in (husband, wife)
    ]
    early = entitlement_model.objects.create(
        program=subsidy,
        person_id=child.pk,
        community_id=child.community_id,
        start_date=dt.date(2010, 1, 1),
    )
    batch = batch_model.objects.create(
        program=program,
        org_unit_id=husband.community.parent_id,
        period="2025",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        built_by_id=street.pk,
    )
    for entitlement in both:
        payment_model.objects.create(
            batch=batch,
            program=program,
            period="2025",
            entitlement=entitlement,
            person_id=entitlement.person_id,
            payee_id=entitlement.person_id,
            community_id=entitlement.community_id,
            amount=Decimal("120.00"),
            status="paid",
        )

    migrate(before_units.loader.graph.leaf_nodes(APP))

    kept, stopped = Entitlement.objects.filter(pk__in=[e.pk for e in both]).order_by("pk")
    couple = f"couple:{min(husband.pk, wife.pk)}-{max(husband.pk, wife.pk)}"
    assert (kept.status, kept.unit_key) == ("active", couple)
    assert (stopped.status, stopped.unit_key) == ("stopped", couple)
    assert f"#{kept.pk}" in stopped.stop_reason
    keys = sorted(Payment.objects.filter(batch_id=batch.pk).values_list("unit_key", flat=True))
    assert keys[0] == couple
    assert keys[1].startswith(couple + "~")
    moved = Entitlement.objects.get(pk=early.pk)
    assert (moved.start_date, moved.unit_key) == (child.birth_date, f"child:{child.pk}")
