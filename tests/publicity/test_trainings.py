"""Trainings: attendees from the staff in scope, cost handed once, a member's history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, JishengError
from jisheng.core.roles import Role
from jisheng.publicity.models import CostEntry, Training
from jisheng.publicity.selectors import training_history
from jisheng.publicity.services import training_cost_correct, training_record

pytestmark = pytest.mark.django_db


def record(user, unit, **extra) -> Training:
    values = {
        "topic": "专题培训班",
        "trainer": "王老师",
        "start_date": dt.date(2026, 4, 10),
        "end_date": dt.date(2026, 4, 11),
        "hours": "12",
        "cost": "3000",
    } | extra
    return training_record(actor=Actor(user=user), org_unit=unit, **values)


def test_training_cost_is_handed_as_training_spending(street, worker, org, ledger) -> None:
    training = record(street, org.street, attendees=[worker])
    assert [(s.source, s.category, s.level, s.amount) for s in ledger] == [
        ("publicity.training", "training", "street", Decimal("3000.00"))
    ]
    training_cost_correct(actor=Actor(user=street), training=training, cost="2500")
    assert [s.amount for s in ledger][1:] == [Decimal("-3000.00"), Decimal("2500.00")]
    assert sum(CostEntry.objects.values_list("amount", flat=True)) == Decimal("2500.00")
    assert list(training_history(street, worker)) == [training]


def test_attendees_outside_the_area_are_refused(street, make_user, org) -> None:
    outsider = make_user(Role.LEADER, org.district)
    with pytest.raises(JishengError):
        record(street, org.street, attendees=[outsider])
    assert not Training.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [
        {"end_date": dt.date(2026, 4, 9)},
        {"hours": "0"},
        {"hours": "x"},
        {"topic": ""},
    ],
)
def test_bad_training_input_is_refused(street, org, extra) -> None:
    with pytest.raises(JishengError):
        record(street, org.street, **extra)


def test_a_community_worker_records_no_training(worker, org) -> None:
    with pytest.raises(Forbidden):
        record(worker, org.c1)
