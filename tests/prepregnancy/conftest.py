"""Pre-pregnancy fixtures: workers of community 1, and couples married through the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from jisheng.core.actors import Actor
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Role
from jisheng.prepregnancy.health import CheckupData
from jisheng.prepregnancy.models import TargetCouple
from jisheng.prepregnancy.services import checkups, couples, pregnancies
from jisheng.registry.models import Marriage, Person
from jisheng.registry.services import events


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Argon2 costs ~0.4 s a user and these tests make several; hashing is not tested here."""
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


@dataclass
class Spouses:
    husband: Person
    wife: Person
    marriage: Marriage


@pytest.fixture
def marry(org, make_user, make_person, today) -> Callable[..., Spouses]:
    """``marry(days_ago=10, community=c1, husband_community=None, floating=False)``: a couple
    married through the registry's own service, ``days_ago`` days before today."""
    registrar = Actor(user=make_user(Role.STREET_STAFF))
    names = iter(range(1000))

    def make(
        days_ago: int = 10,
        community: OrgUnit | None = None,
        husband_community: OrgUnit | None = None,
        floating: bool = False,
    ) -> Spouses:
        n = next(names)
        wife = make_person(
            community or org.c1,
            name=f"王芳{n}",
            sex="F",
            birth_date=dt.date(1996, 4, 1),
            phone=f"139{n:08d}",
        )
        husband = make_person(
            husband_community or community or org.c1,
            name=f"李强{n}",
            sex="M",
            birth_date=dt.date(1994, 6, 1),
            phone=f"138{n:08d}",
        )
        if floating:
            Person.objects.filter(pk__in=[wife.pk, husband.pk]).update(is_floating=True)
        event = events.marriage_record(
            actor=registrar,
            husband=husband,
            wife=wife,
            date=today - dt.timedelta(days=days_ago),
        )
        return Spouses(
            husband=Person.objects.get(pk=husband.pk),
            wife=Person.objects.get(pk=wife.pk),
            marriage=Marriage.objects.get(pk=event.data["marriage_id"]),
        )

    return make


@pytest.fixture
def couple_of(actor) -> Callable[[Spouses], TargetCouple]:
    """The service file of a married couple (derived by the refresh)."""

    def get(spouses: Spouses) -> TargetCouple:
        couples.target_couples_refresh(actor=actor)
        return TargetCouple.objects.get(husband=spouses.husband, wife=spouses.wife)

    return get


@pytest.fixture
def couple(marry, couple_of) -> TargetCouple:
    return couple_of(marry())


@pytest.fixture
def checkup_data(today) -> Callable[..., CheckupData]:
    def make(**overrides: object) -> CheckupData:
        fields: dict[str, object] = {
            "institution": "峄城区妇幼保健院",
            "date": today,
            "items": ["education", "history", "physical", "laboratory"],
            "results": {"blood_type": "O", "rh": "positive", "hbsag": "negative"},
            "risk_level": "general",
        }
        fields.update(overrides)
        return CheckupData(**fields)  # type: ignore[arg-type]

    return make


@pytest.fixture
def make_overdue_work(actor, couple, checkup_data, today) -> Callable[[], None]:
    """Work overdue for the worker on ``couple``: the wife examined 40 days ago at high risk
    (an open referral past its due date) and a pregnancy reported 100 days ago (follow-ups,
    some past due)."""

    def make() -> None:
        checkups.checkup_record(
            actor=actor,
            couple=couple,
            spouse="wife",
            data=checkup_data(date=today - dt.timedelta(days=40), risk_level="high", risk_note="x"),
        )
        pregnancies.pregnancy_report(
            actor=actor, couple=couple, reported_on=today - dt.timedelta(days=100)
        )

    return make
