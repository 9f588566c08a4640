"""Payment batches: built once per period, locked when approved, settled, reversed, reconciled."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from jisheng.benefits.models import Entitlement, Payment, PaymentBatch
from jisheng.benefits.selectors import batch_totals
from jisheng.benefits.services import payments
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.roles import Role


def build(street, rural, period="2026"):
    return payments.batch_build(actor=Actor(user=street), program=rural, period_key=period)


def approve(batch, street, leader):
    payments.batch_review(actor=Actor(user=street), batch=batch)
    return payments.batch_approve(actor=Actor(user=leader), batch=batch)


def test_a_second_batch_for_the_same_period_pays_nobody_twice(beneficiaries, rural, street) -> None:
    batch = build(street, rural)
    assert batch.lines.count() == 3
    assert batch_totals(batch).total == Decimal("2880.00")
    with pytest.raises(Conflict):
        build(street, rural)
    assert Payment.objects.filter(program=rural, period="2026").count() == 3


def test_someone_enrolled_later_is_added_by_a_second_batch(
    beneficiaries, rural, street, make_family
) -> None:
    build(street, rural)
    late, _w, _k = make_family(hukou="rural", children=(("F", dt.date(1980, 1, 1)),))
    Entitlement.objects.create(
        program=rural, person=late, community=late.community, start_date=dt.date(2026, 5, 1)
    )
    second = build(street, rural)
    assert list(second.lines.values_list("person", flat=True)) == [late.pk]


def test_the_database_refuses_a_second_live_payment_for_a_period(
    beneficiaries, rural, street
) -> None:
    line = build(street, rural).lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            batch=line.batch,
            program=rural,
            period="2026",
            entitlement=line.entitlement,
            person=line.person,
            payee=line.payee,
            community=line.community,
            amount=Decimal(1),
        )


def test_an_approved_batch_is_locked(beneficiaries, rural, street, leader) -> None:
    batch = approve(build(street, rural), street, leader)
    with pytest.raises(Conflict):
        payments.batch_line_remove(
            actor=Actor(user=street), batch=batch, payment_id=batch.lines.first().pk
        )
    with pytest.raises(Conflict):
        payments.batch_discard(actor=Actor(user=street), batch=batch)
    with pytest.raises(Conflict):
        payments.batch_review(actor=Actor(user=street), batch=batch)
    assert batch.approved_total == Decimal("2880.00")


def test_whoever_built_a_batch_cannot_approve_it(beneficiaries, rural, street) -> None:
    batch = build(street, rural)
    payments.batch_review(actor=Actor(user=street), batch=batch)
    with pytest.raises(Forbidden):
        payments.batch_approve(actor=Actor(user=street), batch=batch)


def test_payments_are_settled_only_after_approval_and_failures_need_a_reason(
    beneficiaries, rural, street, leader
) -> None:
    batch = build(street, rural)
    with pytest.raises(Conflict):
        payments.payments_settle(actor=Actor(user=street), batch=batch, payment_ids=None, paid=True)
    approve(batch, street, leader)
    first = batch.lines.order_by("pk").first()
    with pytest.raises(JishengError):
        payments.payments_settle(
            actor=Actor(user=street), batch=batch, payment_ids=[first.pk], paid=False
        )
    payments.payments_settle(
        actor=Actor(user=street),
        batch=batch,
        payment_ids=[first.pk],
        paid=False,
        reason="账户已销户",
    )
    assert (
        payments.payments_settle(actor=Actor(user=street), batch=batch, payment_ids=None, paid=True)
        == 2
    )


def test_a_failed_line_is_retried_in_a_later_batch(beneficiaries, rural, street, leader) -> None:
    batch = approve(build(street, rural), street, leader)
    failed = batch.lines.order_by("pk").first()
    payments.payments_settle(
        actor=Actor(user=street),
        batch=batch,
        payment_ids=[failed.pk],
        paid=False,
        reason="账户错误",
    )
    payments.payments_settle(actor=Actor(user=street), batch=batch, payment_ids=None, paid=True)
    retry = build(street, rural)
    assert list(retry.lines.values_list("person", flat=True)) == [failed.person_id]


def test_a_reversal_cancels_a_payment_and_totals_reconcile_to_the_cent(
    beneficiaries, rural, street, leader
) -> None:
    batch = approve(build(street, rural), street, leader)
    payments.payments_settle(actor=Actor(user=street), batch=batch, payment_ids=None, paid=True)
    line = batch.lines.order_by("pk").first()
    reversal = payments.payment_reverse(actor=Actor(user=leader), payment=line, reason="重复发放")
    assert reversal.amount == -line.amount
    totals = batch_totals(batch)
    assert totals.net_paid == Decimal("1920.00")
    assert totals.paid + totals.reversed + reversal.amount == totals.net_paid
    with pytest.raises(Conflict):
        payments.payment_reverse(actor=Actor(user=leader), payment=line, reason="again")


def test_a_stopped_entitlement_is_paid_up_to_its_end(beneficiaries, rural, street) -> None:
    stopped = Entitlement.objects.get(person=beneficiaries[0])
    stopped.status, stopped.end_date = "stopped", dt.date(2025, 12, 31)
    stopped.save()
    assert beneficiaries[0].pk not in set(
        build(street, rural).lines.values_list("person", flat=True)
    )


def test_a_community_worker_cannot_build_batches(beneficiaries, rural, worker) -> None:
    with pytest.raises(Forbidden):
        build(worker, rural)


def test_a_bad_period_is_refused_clearly(beneficiaries, rural, street) -> None:
    for period in ("2026-03", "once", "26", "1999"):
        with pytest.raises(JishengError):
            build(street, rural, period)


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_requests_make_one_payment_each(
    org, make_user, beneficiaries, rural
) -> None:
    """On PostgreSQL the twenty run at once; SQLite serialises writers, so there they queue."""
    street = make_user(Role.STREET_STAFF)
    body = {"program": rural.code, "period": "2026"}
    results: list[tuple[int, int | None]] = []
    lock = threading.Lock()

    def call() -> None:
        client = Client()
        client.force_login(street)
        try:
            response = client.post(
                "/api/benefits/batches",
                body,
                content_type="application/json",
                headers={"Idempotency-Key": "k-2026"},
            )
            with lock:
                results.append((response.status_code, response.json().get("id")))
        finally:
            connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=call) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for _ in range(20):
            call()
    assert {status for status, _id in results} == {201}
    assert len({batch_id for _status, batch_id in results}) == 1
    assert PaymentBatch.objects.count() == 1
    assert Payment.objects.filter(program=rural, period="2026").count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_builds_without_a_key_still_pay_each_person_once(
    org, make_user, beneficiaries, rural
) -> None:
    street = make_user(Role.STREET_STAFF)
    outcomes: list[str] = []

    def run() -> None:
        try:
            build(street, rural)
            outcomes.append("built")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=run) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for _ in range(8):
            run()
    assert sorted(outcomes) == ["built"] + ["refused"] * 7
    assert Payment.objects.filter(program=rural, period="2026").count() == 3
