"""A reversed payment is paid again only as a correction: approved like a batch, marked, once."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation
from openpyxl import load_workbook

from jisheng.accounts.org_units import org_unit_create
from jisheng.benefits.models import Payment, PaymentBatch
from jisheng.benefits.selectors import BatchRow, batch_rows, batch_totals, program_year_totals
from jisheng.benefits.services import payments
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.roles import Role


@pytest.fixture
def paid_batch(beneficiaries, rural, street, leader) -> PaymentBatch:
    """An approved 2026 batch of three people, all paid."""
    batch = payments.batch_build(actor=Actor(user=street), program=rural, period_key="2026")
    payments.batch_review(actor=Actor(user=street), batch=batch)
    payments.batch_approve(actor=Actor(user=leader), batch=batch)
    payments.payments_settle(actor=Actor(user=street), batch=batch, payment_ids=None, paid=True)
    return batch


@pytest.fixture
def reversed_line(paid_batch, leader) -> Payment:
    line = paid_batch.lines.order_by("pk").first()
    payments.payment_reverse(actor=Actor(user=leader), payment=line, reason="账户错误")
    line.refresh_from_db()
    return line


def correct(street, line, reason="账户已更正，重新发放"):
    return payments.batch_correction_build(actor=Actor(user=street), payment=line, reason=reason)


def test_an_ordinary_rebuild_after_a_reversal_pays_nobody_again(
    reversed_line, rural, street
) -> None:
    with pytest.raises(Conflict) as refused:
        payments.batch_build(actor=Actor(user=street), program=rural, period_key="2026")
    assert "只能在其批次页面以更正方式重新发放" in str(refused.value.message)
    assert Payment.objects.filter(person=reversed_line.person, kind="payment").count() == 1


def test_the_database_refuses_an_ordinary_line_for_a_reversed_period(reversed_line) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            batch=reversed_line.batch,
            program=reversed_line.program,
            period="2026",
            entitlement=reversed_line.entitlement,
            person=reversed_line.person,
            payee=reversed_line.payee,
            community=reversed_line.community,
            amount=Decimal(1),
        )


def test_a_correction_pays_once_and_only_after_approval(reversed_line, street, leader) -> None:
    batch = correct(street, reversed_line)
    assert batch.is_correction
    assert batch.correction_reason == "账户已更正，重新发放"
    (line,) = batch.lines.all()
    assert line.corrects_id == reversed_line.pk
    assert (line.person_id, line.period, line.amount) == (
        reversed_line.person_id,
        "2026",
        reversed_line.amount,
    )
    # Nothing is paid before approval, and the builder cannot approve it.
    with pytest.raises(Conflict):
        payments.payments_settle(actor=Actor(user=street), batch=batch, payment_ids=None, paid=True)
    payments.batch_review(actor=Actor(user=street), batch=batch)
    with pytest.raises(Forbidden):
        payments.batch_approve(actor=Actor(user=street), batch=batch)
    payments.batch_approve(actor=Actor(user=leader), batch=batch)
    assert (
        payments.payments_settle(actor=Actor(user=street), batch=batch, payment_ids=None, paid=True)
        == 1
    )
    totals = batch_totals(batch)
    assert (totals.corrections, totals.corrected, totals.net_paid) == (
        1,
        reversed_line.amount,
        reversed_line.amount,
    )
    # A second correction of the same reversed payment is refused, by the service and the database.
    with pytest.raises(Conflict):
        correct(street, reversed_line)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            batch=batch,
            program=line.program,
            period="2026",
            entitlement=line.entitlement,
            person=line.person,
            payee=line.payee,
            community=line.community,
            amount=Decimal(1),
            status="reversed",
            corrects=reversed_line,
        )


def test_totals_count_the_person_once_per_period(
    paid_batch, reversed_line, street, leader, rural
) -> None:
    def year() -> dict:
        (row,) = program_year_totals(street, year=2026)
        return row

    assert (year()["persons"], year()["amount"]) == (2, Decimal("1920.00"))
    batch = correct(street, reversed_line)
    payments.batch_review(actor=Actor(user=street), batch=batch)
    payments.batch_approve(actor=Actor(user=leader), batch=batch)
    payments.payments_settle(actor=Actor(user=street), batch=batch, payment_ids=None, paid=True)
    # paid 3 − reversed 1 + corrected 1: three persons, three payments' worth.
    assert (year()["persons"], year()["amount"], year()["corrected"]) == (
        3,
        Decimal("2880.00"),
        Decimal("960.00"),
    )
    assert batch_totals(paid_batch).net_paid + batch_totals(batch).net_paid == Decimal("2880.00")


def test_only_a_reversed_payment_is_corrected_and_a_reason_is_needed(
    paid_batch, reversed_line, street, worker
) -> None:
    with pytest.raises(Conflict):
        correct(street, paid_batch.lines.exclude(pk=reversed_line.pk).filter(kind="payment")[0])
    with pytest.raises(JishengError):
        correct(street, reversed_line, reason="  ")
    with pytest.raises(Forbidden):
        correct(worker, reversed_line)
    assert not PaymentBatch.objects.exclude(pk=paid_batch.pk).exists()


def test_a_failed_correction_can_be_tried_again(reversed_line, street, leader) -> None:
    batch = correct(street, reversed_line)
    payments.batch_review(actor=Actor(user=street), batch=batch)
    payments.batch_approve(actor=Actor(user=leader), batch=batch)
    payments.payments_settle(
        actor=Actor(user=street), batch=batch, payment_ids=None, paid=False, reason="账户冻结"
    )
    again = correct(street, reversed_line)
    assert again.lines.get().corrects_id == reversed_line.pk


def test_the_batch_page_and_the_file_say_it_is_a_correction(
    reversed_line, street, leader, client_for
) -> None:
    client = client_for(street)
    original = client.get(f"/benefits/batches/{reversed_line.batch_id}/").content.decode()
    assert f"/benefits/payments/{reversed_line.pk}/correct/" in original
    form = client.get(f"/benefits/payments/{reversed_line.pk}/correct/")
    assert form.status_code == 200
    assert (
        client.post(f"/benefits/payments/{reversed_line.pk}/correct/", {"reason": ""}).status_code
        == 400
    )
    response = client.post(
        f"/benefits/payments/{reversed_line.pk}/correct/", {"reason": "账户已更正"}
    )
    batch = PaymentBatch.objects.get(correction_reason="账户已更正")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{batch.pk}/")
    page = client.get(f"/benefits/batches/{batch.pk}/").content.decode()
    assert 'data-testid="batch-correction"' in page
    assert "账户已更正" in page
    assert f'data-corrects="{reversed_line.pk}"' in page
    # The original batch no longer offers a second correction.
    original = client.get(f"/benefits/batches/{reversed_line.batch_id}/").content.decode()
    assert f"/benefits/payments/{reversed_line.pk}/correct/" not in original
    payments.batch_review(actor=Actor(user=street), batch=batch)
    payments.batch_approve(actor=Actor(user=leader), batch=batch)
    xlsx = client.get(
        f"/benefits/batches/{batch.pk}/export/", {"format": "xlsx", "columns": ["seq", "amount"]}
    )
    assert xlsx.status_code == 200
    # Named in Chinese (更正发放名单-…), percent-encoded in the header.
    assert quote("更正发放名单-") in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 3
    assert f"#{reversed_line.pk}" in rows[1][2]
    assert "账户已更正" in rows[1][2]
    csv = client.get(
        f"/benefits/batches/{batch.pk}/export/", {"format": "csv", "columns": ["seq", "amount"]}
    )
    assert f"#{reversed_line.pk}" in b"".join(csv.streaming_content).decode()


def test_the_api_builds_a_correction_marked_as_such(reversed_line, street, client_for) -> None:
    api = client_for(street)
    url = f"/api/benefits/payments/{reversed_line.pk}/correction"
    created = api.post(url, {"reason": "重发"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert (body["is_correction"], body["correction_reason"], body["corrections"]) == (
        True,
        "重发",
        1,
    )
    lines = api.get(f"/api/benefits/batches/{body['id']}/payments").json()["items"]
    assert [line["corrects_id"] for line in lines] == [reversed_line.pk]
    again = api.post(url, {"reason": "重发"}, content_type="application/json")
    assert again.status_code == 409


def test_the_batch_list_marks_a_correction_with_no_total_until_approved(
    reversed_line, paid_batch, street, client_for
) -> None:
    correction = correct(street, reversed_line)
    page = client_for(street).get("/benefits/batches/").content.decode()

    def row(batch: PaymentBatch) -> str:
        return page.split(f'href="/benefits/batches/{batch.pk}/"')[1].split("</tr>")[0]

    assert '<span class="badge badge-warn">更正</span>' in row(correction)
    assert '<td class="num">—</td>' in row(correction)  # a draft has no approved total
    total = PaymentBatch.objects.get(pk=paid_batch.pk).approved_total
    assert total
    assert f'<td class="num">{total}</td>' in row(paid_batch)
    assert "badge" not in row(paid_batch)


def _imported(rural, unit, street) -> PaymentBatch:
    """An imported one-off batch, made as it is stored (the import itself is tested apart)."""
    return PaymentBatch.objects.create(
        program=rural,
        org_unit=unit,
        period="once",
        period_start=dt.date(2010, 1, 1),
        period_end=dt.date(2010, 12, 31),
        state=PaymentBatch.State.APPROVED,
        approved_total=Decimal("0.00"),
        built_by=street,
        imported_history=True,
    )


def test_batch_rows_show_what_the_model_shows_in_either_language(
    org, reversed_line, paid_batch, rural, street
) -> None:
    """A row read as values says what the batch's own properties and display methods say:
    a correction (a draft, no total), an approved batch with its total, an imported one-off
    batch (its period named, a zero total)."""
    batches = [correct(street, reversed_line), paid_batch, _imported(rural, org.street, street)]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for batch in PaymentBatch.objects.filter(pk__in=[b.pk for b in batches]).select_related(
                "program", "org_unit"
            ):
                (row,) = batch_rows(user=street, ids=[batch.pk])
                assert row == BatchRow(
                    pk=batch.pk,
                    program_name=str(batch.program),
                    period_label=batch.period_label,
                    is_correction=batch.is_correction,
                    imported_history=batch.imported_history,
                    org_unit_name=str(batch.org_unit),
                    state_label=batch.get_state_display(),
                    built_at=batch.built_at,
                    approved_total=batch.approved_total,
                )
    with translation.override("en"):
        (imported,) = batch_rows(user=street, ids=[batches[2].pk])
    assert (imported.period_label, imported.state_label) == ("Once", "Approved")


def test_batch_rows_give_nothing_outside_the_users_scope(
    org, paid_batch, rural, street, make_user
) -> None:
    """The row reader is a read like any other: another street's ids give no row."""
    other_street = org_unit_create(
        actor=None, name="榴园街道", kind="street", code="370404099", parent=org.district
    )
    theirs = _imported(rural, other_street, street)
    found = batch_rows(user=street, ids=[theirs.pk, paid_batch.pk])
    assert [row.pk for row in found] == [paid_batch.pk]
    assert batch_rows(user=street, ids=[theirs.pk]) == []
    other_staff = make_user(Role.STREET_STAFF, unit=other_street)
    found = batch_rows(user=other_staff, ids=[theirs.pk, paid_batch.pk])
    assert [row.pk for row in found] == [theirs.pk]
