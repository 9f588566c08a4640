"""A couple program pays the couple once: found once, applied for once, enrolled once, paid
once per period to the payee it names, and counted once in the totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from jisheng.benefits.models import Application, Entitlement, Payment
from jisheng.benefits.selectors import eligible_persons, program_year_totals
from jisheng.benefits.services.applications import application_create, applications_create_for
from jisheng.benefits.services.payments import batch_build
from jisheng.benefits.services.snapshots import snapshot_refresh, snapshot_take
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_child(program):
    return program("only-child-parents")


@pytest.fixture
def couple(make_family):
    husband, wife, _kids = make_family(
        husband_birth=dt.date(1985, 1, 1),
        wife_birth=dt.date(1987, 1, 1),
        children=(("F", dt.date(2015, 3, 1)),),
    )
    return husband, wife


def test_find_eligible_lists_a_couple_once_with_both_names(only_child, couple, worker) -> None:
    husband, wife = couple
    found = list(eligible_persons(user=worker, program=only_child, as_of=dt.date(2026, 6, 1)))
    assert [(p.pk, p.spouse_name) for p in found] == [(husband.pk, wife.name)]


def test_the_find_eligible_page_names_the_spouse_then_nobody_once_they_applied(
    only_child, couple, worker, client_for
) -> None:
    husband, wife = couple
    as_of = dt.date(2026, 6, 1)
    queued = snapshot_refresh(actor=Actor(user=worker), program=only_child, as_of=as_of)
    assert snapshot_take(snapshot_id=queued.pk) is not None
    client = client_for(worker)
    url = reverse("benefits:find_eligible", args=[only_child.code])
    page = client.get(url, {"as_of": as_of}).content.decode()
    link = f'<a href="{reverse("benefits:person_benefits", args=[husband.pk])}">{husband.name}</a>'
    assert f'{link} <span class="muted" data-testid="spouse">及配偶 {wife.name}</span>' in page
    application_create(actor=Actor(user=worker), program=only_child, person=husband)
    page = client.get(url, {"as_of": as_of}).content.decode()
    assert '<td colspan="6" class="empty">没有新的符合条件人员。</td>' in page


def test_the_other_spouse_cannot_apply_and_is_told_why(only_child, couple, worker) -> None:
    husband, wife = couple
    first = application_create(actor=Actor(user=worker), program=only_child, person=husband)
    assert (first.spouse, first.unit_key) == (wife, f"couple:{husband.pk}-{wife.pk}")
    with pytest.raises(Conflict) as refused:
        application_create(actor=Actor(user=worker), program=only_child, person=wife)
    assert refused.value.code == "unit_applying"
    assert husband.name in str(refused.value.message)
    assert not eligible_persons(user=worker, program=only_child, as_of=dt.date(2026, 6, 1))


def test_choosing_both_spouses_on_find_eligible_takes_one_application(
    only_child, couple, worker
) -> None:
    result = applications_create_for(
        actor=Actor(user=worker), program=only_child, persons=list(couple)
    )
    assert len(result.created) == 1
    assert [person for person, _reason in result.refused] == [couple[1]]
    assert Application.objects.count() == 1


def test_an_enrolled_couple_cannot_apply_again_through_the_other_spouse(
    only_child, couple, worker, enroll
) -> None:
    husband, wife = couple
    enroll(only_child, husband)
    with pytest.raises(Conflict) as refused:
        application_create(actor=Actor(user=worker), program=only_child, person=wife)
    assert refused.value.code == "unit_enrolled"


def test_the_payee_is_one_of_the_spouses(only_child, couple, worker, make_person) -> None:
    husband, _wife = couple
    with pytest.raises(JishengError) as refused:
        application_create(
            actor=Actor(user=worker), program=only_child, person=husband, payee=make_person()
        )
    assert refused.value.code == "payee_not_spouse"


def test_a_batch_pays_the_couple_once_to_the_named_payee(
    only_child, couple, worker, street, enroll
) -> None:
    husband, wife = couple
    enroll(only_child, husband)
    # The couple named the wife as payee (the application form's payee, kept on enrolment).
    Entitlement.objects.filter(person=husband).update(payee=wife)
    batch = batch_build(actor=Actor(user=street), program=only_child, period_key="2026")
    assert list(batch.lines.values_list("person_id", "payee_id", "amount")) == [
        (husband.pk, wife.pk, Decimal("120.00"))
    ]
    Payment.objects.filter(batch=batch).update(status="paid")
    (row,) = program_year_totals(street, year=2026)
    assert (row["persons"], row["amount"]) == (1, Decimal("120.00"))


def test_the_database_holds_one_enrolment_and_one_payment_per_couple(
    only_child, couple, enroll, street
) -> None:
    husband, wife = couple
    enroll(only_child, husband)
    held = Entitlement.objects.get(person=husband)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entitlement.objects.create(
            program=only_child,
            person=wife,
            community=wife.community,
            unit_key=held.unit_key,
            start_date=dt.date(2020, 1, 1),
        )
    batch = batch_build(actor=Actor(user=street), program=only_child, period_key="2026")
    line = batch.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            batch=batch,
            program=only_child,
            period="2026",
            entitlement=held,
            person=wife,
            payee=wife,
            unit_key=line.unit_key,
            community=wife.community,
            amount=Decimal("120.00"),
        )


def test_the_api_refuses_the_second_spouse_with_code_and_message(
    only_child, couple, worker, client_for
) -> None:
    husband, wife = couple
    api = client_for(worker)
    body = {"program": only_child.code, "person_id": husband.pk}
    first = api.post("/api/benefits/applications", body, content_type="application/json")
    assert first.status_code == 201
    assert first.json()["spouse_id"] == wife.pk
    second = api.post(
        "/api/benefits/applications",
        {**body, "person_id": wife.pk},
        content_type="application/json",
    )
    assert second.status_code == 409
    assert second.json()["code"] == "unit_applying"
    assert husband.name in second.json()["message"]


def test_the_page_shows_the_form_again_with_a_chinese_reason(
    only_child, couple, worker, client_for
) -> None:
    husband, wife = couple
    application_create(actor=Actor(user=worker), program=only_child, person=husband)
    response = client_for(worker).post(
        f"/benefits/programs/{only_child.code}/apply/",
        {"person_id": wife.pk, "bank_account": "6222000011112222"},
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert 'value="6222000011112222"' in body
    assert "每对夫妻" in body
