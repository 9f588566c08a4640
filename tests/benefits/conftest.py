"""Benefits fixtures: families built through the registry's own life-event services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from jisheng.accounts.models import User
from jisheng.benefits.models import Entitlement, Program
from jisheng.benefits.preload import preload_programs
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.registry.models import Person
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData
from support.benefits import steps_taken_on


@pytest.fixture
def worker(make_user) -> User:
    return make_user(Role.COMMUNITY_WORKER)


@pytest.fixture
def street(make_user) -> User:
    return make_user(Role.STREET_STAFF)


@pytest.fixture
def leader(make_user) -> User:
    return make_user(Role.LEADER)


@pytest.fixture
def program(db: None) -> Callable[[str], Program]:
    # Transactional tests flush the tables, migration data included: load it again if gone.
    preload_programs(Program)

    def get(code: str) -> Program:
        return Program.objects.get(code=code)

    return get


@pytest.fixture
def make_family(make_person, make_user) -> Callable[..., tuple[Person, Person, list[Person]]]:
    """A married couple and their children, recorded as life events (births link parents)."""

    def make(
        *,
        community=None,
        husband_birth: dt.date = dt.date(1960, 3, 1),
        wife_birth: dt.date = dt.date(1962, 5, 1),
        children: tuple[tuple[str, dt.date], ...] = (),
        hukou: str = "urban",
        married_on: dt.date | None = None,
    ) -> tuple[Person, Person, list[Person]]:
        recorder = make_user(Role.STREET_STAFF)
        actor = Actor(user=recorder)
        husband = make_person(community, name="王建国", sex="M", birth_date=husband_birth)
        wife = make_person(community, name="李秀英", sex="F", birth_date=wife_birth)
        Person.objects.filter(pk__in=[husband.pk, wife.pk]).update(hukou_type=hukou)
        married_on = married_on or max(
            husband_birth.replace(year=husband_birth.year + 25),
            wife_birth.replace(year=wife_birth.year + 23),
        )
        events.marriage_record(actor=actor, husband=husband, wife=wife, date=married_on)
        kids = []
        for sex, birth in children:
            event = events.birth_record(
                actor=actor,
                mother=wife,
                father=husband,
                child=PersonData(
                    name="王小" + ("明" if sex == "M" else "红"), sex=sex, birth_date=birth
                ),
            )
            kids.append(event.person)
        husband.refresh_from_db()
        wife.refresh_from_db()
        return husband, wife, kids

    return make


@pytest.fixture
def enroll(street, leader) -> Callable[..., object]:
    """Take a person through the whole workflow to an entitlement (notice already over)."""
    from jisheng.benefits.models import Application
    from jisheng.benefits.services.applications import application_create, application_transition
    from jisheng.benefits.services.notices import notice_publish

    def run(program: Program, person: Person, *, today: dt.date | None = None) -> Application:
        street_actor, leader_actor = Actor(user=street), Actor(user=leader)
        application = application_create(
            actor=street_actor, program=program, person=person, today=today
        )
        application_transition(actor=street_actor, application=application, action="check")
        application_transition(actor=street_actor, application=application, action="review")
        steps_taken_on(application, dt.date(2019, 12, 31))
        notice_publish(
            actor=street_actor,
            program=program,
            application_ids=[application.pk],
            starts_on=dt.date(2020, 1, 1),
        )
        return application_transition(
            actor=leader_actor, application=application, action="approve", today=today
        )

    return run


@pytest.fixture
def rural(program) -> Program:
    return program("rural-reward-support")


@pytest.fixture
def beneficiaries(make_family, rural) -> list[Person]:
    """Three rural fathers aged 70+ with one son each, entitled to rural reward support."""
    people = []
    for index in range(3):
        husband, _w, _k = make_family(
            hukou="rural",
            husband_birth=dt.date(1950 + index, 1, 1),
            children=(("M", dt.date(1980, 1, 1)),),
        )
        Entitlement.objects.create(
            program=rural,
            person=husband,
            community=husband.community,
            start_date=dt.date(2020, 1, 1),
        )
        people.append(husband)
    return people
