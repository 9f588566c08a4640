"""Pinyin initials: filled however a resident arrives, rare characters kept, demo searchable."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from jisheng.accounts.models import User
from jisheng.registry.models import Person
from jisheng.registry.names import name_initials

LIST = reverse("registry:person_list")


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("张三明", "zsm"),
        ("王𠮷", "wj"),  # the 土吉 variant of 吉: read as jí, not dropped
        ("\uf900明", "qm"),  # a compatibility ideograph is read as its unified form
        ("李𫘮", "l𫘮"),  # no reading anywhere: kept, never silently dropped
        ("Anna李", "al"),
        ("张三·李四", "zsls"),
    ],
)
def test_initials_of_names(name: str, initials: str) -> None:
    assert name_initials(name) == initials


@pytest.mark.django_db
def test_any_saved_resident_has_initials(make_person) -> None:
    """A row created directly (as tests, the admin or a bulk insert do) still gets them."""
    person = make_person(name="王𠮷")
    assert Person.objects.get(pk=person.pk).name_initials == "wj"
    person.name = "李四"
    person.save()
    assert Person.objects.get(pk=person.pk).name_initials == "ls"


@pytest.mark.django_db
def test_demo_residents_are_found_by_initials(client_for, demo_instance) -> None:
    assert not Person.objects.filter(name_initials="").exists()
    resident = Person.objects.filter(community__users__username="demo_c1").first()
    assert resident is not None
    client = client_for(User.objects.get(username="demo_c1"))
    response = client.get(LIST, {"name": name_initials(resident.name).upper()})
    assert response.status_code == 200
    assert resident.name in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_migration_fills_initials_of_existing_rows(make_person) -> None:
    person = make_person(name="王𠮷")
    Person.objects.filter(pk=person.pk).update(name_initials="")
    executor = MigrationExecutor(connection)
    executor.migrate([("registry", "0006_family_members_not_resident")])
    executor.loader.build_graph()
    executor.migrate([("registry", "0007_person_initials_derived_and_filled")])
    assert Person.objects.get(pk=person.pk).name_initials == "wj"
