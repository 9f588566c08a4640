"""The resident list: every filter, its edges, bad input as a 400 page, and the user's scope."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from tests.registry.conftest import new_id_number

from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.registry import selectors
from jisheng.registry.models import (
    Household,
    HouseholdMember,
    LifeEvent,
    Person,
    ResidentStatus,
)
from jisheng.registry.names import name_initials
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData

LIST = reverse("registry:person_list")
# A fixed "today" away from 29 February, so the age edges are plain dates.
TODAY = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def client(make_user, client_for):
    return client_for(make_user(Role.COMMUNITY_WORKER))


@pytest.fixture
def resident(make_person):
    """``make_person`` plus the pinyin initials that registration would have filled in."""

    def make(*args: object, **kwargs: object) -> Person:
        person = make_person(*args, **kwargs)
        Person.objects.filter(pk=person.pk).update(name_initials=name_initials(person.name))
        return person

    return make


def names(client, **params: object) -> set[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return {p.name for p in response.context["page"]}


def test_pinyin_initials_find_the_name(client, resident) -> None:
    resident(name="张三明")
    resident(name="张四")
    resident(name="赵思明")
    assert names(client, name="zsm") == {"张三明", "赵思明"}
    assert names(client, name="ZSM") == {"张三明", "赵思明"}
    assert names(client, name="zs") == {"张三明", "张四", "赵思明"}
    assert names(client, name="zhang") == set()


def test_chinese_name_prefix(client, make_person) -> None:
    make_person(name="张三明")
    make_person(name="张四")
    make_person(name="李张")
    assert names(client, name="张三") == {"张三明"}
    assert names(client, name="张") == {"张三明", "张四"}


def test_id_number_is_exact(client, make_person) -> None:
    person = make_person(name="张三明")
    make_person(name="张四")
    assert names(client, id_number=person.id_number) == {"张三明"}
    assert names(client, id_number=f" {person.id_number.lower()} ") == {"张三明"}
    assert names(client, id_number=person.id_number[:-1]) == set()


def test_household_number_finds_current_members(client, make_person, make_household) -> None:
    head = make_person(name="张三明")
    household = make_household(head)
    Household.objects.filter(pk=household.pk).update(number="H0042")
    former = make_person(name="张四")
    HouseholdMember.objects.create(
        household=household,
        person=former,
        relation="20",
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2024, 1, 1),
    )
    make_person(name="李五")
    assert names(client, household="H0042") == {"张三明"}
    assert names(client, household="H004") == set()


def test_address_contains(client, make_person) -> None:
    make_person(name="张三明")
    other = make_person(name="李五")
    Person.objects.filter(pk=other.pk).update(address="榴园社区5号楼")
    assert names(client, address="5号楼") == {"李五"}
    assert names(client, address="地址") == {"张三明"}


@time_machine.travel(TODAY, tick=False)
def test_age_range_edges(client, make_person) -> None:
    make_person(name="刚满三十", birth_date=dt.date(1996, 6, 15))
    make_person(name="明天三十", birth_date=dt.date(1996, 6, 16))
    make_person(name="三十整岁末", birth_date=dt.date(1995, 6, 16))
    make_person(name="满三十一", birth_date=dt.date(1995, 6, 15))
    assert names(client, age_min=30, age_max=30) == {"刚满三十", "三十整岁末"}
    assert names(client, age_min=31) == {"满三十一"}
    assert names(client, age_max=29) == {"明天三十"}
    assert names(client, age_min=0, age_max=0) == set()


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("common_ages", [1, 2, 10_000])
def test_a_common_age_range_is_the_same_residents_in_the_same_order(
    client, make_person, monkeypatch, common_ages
) -> None:
    """Counted past ``COMMON_AGES``, the range is read in name order on SQLite
    (``_born_between``): the edges, the status filter and the order stay the same."""
    monkeypatch.setattr(selectors, "COMMON_AGES", common_ages)
    make_person(name="刚满三十", birth_date=dt.date(1996, 6, 15))
    make_person(name="明天三十", birth_date=dt.date(1996, 6, 16))
    make_person(name="三十整岁末", birth_date=dt.date(1995, 6, 16))
    make_person(name="满三十一", birth_date=dt.date(1995, 6, 15))
    make_person(name="阿三十", birth_date=dt.date(1996, 1, 1))
    died = make_person(name="已故三十", birth_date=dt.date(1996, 1, 2))
    Person.objects.filter(pk=died.pk).update(status=ResidentStatus.DECEASED)
    thirty = ["刚满三十", "三十整岁末", "阿三十", "已故三十"]
    in_order = Person.objects.filter(name__in=thirty).order_by("name", "id")
    response = client.get(LIST, {"age_min": 30, "age_max": 30})
    assert [row.name for row in response.context["page"]] == [p.name for p in in_order]
    response = client.get(LIST, {"age_min": 30, "age_max": 30, "status": "living"})
    assert [row.name for row in response.context["page"]] == [
        p.name for p in in_order if p.name != "已故三十"
    ]
    assert names(client, age_min=31) == {"满三十一"}
    assert names(client, age_max=29) == {"明天三十"}


def test_born_here_in_a_month_follows_standing_birth_events(client, make_person, make_user) -> None:
    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))
    mother = make_person(name="母亲", sex="F", birth_date=dt.date(1990, 1, 1))
    born = dt.date(2026, 3, 31)
    for name, sex in (("三月男", "M"), ("三月女", "F")):
        events.birth_record(
            actor=actor,
            mother=mother,
            child=PersonData(
                name=name, sex=sex, birth_date=born, id_number=new_id_number(born, sex)
            ),
        )
    make_person(name="同月迁入", birth_date=dt.date(2026, 3, 15))  # born elsewhere
    assert names(client, born_in="2026-03") == {"三月男", "三月女"}
    assert names(client, born_in="2026-04") == set()
    reversed_birth = LifeEvent.objects.get(kind="birth", person__name="三月女")
    events.event_reverse(
        actor=actor, event=reversed_birth, reason="登记错误", date=dt.date(2026, 4, 2)
    )
    assert names(client, born_in="2026-03") == {"三月男"}


def test_status_filter_and_voided_records(client, make_person) -> None:
    make_person(name="在住")
    moved = make_person(name="迁出")
    voided = make_person(name="作废")
    Person.objects.filter(pk=moved.pk).update(status=ResidentStatus.MOVED_OUT)
    Person.objects.filter(pk=voided.pk).update(status=ResidentStatus.VOIDED)
    assert names(client) == {"在住", "迁出"}
    assert names(client, status="moved_out") == {"迁出"}
    assert names(client, status="living") == {"在住"}
    assert names(client, status="voided") == {"作废"}


def test_only_the_users_scope_is_searched(client, org, resident) -> None:
    mine = resident(name="张三明")
    theirs = resident(org.c2, name="张三明")
    assert names(client, name="zsm") == {"张三明"}
    assert [p.pk for p in client.get(LIST, {"name": "zsm"}).context["page"]] == [mine.pk]
    assert names(client, id_number=theirs.id_number) == set()
    response = client.get(LIST, {"community": org.c2.pk})
    assert response.status_code == 400


def test_street_staff_filter_by_community(make_user, client_for, org, make_person) -> None:
    make_person(name="张三明")
    make_person(org.c2, name="李五")
    staff = client_for(make_user(Role.STREET_STAFF))
    assert names(staff) == {"张三明", "李五"}
    assert names(staff, community=org.c2.pk) == {"李五"}


@pytest.mark.parametrize(
    "params",
    [
        {"age_min": "abc"},
        {"age_max": "-1"},
        {"age_min": "40", "age_max": "30"},
        {"age_min": "1e3"},
        {"status": "dead"},
        {"age_max": "99999999999999999999"},
        {"born_in": "2026-13"},
        {"born_in": "2026-2"},
        {"born_in": "0001-01"},
        {"born_in": "9999-12"},  # the month after it would overflow the date
    ],
)
def test_bad_filters_answer_400_with_a_message(client, make_person, params) -> None:
    make_person(name="张三明")
    response = client.get(LIST, params)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'data-testid="filter-errors"' in content
    assert "张三明" not in content
    assert response.context["form"].errors


def test_list_shows_masked_id_numbers_only(client, make_person) -> None:
    person = make_person(name="张三明")
    content = client.get(LIST).content.decode()
    assert person.id_number_masked in content
    assert person.id_number not in content
    assert person.phone not in content


def test_search_is_audited_without_the_searched_values(client, make_person) -> None:
    person = make_person(name="张三明")
    client.get(LIST, {"id_number": person.id_number, "age_min": 20})
    event = AuditEvent.objects.filter(action="search").latest("pk")
    assert event.detail["id_number"] is True
    assert event.detail["age"] == [20, None]
    assert person.id_number not in str(event.detail)


def test_register_buttons_only_for_editors(client, make_user, client_for) -> None:
    register = reverse("registry:person_register")
    assert register in client.get(LIST).content.decode()
    leader = client_for(make_user(Role.LEADER))
    assert register not in leader.get(LIST).content.decode()


def test_filters_survive_pagination(client, make_person) -> None:
    for n in range(51):
        make_person(name=f"张{n:02d}", birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=n))
    response = client.get(LIST, {"name": "张", "address": "地址"})
    assert response.context["page"].paginator.count == 51
    assert "name=%E5%BC%A0&amp;address=" in response.content.decode()


def test_export_links_carry_the_current_filters(client, make_person) -> None:
    make_person(name="张三明")
    content = client.get(LIST, {"name": "张", "age_min": 20, "page": 1}).content.decode()
    assert 'data-testid="export-xlsx"' in content
    link = content.split('data-testid="export-xlsx"')[0].rsplit("href=", 1)[1]
    assert "name=%E5%BC%A0" in link
    assert "age_min=20" in link
    assert "page=" not in link
