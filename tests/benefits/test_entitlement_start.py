"""An entitlement starts at the program's start, never before its beneficiary was born and
never after the beneficiary died; the resident's benefits page shows that date."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.benefits.models import Entitlement
from jisheng.benefits.services.applications import application_create, application_transition
from jisheng.benefits.services.notices import notice_publish
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict
from jisheng.registry.services import events
from support.benefits import steps_taken_on

pytestmark = pytest.mark.django_db

BORN = dt.date(2025, 5, 5)


@pytest.fixture
def child(make_family):
    _h, _w, (kid,) = make_family(
        husband_birth=dt.date(1990, 1, 1),
        wife_birth=dt.date(1992, 1, 1),
        children=(("M", BORN),),
    )
    return kid


def in_notice(program, person, worker, street):
    application = application_create(actor=Actor(user=worker), program=program, person=person)
    application_transition(actor=Actor(user=worker), application=application, action="check")
    application_transition(actor=Actor(user=street), application=application, action="review")
    steps_taken_on(application, dt.date(2026, 10, 31))
    notice_publish(
        actor=Actor(user=street),
        program=program,
        application_ids=[application.pk],
        starts_on=dt.date(2026, 11, 1),
    )
    return application


def approve(leader, application):
    return application_transition(
        actor=Actor(user=leader),
        application=application,
        action="approve",
        today=dt.date(2026, 11, 20),
    )


def test_a_child_born_after_the_program_began_is_entitled_from_birth(
    program, child, worker, street, leader, client_for
) -> None:
    subsidy = program("childcare-subsidy")  # valid from 2025-01-01
    approve(leader, in_notice(subsidy, child, worker, street))
    assert Entitlement.objects.get(person=child).start_date == BORN
    page = client_for(street).get(f"/benefits/persons/{child.pk}/").content.decode()
    assert "2025-05-05" in page
    assert "2025-01-01" not in page


def test_a_beneficiary_who_died_before_the_start_is_not_enrolled(
    program, child, worker, street, leader
) -> None:
    subsidy = program("childcare-subsidy")
    subsidy.valid_from = dt.date(2026, 11, 10)
    subsidy.save(update_fields=["valid_from"])
    application = in_notice(subsidy, child, worker, street)
    events.death_record(actor=Actor(user=street), person=child, date=dt.date(2026, 11, 5))
    with pytest.raises(Conflict) as refused:
        approve(leader, application)
    assert refused.value.code == "died_before_start"
    assert not Entitlement.objects.exists()
