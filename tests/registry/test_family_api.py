"""The family API and the dedup API: the same services as the pages, the same scope, JSON
errors with codes and Chinese messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jisheng.audit.models import AuditEvent
from jisheng.core.roles import Role
from jisheng.registry.models import (
    DuplicateFlag,
    HouseholdMember,
    LifeEvent,
    Marriage,
    ParentLink,
    Person,
    Relation,
    ResidentStatus,
)
from jisheng.registry.services.persons import flag_likely_duplicates

GROUNDS = {"evidence": "户口簿", "reason": "补录家庭关系", "date": "2026-06-01"}


@pytest.fixture
def worker(make_user):
    return make_user(Role.COMMUNITY_WORKER)


@pytest.fixture
def api(worker, client_for) -> Client:
    return client_for(worker)


@pytest.fixture
def mother(make_person) -> Person:
    return make_person(name="李秀英", sex="F", birth_date=dt.date(1960, 5, 1))


@pytest.fixture
def father(make_person) -> Person:
    return make_person(name="王建国", sex="M", birth_date=dt.date(1958, 3, 1))


@pytest.fixture
def son(make_person) -> Person:
    return make_person(name="王小明", sex="M", birth_date=dt.date(1985, 7, 1))


def change(api: Client, **body: object):
    return api.post("/api/family", {**GROUNDS, **body}, content_type="application/json")


def test_link_a_parent_then_undo_it_through_the_events_api(api, mother, son) -> None:
    response = change(api, kind="parent_link", person_id=son.pk, other_person_id=mother.pk)
    assert response.status_code == 201, response.content
    event = response.json()
    assert event["data"] == {"change": "parent_link", "evidence": "户口簿"}
    assert ParentLink.objects.filter(parent=mother, child=son).exists()

    undo = api.post(
        "/api/events",
        {"kind": "reversal", "event_id": event["id"], "reason": "录错", "date": "2026-06-02"},
        content_type="application/json",
    )

    assert undo.status_code == 201, undo.content
    assert not ParentLink.objects.exists()


def test_a_contradiction_is_a_4xx_with_a_code_and_a_chinese_message(api, make_person, son) -> None:
    young = make_person(name="刘青", sex="F", birth_date=dt.date(1975, 1, 1))

    response = change(api, kind="parent_link", person_id=son.pk, other_person_id=young.pk)

    assert response.status_code == 400
    assert response.json()["code"] == "parent_too_young"
    assert "14" in response.json()["message"]


def test_linking_a_resident_of_another_community_is_404_and_audited(
    api, org, make_person, mother
) -> None:
    elsewhere = make_person(org.c2, name="王远", sex="M", birth_date=dt.date(1986, 1, 1))

    response = change(api, kind="parent_link", person_id=elsewhere.pk, other_person_id=mother.pk)

    assert response.status_code == 404
    assert not ParentLink.objects.exists()
    assert AuditEvent.objects.filter(action="denied", detail__path="/api/family").exists()


def test_spouses_and_a_child_elsewhere_then_the_family(api, mother, father) -> None:
    married = change(
        api,
        kind="spouse_link",
        person_id=father.pk,
        other_person_id=mother.pk,
        married_on="1983-10-01",
    )
    assert married.status_code == 201, married.content
    child = change(
        api,
        kind="non_resident_child",
        person_id=mother.pk,
        other_person_id=father.pk,
        child={
            "name": "王晓红",
            "sex": "F",
            "birth_date": "1988-02-01",
            "lives_in": "上海市",
            "death_date": "2010-04-01",
        },
    )
    assert child.status_code == 201, child.content

    found = api.get(f"/api/persons/{mother.pk}/family").json()

    assert [s["id"] for s in found["spouses"]] == [father.pk]
    assert found["spouses"][0]["married_on"] == "1983-10-01"
    [kid] = found["children"]
    assert (kid["name"], kid["resident"], kid["alive"], kid["death_date"], kid["lives_in"]) == (
        "王晓红",
        False,
        False,
        "2010-04-01",
        "上海市",
    )
    assert (found["children_count"], found["deceased_children"]) == (1, 1)
    assert Person.objects.get(pk=kid["id"]).status == ResidentStatus.NON_RESIDENT


def test_a_second_marriage_is_refused_with_409(api, make_person, mother, father) -> None:
    change(
        api,
        kind="spouse_link",
        person_id=father.pk,
        other_person_id=mother.pk,
        married_on="1983-10-01",
    )
    other = make_person(name="孙丽", sex="F", birth_date=dt.date(1961, 1, 1))

    response = change(
        api,
        kind="spouse_link",
        person_id=father.pk,
        other_person_id=other.pk,
        married_on="1990-01-01",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "already_married"
    assert Marriage.objects.count() == 1


def test_a_missing_field_for_the_kind_is_400(api, mother) -> None:
    response = change(api, kind="spouse_link", person_id=mother.pk)
    assert response.status_code == 400
    assert LifeEvent.objects.count() == 0


# ---------------------------------------------------------------- possible duplicates


@pytest.fixture
def pair(make_person) -> tuple[Person, Person, DuplicateFlag]:
    older = make_person(name="王秀英", sex="F", birth_date=dt.date(1970, 2, 2), phone="")
    newer = make_person(name="王秀英", sex="F", birth_date=dt.date(1970, 2, 2))
    [flag] = flag_likely_duplicates(newer)
    return older, newer, flag


def test_the_open_flags_are_listed_masked(api, pair) -> None:
    older, newer, flag = pair

    response = api.get("/api/duplicates")

    assert response.status_code == 200
    [item] = response.json()["items"]
    assert (item["id"], item["person"]["id"], item["candidate"]["id"]) == (
        flag.pk,
        newer.pk,
        older.pk,
    )
    assert newer.id_number not in response.content.decode()
    assert item["person"]["id_number_masked"] == newer.id_number_masked


def test_dismiss_through_the_api_then_it_is_decided(api, pair) -> None:
    _older, _newer, flag = pair

    response = api.post(f"/api/duplicates/{flag.pk}/dismiss")

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "not_duplicate"
    again = api.post(f"/api/duplicates/{flag.pk}/dismiss")
    assert (again.status_code, again.json()["code"]) == (409, "flag_decided")
    assert api.get("/api/duplicates").json()["items"] == []


def test_merge_through_the_api_keeps_one_record(api, pair) -> None:
    older, newer, flag = pair

    response = api.post(
        f"/api/duplicates/{flag.pk}/merge", {"keep_id": older.pk}, content_type="application/json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["id"] == older.pk
    assert Person.objects.get(pk=newer.pk).status == ResidentStatus.VOIDED
    assert DuplicateFlag.objects.get(pk=flag.pk).state == DuplicateFlag.State.MERGED


def test_merge_keeping_a_third_record_is_refused(api, pair, son) -> None:
    _older, _newer, flag = pair
    response = api.post(
        f"/api/duplicates/{flag.pk}/merge", {"keep_id": son.pk}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "invalid_keep")


def test_a_flag_out_of_scope_is_404(org, make_person, make_user, client_for) -> None:
    make_person(org.c2, name="赵秋菊", birth_date=dt.date(1970, 2, 2))
    [flag] = flag_likely_duplicates(
        make_person(org.c2, name="赵秋菊", birth_date=dt.date(1970, 2, 2))
    )
    api = client_for(make_user(Role.COMMUNITY_WORKER))

    assert api.post(f"/api/duplicates/{flag.pk}/dismiss").status_code == 404
    assert api.get("/api/duplicates").json()["items"] == []


def test_roles_without_registry_work_cannot_list_flags(pair, make_user, client_for) -> None:
    api = client_for(make_user(Role.LEADER))
    assert api.get("/api/duplicates").status_code == 403


def test_head_and_relation_changes_through_the_api(api, make_household, mother, son) -> None:
    household = make_household(mother)
    HouseholdMember.objects.create(
        household=household, person=son, relation=Relation.OTHER, start_date=dt.date(2020, 1, 1)
    )

    relation = change(api, kind="member_relation", person_id=son.pk, relation=Relation.SON)
    head = change(
        api,
        kind="household_head",
        household_id=household.pk,
        person_id=son.pk,
        relation=Relation.PARENT,
    )

    assert (relation.status_code, head.status_code) == (201, 201), head.content
    relations = dict(HouseholdMember.objects.values_list("person_id", "relation"))
    assert relations == {son.pk: Relation.HEAD, mother.pk: Relation.PARENT}
    again = change(
        api,
        kind="household_head",
        household_id=household.pk,
        person_id=son.pk,
        relation=Relation.PARENT,
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_head")
