"""``ModelRows`` builds from hand-written SQL the same instances the ORM would."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models.signals import post_init

from jisheng.core.db import ModelRows
from jisheng.core.models import OrgUnit
from jisheng.registry.models import Person

FIELDS = ("id", "community", "name", "birth_date", "is_floating", "status")


def _rows(person: Person) -> tuple[ModelRows[Person], tuple[object, ...]]:
    rows = ModelRows(Person, db=connection, alias="p", fields=FIELDS)
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {rows.select} FROM {table} p WHERE p.id = %s", [person.pk])  # noqa: S608
        return rows, cursor.fetchone()


def test_an_instance_matches_the_orms_only(make_person) -> None:
    person = make_person(birth_date=dt.date(1980, 2, 29))
    rows, row = _rows(person)

    built = rows.instance(row)
    orm = Person.objects.only(*FIELDS).get(pk=person.pk)

    assert rows.plain
    assert type(built) is Person
    assert {name: getattr(built, name) for name in ("id", "community_id", "name", "status")} == {
        name: getattr(orm, name) for name in ("id", "community_id", "name", "status")
    }
    assert built.birth_date == dt.date(1980, 2, 29)  # converted from SQLite's text
    assert built.is_floating is False
    assert built.get_deferred_fields() == orm.get_deferred_fields()
    assert built._state.adding is False
    assert built._state.db == orm._state.db
    assert built.hukou_division == person.hukou_division  # a deferred field loads on access
    assert built.community == person.community


def test_models_with_init_signal_receivers_are_built_through_from_db(make_person) -> None:
    person = make_person()
    rows, row = _rows(person)
    seen: list[Person] = []

    def receiver(sender: type[Person], instance: Person, **kwargs: object) -> None:
        seen.append(instance)

    post_init.connect(receiver, sender=Person)
    try:
        built = rows.instance(row)
    finally:
        post_init.disconnect(receiver, sender=Person)

    assert seen == [built]
    assert built.name == person.name


def test_a_field_whose_attribute_intercepts_assignment_goes_through_from_db() -> None:
    from jisheng.benefits.models import VisitPhoto

    # A file field's attribute wraps the stored name in a FieldFile when it is assigned.
    assert not ModelRows(VisitPhoto, db=connection, alias="v", fields=("id", "file")).plain
    assert ModelRows(VisitPhoto, db=connection, alias="v", fields=("id", "visit")).plain
    assert ModelRows(OrgUnit, db=connection, alias="u", fields=("id", "name", "code")).plain
