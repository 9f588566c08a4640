"""Looking a resident up by ID number: one hand-written query, with the scope of visible_to.

``person_find_by_id_number`` is what the resident list page, the API and the event forms
run for an ID number; it must find exactly what ``person_list(...).first()`` finds.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jisheng.accounts.models import User
from jisheng.core.roles import Role
from jisheng.registry import selectors
from jisheng.registry.models import Person, ResidentStatus
from jisheng.registry.selectors import PersonFilters, person_find_by_id_number, person_search
from jisheng.registry.services.persons import id_number_digest

LIST = reverse("registry:person_list")


def find(user: User, person: Person) -> Person | None:
    assert person.id_number is not None
    return person_find_by_id_number(user=user, id_number=person.id_number)


def found_by_person_list(user: User, person: Person) -> Person | None:
    assert person.id_number is not None
    filters = PersonFilters(id_number=person.id_number)
    return selectors.person_list(user=user, filters=filters).first()


@pytest.fixture
def residents(org, make_person) -> dict[str, Person]:
    return {
        "c1": make_person(org.c1, name="张三明"),
        "c2": make_person(org.c2, name="李四", birth_date=dt.date(1985, 1, 2)),
    }


def test_a_worker_finds_a_resident_of_their_community(make_user, residents) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)

    person = find(worker, residents["c1"])

    assert person is not None
    assert person.pk == residents["c1"].pk
    assert person.id_number_masked == residents["c1"].id_number_masked
    assert person.birth_date == dt.date(1990, 5, 17)
    assert person.is_floating is False


def test_a_resident_of_a_foreign_community_is_not_found(make_user, residents) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)  # community 1

    assert find(worker, residents["c2"]) is None


def test_street_staff_find_residents_of_every_community_of_the_street(make_user, residents) -> None:
    staff = make_user(Role.STREET_STAFF)

    assert find(staff, residents["c1"]) is not None
    assert find(staff, residents["c2"]) is not None


def test_a_partner_reporter_finds_only_the_residents_they_reported(
    org, make_user, make_person
) -> None:
    partner = make_user(Role.PARTNER_REPORTER)
    reported = make_person(org.c2, name="王芳", sex="F", reported_by=partner)
    neighbour = make_person(org.c1, name="赵六")  # in the partner's own community

    assert find(partner, reported) is not None
    assert find(partner, neighbour) is None


def test_an_inactive_user_finds_nothing(make_user, residents) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)
    worker.is_active = False
    worker.save(update_fields=["is_active"])

    assert find(User.objects.get(pk=worker.pk), residents["c1"]) is None


def test_a_role_without_a_duty_to_read_personal_data_finds_nothing(make_user, residents) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)

    assert find(admin, residents["c1"]) is None


def test_a_voided_record_is_not_found(make_user, residents) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)
    Person.objects.filter(pk=residents["c1"].pk).update(status=ResidentStatus.VOIDED)

    assert find(worker, residents["c1"]) is None


def test_unknown_and_blank_numbers_find_nothing(make_user, residents) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)
    number = residents["c1"].id_number
    assert number is not None

    assert person_find_by_id_number(user=worker, id_number=number[:-1]) is None
    assert person_find_by_id_number(user=worker, id_number="  ") is None
    assert id_number_digest(" \u3000 ") == ""  # blanks are no number, not a digest of ""
    found = person_find_by_id_number(user=worker, id_number=f" {number.lower()} ")
    assert found is not None


@pytest.mark.parametrize(
    "role",
    [
        Role.COMMUNITY_WORKER,
        Role.STREET_STAFF,
        Role.LEADER,
        Role.DISTRICT_SUPERVISOR,
        Role.PARTNER_REPORTER,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_AUDITOR,
    ],
)
def test_finds_exactly_what_person_list_finds(org, make_user, make_person, role) -> None:
    user = make_user(role)
    reported = make_person(org.c2, name="周七", reported_by=user)
    voided = make_person(org.c1, name="吴八", birth_date=dt.date(1970, 3, 3))
    Person.objects.filter(pk=voided.pk).update(status=ResidentStatus.VOIDED)
    moved = make_person(org.c1, name="郑九", birth_date=dt.date(1971, 4, 4))
    Person.objects.filter(pk=moved.pk).update(status=ResidentStatus.MOVED_OUT)
    everyone = [
        make_person(org.c1, name="张三明"),
        make_person(org.c2, name="李四", birth_date=dt.date(1985, 1, 2)),
        reported,
        voided,
        moved,
    ]

    for person in everyone:
        fast, orm = find(user, person), found_by_person_list(user, person)
        assert (fast and fast.pk) == (orm and orm.pk), (role, person.name)


def test_the_lookup_is_one_query_with_the_community_loaded(make_user, residents) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)
    # A request reads the user's roles and scope once, before any lookup.
    assert worker.role_set
    assert worker.scope_unit_ids()

    with CaptureQueriesContext(connection) as queries:
        person = find(worker, residents["c1"])
        assert person is not None
        assert str(person.community) == residents["c1"].community.name
        assert person.community.code == residents["c1"].community.code
        assert person.get_status_display()

    assert len(queries) == 1


def test_other_fields_load_on_access_and_numbers_decrypt(make_user, residents) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)

    person = find(worker, residents["c1"])

    assert person is not None
    assert person.phone == "13800138000"
    assert person.id_number == residents["c1"].id_number
    assert person.hukou_division == "370404"


def test_a_search_by_id_number_alone_is_the_exact_lookup(make_user, residents) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)
    number = residents["c1"].id_number
    assert number is not None

    alone = person_search(user=worker, filters=PersonFilters(id_number=number))
    with_more = person_search(user=worker, filters=PersonFilters(id_number=number, age_min=1))

    assert isinstance(alone, list)
    assert [p.pk for p in alone] == [residents["c1"].pk]
    assert not isinstance(with_more, list)
    assert [p.pk for p in with_more] == [residents["c1"].pk]


def test_the_list_page_finds_by_id_number_within_the_scope_only(
    make_user, client_for, residents
) -> None:
    client = client_for(make_user(Role.COMMUNITY_WORKER))

    mine = client.get(LIST, {"id_number": residents["c1"].id_number})
    foreign = client.get(LIST, {"id_number": residents["c2"].id_number})

    assert [p.pk for p in mine.context["page"]] == [residents["c1"].pk]
    assert residents["c1"].community.name in mine.content.decode()
    assert list(foreign.context["page"]) == []


def test_the_api_finds_by_id_number_within_the_scope_only(make_user, client_for, residents) -> None:
    api = client_for(make_user(Role.COMMUNITY_WORKER))

    mine = api.get("/api/persons", {"id_number": residents["c1"].id_number}).json()
    foreign = api.get("/api/persons", {"id_number": residents["c2"].id_number}).json()

    assert mine["count"] == 1
    (item,) = mine["items"]
    assert item["id"] == residents["c1"].pk
    assert item["community_code"] == residents["c1"].community.code
    assert item["id_number_masked"] == residents["c1"].id_number_masked
    assert foreign == {"items": [], "count": 0}
