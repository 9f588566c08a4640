"""The resident and household lists: order and scope as before, a bounded number of queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from jisheng.core import pages
from jisheng.core.roles import Role
from jisheng.registry.models import Household, Marriage, Person, ResidentStatus
from jisheng.registry.selectors import (
    PersonRow,
    household_rows,
    person_find_by_id_number,
    person_marriages,
    person_rows,
)

PERSONS = reverse("registry:person_list")
HOUSEHOLDS = reverse("registry:household_list")


def queries_for(client, path: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
        assert response.status_code == 200
        response.content.decode()
    return len(queries.captured_queries)


def test_resident_list_queries_do_not_grow_with_rows(make_person, make_user, client_for) -> None:
    client = client_for(make_user(Role.STREET_STAFF))
    make_person(name="甲")
    client.get(PERSONS)  # warm: the session's resolved access
    # and the filter fields drawn once for each search (then kept: one query fewer)
    client.get(PERSONS, {"address": "社区1号", "name": "甲"})
    few = queries_for(client, PERSONS)
    few_search = queries_for(client, PERSONS, {"address": "社区1号", "name": "甲"})
    for n in range(20):
        make_person(name=f"乙{n:02d}")
    assert queries_for(client, PERSONS) == few
    assert queries_for(client, PERSONS, {"address": "社区1号", "name": "甲"}) == few_search


def households(org, make_person, make_household) -> list[Household]:
    made = []
    for community, numbers in ((org.c2, ["002", "001"]), (org.c1, ["010", "003", "003"])):
        for number in numbers:
            household = make_household(make_person(community, name=f"户主{number}"))
            Household.objects.filter(pk=household.pk).update(number=number)
            made.append(household)
    return made


def test_household_list_order_scope_and_heads(
    org, make_person, make_household, make_user, client_for, monkeypatch
) -> None:
    made = households(org, make_person, make_household)
    monkeypatch.setattr(pages, "PER_PAGE", 2)
    monkeypatch.setattr(pages, "COUNT_CAP", 3)
    expected = sorted(
        Household.objects.filter(pk__in=[h.pk for h in made]).select_related("community"),
        key=lambda h: (h.community.code, h.number, h.pk),
    )
    street = client_for(make_user(Role.STREET_STAFF))
    shown = []
    for number in (1, 2, 3):
        page = street.get(HOUSEHOLDS, {"page": number}).context["page"]
        shown += [(h.pk, h.head_name) for h in page]
    assert shown == [(h.pk, h.head.name) for h in expected]
    worker = client_for(make_user(Role.COMMUNITY_WORKER))  # community c1 only
    page = worker.get(HOUSEHOLDS).context["page"]
    assert {h.community_name for h in page} == {org.c1.name}


def test_household_list_queries_do_not_grow_with_rows(
    org, make_person, make_household, make_user, client_for
) -> None:
    client = client_for(make_user(Role.STREET_STAFF))
    for community in (org.c1, org.c2):  # the list reads each unit's households in turn
        make_household(make_person(community, name="户主"))
    client.get(HOUSEHOLDS)
    few = queries_for(client, HOUSEHOLDS)
    few_search = queries_for(client, HOUSEHOLDS, {"q": "户主"})
    households(org, make_person, make_household)
    assert queries_for(client, HOUSEHOLDS) == few
    assert queries_for(client, HOUSEHOLDS, {"q": "户主"}) == few_search


def test_household_rows_fall_back_to_the_id_and_a_dash_and_say_when_none_match(
    org, make_person, make_household, make_user, client_for
) -> None:
    household = make_household(make_person(org.c1, name="户主"))
    Household.objects.filter(pk=household.pk).update(number="", head=None)
    client = client_for(make_user(Role.STREET_STAFF))
    page = client.get(HOUSEHOLDS).content.decode()
    link = f'<a href="{reverse("registry:household_detail", args=[household.pk])}">'
    row = page.split(link)[1].split("</tr>")[0]
    assert row.startswith(f"{household.pk}</a>")  # no number: the id
    assert "<td>—</td>" in row  # no head
    empty = client.get(HOUSEHOLDS, {"q": "无此户"}).content.decode()
    assert '<td colspan="4" class="empty">暂无户。</td>' in empty


def test_list_rows_by_id_give_nothing_outside_the_users_scope(
    org, make_person, make_household, make_user
) -> None:
    """The row readers are reads like any other: another community's ids give no row."""
    mine, theirs = make_person(org.c1, name="本社区"), make_person(org.c2, name="外社区")
    my_household, their_household = make_household(mine), make_household(theirs)
    worker = make_user(Role.COMMUNITY_WORKER)  # community c1 only
    assert [row.pk for row in person_rows(user=worker, ids=[theirs.pk, mine.pk])] == [mine.pk]
    assert person_rows(user=worker, ids=[theirs.pk]) == []
    found = household_rows(user=worker, ids=[their_household.pk, my_household.pk])
    assert [row.pk for row in found] == [my_household.pk]
    assert household_rows(user=worker, ids=[their_household.pk]) == []
    street = make_user(Role.STREET_STAFF)
    both = person_rows(user=street, ids=[theirs.pk, mine.pk])
    assert [(row.pk, row.community_name) for row in both] == [
        (theirs.pk, org.c2.name),
        (mine.pk, org.c1.name),
    ]


def test_person_rows_show_what_the_model_shows_in_either_language(
    org, make_person, make_user
) -> None:
    """A row read as values says what the resident's own display methods say; the lookup by
    ID number (a resident already read) makes the same row."""
    moved = make_person(org.c2, name="迁出", sex="F")
    Person.objects.filter(pk=moved.pk).update(
        status=ResidentStatus.MOVED_OUT, is_floating=True, address="幸福路2号"
    )
    died = make_person(org.c1, name="已故")
    Person.objects.filter(pk=died.pk).update(status=ResidentStatus.DECEASED)
    street = make_user(Role.STREET_STAFF)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for person in Person.objects.filter(pk__in=[moved.pk, died.pk]):
                (row,) = person_rows(user=street, ids=[person.pk])
                assert row == PersonRow(
                    pk=person.pk,
                    name=person.name,
                    is_floating=person.is_floating,
                    sex_label=person.get_sex_display(),
                    birth_date=person.birth_date,
                    id_number_masked=person.id_number_masked,
                    address=person.address,
                    community_name=str(person.community),
                    status_label=person.get_status_display(),
                )
                looked_up = person_find_by_id_number(user=street, id_number=person.id_number)
                assert looked_up is not None
                assert PersonRow.of(looked_up) == row
    with translation.override("zh-hans"):
        assert person_rows(user=street, ids=[moved.pk])[0].status_label == "已迁出"


def test_a_resident_found_by_id_number_is_the_same_row_as_in_the_list(
    org, make_person, make_user, client_for
) -> None:
    person = make_person(org.c1, name="流动人员", sex="F")
    Person.objects.filter(pk=person.pk).update(is_floating=True)
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    link = f'<a href="{reverse("registry:person_detail", args=[person.pk])}">'

    def row(params: dict[str, str]) -> str:
        page = client.get(PERSONS, params).content.decode()
        return link + page.split(link)[1].split("</tr>")[0]

    by_id_number = row({"id_number": person.id_number})
    assert by_id_number == row({"name": "流动"})
    assert '流动人员</a> <span class="badge badge-warn">流动</span>' in by_id_number
    assert "<td>女</td>" in by_id_number
    assert f"<td>{org.c1.name}</td><td>在住</td>" in by_id_number


def test_short_address_search_queries_do_not_grow_with_rows(
    make_person, make_user, client_for
) -> None:
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    make_person(name="甲")
    client.get(PERSONS, {"address": "社区"})  # warm: resolved access, filter fields drawn
    few = queries_for(client, PERSONS, {"address": "社区"})
    for n in range(20):
        make_person(name=f"乙{n:02d}")
    assert queries_for(client, PERSONS, {"address": "社区"}) == few


def test_marriages_of_either_side_in_scope_latest_first(org, make_person, make_user) -> None:
    """Found by husband or wife through their own indexes; scope and order as before."""
    husband = make_person(org.c1, name="丈夫")
    first, second = (
        make_person(org.c1, name="前妻", sex="F"),
        make_person(org.c1, name="妻", sex="F"),
    )
    other = make_person(org.c1, name="邻居")
    old = Marriage.objects.create(
        community=org.c1, husband=husband, wife=first, date=dt.date(2010, 1, 1)
    )
    new = Marriage.objects.create(
        community=org.c1, husband=husband, wife=second, date=dt.date(2020, 1, 1)
    )
    Marriage.objects.create(community=org.c1, husband=other, wife=first, date=dt.date(2015, 1, 1))
    hidden = make_person(org.c2, name="外社区", sex="F")
    Marriage.objects.create(
        community=org.c2, husband=husband, wife=hidden, date=dt.date(2021, 1, 1)
    )
    worker = make_user(Role.COMMUNITY_WORKER)
    assert list(person_marriages(worker, husband)) == [new, old]
    assert [m.husband for m in person_marriages(worker, second)] == [husband]
    assert len(person_marriages(worker, first)) == 2
