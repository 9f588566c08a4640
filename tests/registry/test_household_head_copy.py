"""The household's copy of its head's name and initials (migration 0014) always equals the
head's, whatever writes the rows: the registry's services and their reversal, Django saves of
stale objects, queryset updates, bulk writes. The database keeps it, so each way is tried."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection

from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.registry.models import Household, HouseholdMember, Person, Relation
from jisheng.registry.names import name_initials
from jisheng.registry.services import events, family
from jisheng.registry.services.family import Grounds

TODAY = dt.date(2026, 11, 1)
GROUNDS = Grounds(evidence="户口簿 第3页", reason="户主变更", date=TODAY)
SURNAMES = "陈张王李赵"
GIVEN = ["小明", "建国", "秀英", "芳", "伟"]


def copies_are_right() -> list[tuple[int, str | None, str | None, str | None, str | None]]:
    """Households whose copy differs from their head's current name and initials."""
    wrong = []
    for pk, head_id, name, initials in Household.objects.values_list(
        "pk", "head_id", "head_name", "head_initials"
    ):
        head = Person.objects.filter(pk=head_id).values_list("name", "name_initials").first()
        expected = head if head is not None else (None, None)
        if (name, initials) != expected:
            wrong.append((pk, name, initials, *expected))
    return wrong


@pytest.fixture
def actor(make_user) -> Actor:
    return Actor(user=make_user(Role.STREET_STAFF), ip="127.0.0.1")


def test_the_services_and_their_reversal_keep_the_copy(actor, make_person, make_household) -> None:
    father = make_person(name="王建国", sex="M", birth_date=dt.date(1958, 3, 1))
    mother = make_person(name="李秀英", sex="F", birth_date=dt.date(1960, 5, 1))
    household = make_household(father)
    HouseholdMember.objects.create(
        household=household, person=mother, relation=Relation.SPOUSE, start_date=TODAY
    )
    assert Household.objects.values_list("head_name", "head_initials").get() == ("王建国", "wjg")

    change = family.household_head_change(
        actor=actor,
        household=household,
        head=mother,
        former_head_relation=Relation.SPOUSE,
        grounds=GROUNDS,
    )
    assert Household.objects.values_list("head_name", "head_initials").get() == ("李秀英", "lxy")
    correction = events.person_correct(
        actor=actor, person=mother, changes={"name": "陈秀英"}, reason="登记错误", date=TODAY
    )
    assert Household.objects.values_list("head_name", "head_initials").get() == ("陈秀英", "cxy")
    events.event_reverse(actor=actor, event=correction, reason="改错了", date=TODAY)
    assert Household.objects.values_list("head_name", "head_initials").get() == ("李秀英", "lxy")
    events.event_reverse(actor=actor, event=change, reason="改错了", date=TODAY)
    assert Household.objects.values_list("head_name", "head_initials").get() == ("王建国", "wjg")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_copy_follows_a_random_stream_of_writes(org, make_person, seed) -> None:
    rng = random.Random(seed)
    people = [
        make_person(name=f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}", community=org.c1)
        for _ in range(8)
    ]
    households = [
        Household.objects.create(community=org.c1, address=f"幸福路{n}号", head=people[n])
        for n in range(3)
    ]
    households.append(Household.objects.create(community=org.c1, address="无户主"))

    def rename_by_save() -> None:
        person = rng.choice(people)
        person.refresh_from_db()
        person.name = f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}"
        person.save()

    def rename_by_update() -> None:
        name = f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}"
        Person.objects.filter(pk=rng.choice(people).pk).update(
            name=name, name_initials=name_initials(name)
        )

    def rename_in_bulk() -> None:
        chosen = rng.sample(people, 3)
        for person in chosen:
            person.refresh_from_db()
            person.name = f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}"
            person.name_initials = name_initials(person.name)
        Person.objects.bulk_update(chosen, ["name", "name_initials"])

    def save_a_stale_household() -> None:
        # Read before a rename, saved after it: Django writes the old copy back.
        stale = Household.objects.get(pk=rng.choice(households).pk)
        rename_by_update()
        stale.address = f"{stale.address}甲"
        stale.save()

    def change_head_by_save() -> None:
        household = rng.choice(households)
        household.head = rng.choice([*people, None])
        household.save(update_fields=["head"])

    def change_head_by_update() -> None:
        Household.objects.filter(pk=rng.choice(households).pk).update(
            head_id=rng.choice([p.pk for p in people])
        )

    def create_in_bulk() -> None:
        households.extend(
            Household.objects.bulk_create(
                [
                    Household(community=org.c1, address="新建", head=rng.choice(people)),
                    Household(community=org.c1, address="新建无户主"),
                ]
            )
        )

    def write_the_copy_itself() -> None:
        Household.objects.filter(pk=rng.choice(households).pk).update(head_name="伪造")

    steps = [
        rename_by_save,
        rename_by_update,
        rename_in_bulk,
        save_a_stale_household,
        change_head_by_save,
        change_head_by_update,
        create_in_bulk,
        write_the_copy_itself,
    ]
    for step in rng.choices(steps, k=40):
        step()
        assert copies_are_right() == [], step.__name__
    assert Household.objects.filter(head__isnull=True, head_name__isnull=True).exists()


def test_the_head_copy_triggers_are_in_place(db) -> None:
    """A migration that rebuilds registry_household or registry_person on SQLite drops these
    triggers, and this fails."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = {
                "registry_household_head_copy_insert",
                "registry_household_head_copy_update",
                "registry_person_head_copy",
            }
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            expected = {"registry_household_head_copy", "registry_person_head_copy"}
        assert expected <= {row[0] for row in cursor.fetchall()}
