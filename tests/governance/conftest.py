"""Governance fixtures: workers of community 1 and the street, women to follow, births."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from jisheng.core.actors import Actor
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Role
from jisheng.registry.models import LifeEvent, Person
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Argon2 costs ~0.4 s a user; hashing is not tested here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def worker(make_user):
    return make_user(Role.COMMUNITY_WORKER)


@pytest.fixture
def actor(worker) -> Actor:
    return Actor(user=worker, ip="127.0.0.1")


@pytest.fixture
def street_actor(make_user) -> Actor:
    return Actor(user=make_user(Role.STREET_STAFF))


@pytest.fixture
def woman(make_person) -> Callable[..., Person]:
    """``woman(community=None, floating=False)``: a woman of 30 living in the community."""

    def make(community: OrgUnit | None = None, *, floating: bool = False) -> Person:
        person = make_person(community, name="李秀兰", sex="F", birth_date=dt.date(1995, 3, 8))
        if floating:
            Person.objects.filter(pk=person.pk).update(is_floating=True)
            person.refresh_from_db()
        return person

    return make


@pytest.fixture
def birth(street_actor) -> Callable[..., LifeEvent]:
    """``birth(mother, sex, on)``: a child registered through the registry's service."""

    def make(mother: Person, sex: str, on: dt.date) -> LifeEvent:
        return events.birth_record(
            actor=street_actor,
            mother=mother,
            child=PersonData(name="新生儿", sex=sex, birth_date=on),
        )

    return make
