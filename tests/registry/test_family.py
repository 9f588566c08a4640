"""Family corrections: link and unlink residents who already exist, change a household's head
or a member's relation, record a child who is not a resident; each an audited, reversible
correction event that refuses contradictions and stays inside the actor's scope."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError, NotFound
from jisheng.core.idnumber import id_number_check_digit
from jisheng.core.roles import Role
from jisheng.registry import selectors
from jisheng.registry.models import (
    HouseholdMember,
    LifeEvent,
    MaritalStatus,
    Marriage,
    NonResident,
    ParentLink,
    Person,
    Relation,
    ResidentStatus,
)
from jisheng.registry.services import events, family
from jisheng.registry.services.family import Grounds, NonResidentData
from jisheng.registry.services.persons import InvalidPerson
from jisheng.reports.selectors import home_figures

TODAY = dt.date(2026, 11, 1)
GROUNDS = Grounds(evidence="户口簿 第3页", reason="导入后补录家庭关系", date=TODAY)


@pytest.fixture
def actor(make_user) -> Actor:
    return Actor(user=make_user(Role.COMMUNITY_WORKER), ip="127.0.0.1")


@pytest.fixture
def mother(make_person) -> Person:
    return make_person(name="李秀英", sex="F", birth_date=dt.date(1960, 5, 1))


@pytest.fixture
def father(make_person) -> Person:
    return make_person(name="王建国", sex="M", birth_date=dt.date(1958, 3, 1))


@pytest.fixture
def son(make_person) -> Person:
    return make_person(name="王小明", sex="M", birth_date=dt.date(1985, 7, 1))


def reverse(actor: Actor, event: LifeEvent) -> LifeEvent:
    return events.event_reverse(actor=actor, event=event, reason="录入错误", date=TODAY)


def test_parent_link_is_an_audited_correction_with_evidence(actor, mother, son) -> None:
    event = family.parent_link(actor=actor, parent=mother, child=son, grounds=GROUNDS)

    assert ParentLink.objects.filter(parent=mother, child=son).exists()
    assert (event.kind, event.person_id, event.other_person_id) == ("correction", son.pk, mother.pk)
    assert event.data == {"change": "parent_link", "evidence": "户口簿 第3页"}
    assert (event.note, event.recorded_by_id) == ("导入后补录家庭关系", actor.user.pk)
    assert AuditEvent.objects.filter(object_id=str(event.pk), action="create").exists()


def test_reversing_a_parent_link_removes_it(actor, mother, son) -> None:
    event = family.parent_link(actor=actor, parent=mother, child=son, grounds=GROUNDS)

    reverse(actor, event)

    assert not ParentLink.objects.filter(parent=mother, child=son).exists()


def test_unlinking_removes_the_tie_and_reversing_restores_it_under_its_id(
    actor, mother, son
) -> None:
    family.parent_link(actor=actor, parent=mother, child=son, grounds=GROUNDS)
    link_id = ParentLink.objects.get(parent=mother, child=son).pk

    event = family.parent_unlink(actor=actor, parent=mother, child=son, grounds=GROUNDS)
    assert not ParentLink.objects.filter(parent=mother, child=son).exists()
    reverse(actor, event)

    assert ParentLink.objects.get(parent=mother, child=son).pk == link_id


def test_unlinking_two_people_who_are_not_linked_is_refused(actor, mother, son) -> None:
    with pytest.raises(Conflict) as refused:
        family.parent_unlink(actor=actor, parent=mother, child=son, grounds=GROUNDS)
    assert refused.value.code == "not_linked"


def test_a_person_cannot_be_their_own_parent(actor, son) -> None:
    with pytest.raises(JishengError) as refused:
        family.parent_link(actor=actor, parent=son, child=son, grounds=GROUNDS)
    assert refused.value.code == "own_parent"
    assert str(refused.value.message) == "一个人不能是自己的父母。"


def test_a_third_parent_is_refused(actor, make_person, mother, father, son) -> None:
    family.parent_link(actor=actor, parent=mother, child=son, grounds=GROUNDS)
    family.parent_link(actor=actor, parent=father, child=son, grounds=GROUNDS)
    other = make_person(name="赵大海", sex="M", birth_date=dt.date(1955, 1, 1))

    with pytest.raises(Conflict) as refused:
        family.parent_link(actor=actor, parent=other, child=son, grounds=GROUNDS)

    assert refused.value.code == "third_parent"
    assert "第三位" in str(refused.value.message)
    assert ParentLink.objects.filter(child=son).count() == 2


def test_a_second_mother_is_refused(actor, make_person, mother, son) -> None:
    family.parent_link(actor=actor, parent=mother, child=son, grounds=GROUNDS)
    other = make_person(name="孙丽", sex="F", birth_date=dt.date(1961, 1, 1))

    with pytest.raises(Conflict) as refused:
        family.parent_link(actor=actor, parent=other, child=son, grounds=GROUNDS)

    assert refused.value.code == "parent_taken"


def test_a_parent_less_than_14_years_older_is_refused(actor, make_person, son) -> None:
    young = make_person(name="刘青", sex="F", birth_date=dt.date(1972, 1, 1))

    with pytest.raises(JishengError) as refused:
        family.parent_link(actor=actor, parent=young, child=son, grounds=GROUNDS)

    assert refused.value.code == "parent_too_young"
    assert "14" in str(refused.value.message)
    assert not ParentLink.objects.exists()


def test_linking_without_evidence_or_reason_is_refused(actor, mother, son) -> None:
    for grounds, code in (
        (Grounds(evidence=" ", reason="补录", date=TODAY), "evidence_required"),
        (Grounds(evidence="户口簿", reason="", date=TODAY), "reason_required"),
    ):
        with pytest.raises(JishengError) as refused:
            family.parent_link(actor=actor, parent=mother, child=son, grounds=grounds)
        assert refused.value.code == code
    assert not LifeEvent.objects.exists()


def test_spouse_link_marries_both_and_reversing_undoes_it(actor, mother, father) -> None:
    event = family.spouse_link(
        actor=actor, husband=father, wife=mother, married_on=dt.date(1983, 10, 1), grounds=GROUNDS
    )

    marriage = Marriage.objects.get()
    assert (marriage.husband_id, marriage.wife_id, marriage.date) == (
        father.pk,
        mother.pk,
        dt.date(1983, 10, 1),
    )
    assert Person.objects.get(pk=mother.pk).marital_status == MaritalStatus.MARRIED
    reverse(actor, event)
    assert not Marriage.objects.exists()
    assert Person.objects.get(pk=mother.pk).marital_status == MaritalStatus.UNMARRIED


def test_a_spouse_already_married_to_someone_else_is_refused(
    actor, make_person, mother, father
) -> None:
    family.spouse_link(
        actor=actor, husband=father, wife=mother, married_on=dt.date(1983, 10, 1), grounds=GROUNDS
    )
    other = make_person(name="孙丽", sex="F", birth_date=dt.date(1961, 1, 1))

    with pytest.raises(Conflict) as refused:
        family.spouse_link(
            actor=actor, husband=father, wife=other, married_on=dt.date(1990, 1, 1), grounds=GROUNDS
        )

    assert refused.value.code == "already_married"
    assert "王建国" in str(refused.value.message)


@pytest.mark.parametrize(
    ("married_on", "code"),
    [(dt.date(1975, 1, 1), "under_age"), (dt.date(2099, 1, 1), "invalid_date")],
)
def test_an_impossible_marriage_date_is_refused(actor, mother, father, married_on, code) -> None:
    with pytest.raises(JishengError) as refused:
        family.spouse_link(
            actor=actor, husband=father, wife=mother, married_on=married_on, grounds=GROUNDS
        )
    assert refused.value.code == code
    assert not Marriage.objects.exists()


def test_spouse_unlink_removes_the_marriage_and_reversing_restores_it(
    actor, mother, father
) -> None:
    family.spouse_link(
        actor=actor, husband=father, wife=mother, married_on=dt.date(1983, 10, 1), grounds=GROUNDS
    )
    marriage = Marriage.objects.get()

    event = family.spouse_unlink(actor=actor, marriage=marriage, grounds=GROUNDS)
    assert not Marriage.objects.exists()
    assert Person.objects.get(pk=father.pk).marital_status == MaritalStatus.UNMARRIED
    reverse(actor, event)

    restored = Marriage.objects.get()
    assert (restored.pk, restored.date, restored.end_date) == (marriage.pk, marriage.date, None)
    assert Person.objects.get(pk=father.pk).marital_status == MaritalStatus.MARRIED


def test_head_change_swaps_relations_and_reversing_restores_them(
    actor, make_household, mother, father
) -> None:
    household = make_household(father)
    HouseholdMember.objects.create(
        household=household, person=mother, relation=Relation.SPOUSE, start_date=TODAY
    )

    event = family.household_head_change(
        actor=actor,
        household=household,
        head=mother,
        former_head_relation=Relation.SPOUSE,
        grounds=GROUNDS,
    )

    household.refresh_from_db()
    assert household.head_id == mother.pk
    relations = dict(HouseholdMember.objects.values_list("person_id", "relation"))
    assert relations == {mother.pk: Relation.HEAD, father.pk: Relation.SPOUSE}
    reverse(actor, event)
    household.refresh_from_db()
    assert household.head_id == father.pk
    relations = dict(HouseholdMember.objects.values_list("person_id", "relation"))
    assert relations == {mother.pk: Relation.SPOUSE, father.pk: Relation.HEAD}


def test_the_new_head_must_be_a_member(actor, make_household, father, son) -> None:
    household = make_household(father)
    with pytest.raises(JishengError) as refused:
        family.household_head_change(
            actor=actor,
            household=household,
            head=son,
            former_head_relation=Relation.PARENT,
            grounds=GROUNDS,
        )
    assert refused.value.code == "not_a_member"


def test_member_relation_change_and_its_reversal(actor, make_household, father, son) -> None:
    household = make_household(father)
    member = HouseholdMember.objects.create(
        household=household, person=son, relation=Relation.OTHER, start_date=TODAY
    )

    event = family.member_relation_change(
        actor=actor, person=son, relation=Relation.SON, grounds=GROUNDS
    )
    member.refresh_from_db()
    assert member.relation == Relation.SON
    reverse(actor, event)
    member.refresh_from_db()
    assert member.relation == Relation.OTHER


def test_a_community_worker_cannot_link_a_resident_of_another_community(
    actor, org, make_person, mother
) -> None:
    elsewhere = make_person(org.c2, name="王远", sex="M", birth_date=dt.date(1986, 1, 1))

    with pytest.raises(NotFound):
        family.parent_link(actor=actor, parent=mother, child=elsewhere, grounds=GROUNDS)
    assert not ParentLink.objects.exists()


def test_street_staff_link_residents_of_two_communities_on_the_childs_community(
    make_user, org, make_person, mother
) -> None:
    street = Actor(user=make_user(Role.STREET_STAFF))
    elsewhere = make_person(org.c2, name="王远", sex="M", birth_date=dt.date(1986, 1, 1))

    event = family.parent_link(actor=street, parent=mother, child=elsewhere, grounds=GROUNDS)

    assert event.community_id == org.c2.pk
    assert ParentLink.objects.filter(parent=mother, child=elsewhere).exists()


def child_elsewhere(**overrides: object) -> NonResidentData:
    values: dict[str, object] = {
        "name": "王晓红",
        "sex": "F",
        "birth_date": dt.date(1988, 2, 1),
        "lives_in": "上海市浦东新区",
    }
    values.update(overrides)
    return NonResidentData(**values)  # type: ignore[arg-type]


def test_a_child_living_elsewhere_is_a_child_but_no_resident(actor, mother, father) -> None:
    family.spouse_link(
        actor=actor, husband=father, wife=mother, married_on=dt.date(1983, 10, 1), grounds=GROUNDS
    )
    living_before = home_figures(actor.user)[0].value

    event = family.non_resident_child_record(
        actor=actor, parent=mother, child=child_elsewhere(), other_parent=father, grounds=GROUNDS
    )

    child = Person.objects.get(pk=event.other_person_id)
    assert (child.status, child.address, child.id_number) == (
        ResidentStatus.NON_RESIDENT,
        "上海市浦东新区",
        None,
    )
    assert set(ParentLink.objects.filter(child=child).values_list("parent_id", flat=True)) == {
        mother.pk,
        father.pk,
    }
    assert home_figures(actor.user)[0].value == living_before
    listed = selectors.person_list(user=actor.user, filters=selectors.PersonFilters())
    assert child not in listed
    found = selectors.person_family(actor=actor, person_id=mother.pk)
    assert [(r.person.pk, r.resident, r.alive) for r in found.children] == [(child.pk, False, True)]


def test_a_child_who_died_before_the_registry_is_recorded_with_the_date(actor, mother) -> None:
    event = family.non_resident_child_record(
        actor=actor,
        parent=mother,
        child=child_elsewhere(death_date=dt.date(2010, 4, 1), disability_grade=2),
        grounds=GROUNDS,
    )

    facts = NonResident.objects.get(person=event.other_person_id)
    assert (facts.death_date, facts.disability_grade) == (dt.date(2010, 4, 1), 2)
    found = selectors.person_family(actor=actor, person_id=mother.pk)
    assert (found.deceased_children, len(found.living_children)) == (1, 0)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"death_date": dt.date(1980, 1, 1)}, "死亡日期早于出生日期。"),
        ({"disability_grade": 7}, "残疾等级为 1 至 4 级。"),
        ({"id_number": "110101199001011234"}, None),
    ],
)
def test_impossible_facts_of_a_child_elsewhere_are_refused(
    actor, mother, overrides, message
) -> None:
    with pytest.raises(InvalidPerson) as refused:
        family.non_resident_child_record(
            actor=actor, parent=mother, child=child_elsewhere(**overrides), grounds=GROUNDS
        )
    if message:
        assert message in refused.value.problems
    assert not Person.objects.filter(status=ResidentStatus.NON_RESIDENT).exists()


@pytest.mark.parametrize(
    ("dates", "code"),
    [
        ({"birth_date": dt.date(1850, 1, 1)}, "date_before_1900"),
        ({"death_date": dt.date(2099, 1, 1)}, "future_date"),
    ],
)
def test_an_impossible_date_of_a_child_elsewhere_is_named_as_such(
    actor, mother, dates, code
) -> None:
    # Not "the parent is too young": the date itself cannot be.
    with pytest.raises(JishengError) as refused:
        family.non_resident_child_record(
            actor=actor, parent=mother, child=child_elsewhere(**dates), grounds=GROUNDS
        )
    assert refused.value.code == code


def test_a_child_elsewhere_younger_parent_gap_is_refused(actor, mother) -> None:
    with pytest.raises(JishengError) as refused:
        family.non_resident_child_record(
            actor=actor,
            parent=mother,
            child=child_elsewhere(birth_date=dt.date(1970, 1, 1)),
            grounds=GROUNDS,
        )
    assert refused.value.code == "parent_too_young"


def test_reversing_a_child_elsewhere_voids_the_record(actor, mother) -> None:
    event = family.non_resident_child_record(
        actor=actor, parent=mother, child=child_elsewhere(), grounds=GROUNDS
    )

    reverse(actor, event)

    assert Person.objects.get(pk=event.other_person_id).status == ResidentStatus.VOIDED
    assert not ParentLink.objects.filter(parent=mother).exists()


def test_the_facts_of_a_child_elsewhere_change_by_a_reversible_correction(actor, mother) -> None:
    child = Person.objects.get(
        pk=family.non_resident_child_record(
            actor=actor, parent=mother, child=child_elsewhere(), grounds=GROUNDS
        ).other_person_id
    )

    event = family.non_resident_update(
        actor=actor,
        person=child,
        lives_in="北京市",
        death_date=dt.date(2020, 1, 1),
        disability_grade=None,
        grounds=GROUNDS,
    )
    assert NonResident.objects.get(person=child).death_date == dt.date(2020, 1, 1)
    reverse(actor, event)

    assert NonResident.objects.get(person=child).death_date is None
    assert Person.objects.get(pk=child.pk).address == "上海市浦东新区"


def test_the_same_child_elsewhere_entered_twice_is_refused(actor, mother) -> None:
    family.non_resident_child_record(
        actor=actor, parent=mother, child=child_elsewhere(), grounds=GROUNDS
    )

    with pytest.raises(Conflict) as refused:
        family.non_resident_child_record(
            actor=actor, parent=mother, child=child_elsewhere(), grounds=GROUNDS
        )

    assert refused.value.code == "child_exists"
    assert Person.objects.filter(status=ResidentStatus.NON_RESIDENT).count() == 1


def test_a_child_elsewhere_with_an_id_number_is_not_listed_even_by_that_number(
    actor, mother
) -> None:
    body = "37040419880201998"
    id_number = body + id_number_check_digit(body)
    family.non_resident_child_record(
        actor=actor, parent=mother, child=child_elsewhere(id_number=id_number), grounds=GROUNDS
    )

    by_number = selectors.PersonFilters(id_number=id_number)
    assert list(selectors.person_search(user=actor.user, filters=by_number)) == []
    by_status = selectors.PersonFilters(id_number=id_number, status="non_resident")
    assert [p.name for p in selectors.person_search(user=actor.user, filters=by_status)] == [
        "王晓红"
    ]
