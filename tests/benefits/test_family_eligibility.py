"""Children who are not residents here count for the programs: "number of children" and
"only child died or disabled" read them; they themselves are never residents to pay."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.benefits import selectors
from jisheng.benefits.eligibility import explain
from jisheng.core.actors import Actor
from jisheng.registry.models import Person
from jisheng.registry.services import family
from jisheng.registry.services.family import Grounds, NonResidentData

AS_OF = dt.date(2026, 6, 30)
GROUNDS = Grounds(evidence="户口簿", reason="补录外地子女", date=dt.date(2026, 6, 1))


def eligible(worker, program, code: str, as_of: dt.date = AS_OF) -> set[int]:
    found = selectors.eligible_persons(user=worker, program=program(code), as_of=as_of)
    return set(found.values_list("pk", flat=True))


def add_child(worker, parent: Person, other: Person | None = None, **facts: object) -> Person:
    values: dict[str, object] = {
        "name": "王晓红",
        "sex": "F",
        "birth_date": dt.date(1988, 2, 1),
        "lives_in": "上海市",
    }
    values.update(facts)
    event = family.non_resident_child_record(
        actor=Actor(user=worker),
        parent=parent,
        child=NonResidentData(**values),  # type: ignore[arg-type]
        other_parent=other,
        grounds=GROUNDS,
    )
    return Person.objects.get(pk=event.other_person_id)


@pytest.fixture
def couple(make_family):
    husband, wife, _kids = make_family(
        husband_birth=dt.date(1958, 3, 1), wife_birth=dt.date(1962, 5, 1)
    )
    return husband, wife


def test_only_child_who_died_before_the_registry_makes_both_parents_eligible_for_special_support(
    worker, program, couple
) -> None:
    husband, wife = couple
    add_child(worker, wife, husband, death_date=dt.date(2010, 4, 1))

    assert eligible(worker, program, "special-support") == {husband.pk, wife.pk}
    assert explain(program("special-support").rule, wife, AS_OF).eligible


def test_only_child_living_elsewhere_disabled_grade_2_qualifies_grade_4_does_not(
    worker, program, couple
) -> None:
    husband, wife = couple
    child = add_child(worker, wife, husband, disability_grade=4)
    assert eligible(worker, program, "special-support") == set()

    family.non_resident_update(
        actor=Actor(user=worker),
        person=child,
        lives_in="上海市",
        death_date=None,
        disability_grade=2,
        grounds=GROUNDS,
    )

    assert eligible(worker, program, "special-support") == {husband.pk, wife.pk}


def test_a_child_alive_on_the_day_asked_is_not_counted_as_deceased(worker, program, couple) -> None:
    husband, wife = couple
    add_child(worker, wife, husband, death_date=dt.date(2026, 3, 1))

    assert eligible(worker, program, "special-support", as_of=dt.date(2025, 12, 31)) == set()
    assert eligible(worker, program, "special-support") == {husband.pk, wife.pk}


def test_a_child_living_elsewhere_is_counted_in_the_number_of_children(
    worker, program, make_family
) -> None:
    husband, wife, _kids = make_family(
        husband_birth=dt.date(1988, 1, 1),
        wife_birth=dt.date(1990, 1, 1),
        children=(("M", dt.date(2016, 1, 1)),),
    )
    # A couple program lists the couple once, through one of the spouses.
    assert len(eligible(worker, program, "only-child-parents") & {husband.pk, wife.pk}) == 1

    add_child(worker, wife, husband, birth_date=dt.date(2012, 5, 1))  # the couple's elder child

    assert not eligible(worker, program, "only-child-parents") & {husband.pk, wife.pk}


def test_rural_reward_reads_living_sons_elsewhere(worker, program, make_family) -> None:
    husband, _wife, _kids = make_family(
        hukou="rural",
        husband_birth=dt.date(1955, 1, 1),
        wife_birth=dt.date(1957, 1, 1),
        children=(("M", dt.date(1982, 1, 1)),),
    )
    assert husband.pk in eligible(worker, program, "rural-reward-support")

    add_child(worker, husband, name="王二强", sex="M", birth_date=dt.date(1984, 1, 1))

    assert husband.pk not in eligible(worker, program, "rural-reward-support")


def test_a_child_living_elsewhere_is_never_paid_as_a_resident(worker, program, couple) -> None:
    _husband, wife = couple
    add_child(worker, wife, birth_date=dt.date(2025, 1, 1))

    paid = eligible(worker, program, "childcare-subsidy")

    assert not Person.objects.filter(pk__in=paid, status="non_resident").exists()
