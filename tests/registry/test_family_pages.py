"""Family pages: the printable family view and the family correction forms (refusals come
back on the form with the input kept, in Chinese; other communities' residents are 404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jisheng.audit.models import AuditEvent
from jisheng.core.roles import Role
from jisheng.registry.models import HouseholdMember, ParentLink, Person, Relation, ResidentStatus

GROUNDS = {"evidence": "户口簿", "reason": "补录家庭关系", "date": "2026-06-01"}


@pytest.fixture
def client(make_user, client_for):
    return client_for(make_user(Role.COMMUNITY_WORKER))


@pytest.fixture
def mother(make_person) -> Person:
    return make_person(name="李秀英", sex="F", birth_date=dt.date(1960, 5, 1))


@pytest.fixture
def son(make_person) -> Person:
    return make_person(name="王小明", sex="M", birth_date=dt.date(1985, 7, 1))


def url(name: str, *args: int) -> str:
    return reverse(f"registry:{name}", args=args)


def test_a_child_elsewhere_is_added_and_shown_on_the_printable_family_view(client, mother) -> None:
    response = client.post(
        url("family_non_resident_child", mother.pk),
        {
            **GROUNDS,
            "name": "王晓红",
            "sex": "F",
            "birth_date": "1988-02-01",
            "lives_in": "上海市浦东新区",
            "death_date": "",
            "disability_grade": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == url("person_family", mother.pk)

    page = client.get(url("person_family", mother.pk))

    content = page.content.decode()
    assert page.status_code == 200
    child = Person.objects.get(status=ResidentStatus.NON_RESIDENT)
    assert f'data-person="{child.pk}" data-resident="false" data-alive="true"' in content
    assert "上海市浦东新区" in content
    assert '<dd data-fact="children">1</dd>' in content
    assert '<dd data-fact="child_disability_grade">2</dd>' in content
    assert "data-print" in content
    assert AuditEvent.objects.filter(
        action="view", object_id=str(mother.pk), detail__view="family"
    ).exists()


def test_the_resident_list_leaves_out_a_child_elsewhere(client, mother) -> None:
    client.post(
        url("family_non_resident_child", mother.pk),
        {**GROUNDS, "name": "王晓红", "sex": "F", "birth_date": "1988-02-01"},
    )
    listed = client.get(url("person_list")).content.decode()
    assert "李秀英" in listed
    assert "王晓红" not in listed


def test_link_a_child_by_id_number_and_see_it_in_the_history(client, mother, son) -> None:
    response = client.post(
        url("family_parent_link", mother.pk),
        {**GROUNDS, "role": "child", "other_id_number": son.id_number},
    )

    assert response.status_code == 302
    assert ParentLink.objects.filter(parent=mother, child=son).exists()
    history = client.get(url("person_detail", son.pk)).content.decode()
    assert "关联父母子女" in history
    assert "证明材料：户口簿" in history


def test_an_unknown_id_number_comes_back_on_the_form_in_chinese(client, mother) -> None:
    response = client.post(
        url("family_parent_link", mother.pk),
        {**GROUNDS, "role": "child", "other_id_number": "110101199001011237"},
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "您的辖区内没有该身份证号码的居民。" in content
    assert 'value="补录家庭关系"' in content


def test_linking_oneself_as_parent_is_refused_on_the_form(client, mother) -> None:
    response = client.post(
        url("family_parent_link", mother.pk),
        {**GROUNDS, "role": "parent", "other_id_number": mother.id_number},
    )
    assert response.status_code == 400
    assert "一个人不能是自己的父母。" in response.content.decode()


def test_the_family_view_of_another_communitys_resident_is_404_and_audited(
    client, org, make_person
) -> None:
    elsewhere = make_person(org.c2, name="王远")
    path = url("person_family", elsewhere.pk)

    assert client.get(path).status_code == 404
    assert client.post(url("family_parent_link", elsewhere.pk), GROUNDS).status_code == 404
    assert AuditEvent.objects.filter(action="denied", detail__path=path).exists()


def test_remove_a_wrong_parent_link_from_the_family_view(client, mother, son) -> None:
    ParentLink.objects.create(parent=mother, child=son)

    response = client.post(url("family_parent_unlink", son.pk, mother.pk), GROUNDS)

    assert response.status_code == 302
    assert not ParentLink.objects.exists()


def test_remove_a_wrong_child_link_from_the_parents_side(client, mother, son, make_person) -> None:
    ParentLink.objects.create(parent=mother, child=son)
    stranger = make_person(name="赵无关")

    shown = client.get(url("family_parent_unlink", mother.pk, son.pk))
    assert shown.status_code == 200
    assert "王小明" in shown.content.decode()
    assert client.get(url("family_parent_unlink", mother.pk, stranger.pk)).status_code == 404

    response = client.post(url("family_parent_unlink", mother.pk, son.pk), GROUNDS)

    assert response.status_code == 302
    assert not ParentLink.objects.exists()


def test_change_the_head_of_a_household(client, make_household, mother, son) -> None:
    household = make_household(mother)
    HouseholdMember.objects.create(
        household=household, person=son, relation=Relation.SON, start_date=dt.date(2020, 1, 1)
    )

    response = client.post(
        url("household_head", household.pk),
        {**GROUNDS, "head": str(son.pk), "former_head_relation": Relation.PARENT},
    )

    assert response.status_code == 302
    household.refresh_from_db()
    assert household.head_id == son.pk


def test_a_member_outside_the_household_cannot_be_chosen_head(
    client, make_household, mother, son
) -> None:
    household = make_household(mother)
    response = client.post(
        url("household_head", household.pk),
        {**GROUNDS, "head": str(son.pk), "former_head_relation": Relation.PARENT},
    )
    assert response.status_code == 400
