"""A batch pays a period that has begun, by the program's rules for it: never a future period
(a 2030 batch was once built), never one wholly outside the program's validity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from jisheng.benefits.models import PaymentBatch
from jisheng.benefits.services import payments
from jisheng.core.actors import Actor
from jisheng.core.errors import JishengError
from jisheng.core.models import TaskProgress

pytestmark = pytest.mark.django_db


def next_year() -> str:
    return str(timezone.localdate().year + 1)


@pytest.mark.parametrize("period", ["2030", "next"])
def test_the_service_refuses_a_period_that_has_not_begun(
    beneficiaries, rural, street, period
) -> None:
    key = next_year() if period == "next" else period
    for build in (payments.batch_build, payments.batch_build_start):
        with pytest.raises(JishengError) as refused:
            build(actor=Actor(user=street), program=rural, period_key=key)
        assert refused.value.code == "period_not_started"
    assert not PaymentBatch.objects.exists()
    assert not TaskProgress.objects.exists()


def test_a_month_that_has_begun_today_may_be_built(program, street) -> None:
    # The first day of a period is its start: the period has begun.
    subsidy = program("childcare-subsidy")
    subsidy.cycle = subsidy.amount_per = "month"
    period = payments._buildable(Actor(user=street), subsidy, "2026-03", dt.date(2026, 3, 1))[0]
    assert period.start == dt.date(2026, 3, 1)
    with pytest.raises(JishengError):
        payments._buildable(Actor(user=street), subsidy, "2026-04", dt.date(2026, 3, 31))


def test_a_period_before_the_program_began_is_refused(program, street) -> None:
    subsidy = program("childcare-subsidy")  # valid from 2025-01-01
    with pytest.raises(JishengError) as refused:
        payments.batch_build(actor=Actor(user=street), program=subsidy, period_key="2024")
    assert refused.value.code == "period_outside_program"


def test_the_page_shows_the_form_again_with_the_period_and_a_chinese_message(
    beneficiaries, rural, client_for, street
) -> None:
    response = client_for(street).post(
        reverse("benefits:batch_new", args=[rural.code]),
        {"period": "2030"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="2030"' in body
    assert "尚未开始" in body
    assert not TaskProgress.objects.exists()


@pytest.mark.parametrize("path", ["/api/benefits/batch-builds", "/api/benefits/batches"])
def test_the_api_refuses_with_code_and_message(
    beneficiaries, rural, client_for, street, path
) -> None:
    response = client_for(street).post(
        path, {"program": rural.code, "period": "2030"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "period_not_started"
    assert response.json()["message"]
    assert not PaymentBatch.objects.exists()


def test_an_ended_one_off_program_names_its_period_in_chinese(program, street) -> None:
    """The refusal says 一次性, not the period's code "once"."""
    ended = program("two-daughters-reward")  # one-off, paid until 2015-12-31
    with translation.override("zh-hans"), pytest.raises(JishengError) as refused:
        payments.batch_build(actor=Actor(user=street), program=ended, period_key="once")
    assert refused.value.code == "period_outside_program"
    assert "一次性" in str(refused.value)
    assert "once" not in str(refused.value)
