"""Benefit payments and hardship visits reach the funds ledger once, where the money moves:
a paid line when it is settled, its reversal as negative entries, a correction anew."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from jisheng.benefits.care.services import visit_record
from jisheng.benefits.models import Payment, PaymentBatch
from jisheng.benefits.services import payments
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict
from jisheng.funds.models import Entry


def _total(**filters: object) -> Decimal:
    return Entry.objects.filter(**filters).aggregate(total=Sum("amount"))["total"] or Decimal(0)


@pytest.fixture
def approved(beneficiaries, rural, street, leader) -> PaymentBatch:
    batch = payments.batch_build(actor=Actor(user=street), program=rural, period_key="2026")
    payments.batch_review(actor=Actor(user=street), batch=batch)
    payments.batch_approve(actor=Actor(user=leader), batch=batch)
    return batch


def test_a_paid_line_lands_once_split_by_the_programs_funding_shares(approved, street) -> None:
    payments.payments_settle(actor=Actor(user=street), batch=approved, payment_ids=None, paid=True)
    lines = list(approved.lines.all())
    assert len(lines) == 3
    entries = Entry.objects.filter(source="benefits.payment")
    # rural reward support: central 80 %, province 10 %, district 10 %
    assert entries.count() == 3 * 3
    line = lines[0]
    assert {e.level: e.amount for e in entries.filter(source_id=line.pk)} == {
        "central": line.amount * Decimal("0.8"),
        "province": line.amount * Decimal("0.1"),
        "district": line.amount * Decimal("0.1"),
    }
    assert _total(source="benefits.payment") == sum(ln.amount for ln in lines)
    entry = entries.first()
    assert entry.category.code == "benefits"
    assert entry.org_unit_id == line.community_id
    assert entry.record_view == "benefits:batch_detail"
    assert entry.record_id == approved.pk


def test_settling_again_does_not_pay_twice_into_the_ledger(approved, street) -> None:
    actor = Actor(user=street)
    payments.payments_settle(actor=actor, batch=approved, payment_ids=None, paid=True)
    ids = list(approved.lines.values_list("pk", flat=True))
    # A second "settle all" finds nothing pending; settling named lines again is refused.
    assert payments.payments_settle(actor=actor, batch=approved, payment_ids=None, paid=True) == 0
    with pytest.raises(Conflict):
        payments.payments_settle(actor=actor, batch=approved, payment_ids=ids, paid=True)
    assert Entry.objects.filter(source="benefits.payment").count() == 9


def test_lines_settled_one_by_one_each_land_once(approved, street) -> None:
    actor = Actor(user=street)
    first, *_rest = approved.lines.order_by("pk").values_list("pk", flat=True)
    payments.payments_settle(actor=actor, batch=approved, payment_ids=[first], paid=True)
    payments.payments_settle(actor=actor, batch=approved, payment_ids=None, paid=True)
    assert Entry.objects.filter(source="benefits.payment", source_id=first).count() == 3
    assert Entry.objects.filter(source="benefits.payment").count() == 9


def test_a_failed_line_spends_nothing(approved, street) -> None:
    payments.payments_settle(
        actor=Actor(user=street), batch=approved, payment_ids=None, paid=False, reason="账户冻结"
    )
    assert not Entry.objects.filter(source="benefits.payment").exists()


def test_a_reversal_nets_to_zero_and_a_correction_pays_anew(approved, street, leader) -> None:
    payments.payments_settle(actor=Actor(user=street), batch=approved, payment_ids=None, paid=True)
    line = approved.lines.order_by("pk").first()
    payments.payment_reverse(actor=Actor(user=leader), payment=line, reason="账户错误")
    assert _total(source="benefits.payment", source_id=line.pk) == Decimal("0.00")
    assert Entry.objects.filter(source_id=line.pk, reverses=True).count() == 3

    correction = payments.batch_correction_build(
        actor=Actor(user=street), payment=line, reason="账户已更正"
    )
    payments.batch_review(actor=Actor(user=street), batch=correction)
    payments.batch_approve(actor=Actor(user=leader), batch=correction)
    payments.payments_settle(
        actor=Actor(user=street), batch=correction, payment_ids=None, paid=True
    )
    again = Payment.objects.get(corrects=line)
    assert _total(source="benefits.payment", source_id=again.pk) == again.amount
    paid = Payment.objects.filter(kind="payment", status="paid").aggregate(t=Sum("amount"))["t"]
    assert _total(source="benefits.payment") == paid


def test_a_visits_cost_is_spending_of_its_program(program, make_person, worker) -> None:
    person = make_person(name="困难户")
    visit = visit_record(
        actor=Actor(user=worker),
        program=program("hardship-visits"),
        person=person,
        date=dt.date(2026, 1, 20),
        visitors="王主任",
        given="米面油",
        cost="300.00",
    )
    entry = Entry.objects.get(source="benefits.visit", source_id=visit.pk)
    assert entry.amount == Decimal("300.00")
    assert entry.level == "street"  # the program's funding shares: street 100 %
    assert entry.category.code == "benefits"
    assert entry.year == 2026
    free = visit_record(
        actor=Actor(user=worker),
        program=program("hardship-visits"),
        person=person,
        date=dt.date(2026, 1, 21),
        visitors="王主任",
    )
    assert not Entry.objects.filter(source="benefits.visit", source_id=free.pk).exists()
