"""The eligibility engine: one SQL condition for everyone, one explanation for one person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from jisheng.benefits.eligibility import (
    RuleError,
    explain,
    needs_a_child,
    persons_meeting,
    validate_rule,
)
from jisheng.benefits.eligibility.dates import age_on
from jisheng.benefits.models import DisabilityRecord
from jisheng.core.actors import Actor
from jisheng.core.dates import add_months
from jisheng.registry.models import Person
from jisheng.registry.services import events

AGE_60 = {"fact": "age", "op": ">=", "value": 60}


def matches(rule: dict, person: Person, as_of: dt.date) -> bool:
    return persons_meeting(rule, as_of, Person.objects.filter(pk=person.pk)).exists()


def test_sixtieth_birthday_on_the_cut_off_day_qualifies_and_a_day_later_does_not(
    make_person,
) -> None:
    as_of = dt.date(2026, 6, 30)
    on_the_day = make_person(birth_date=dt.date(1966, 6, 30))
    day_after = make_person(name="李四", birth_date=dt.date(1966, 7, 1))
    assert matches(AGE_60, on_the_day, as_of)
    assert not matches(AGE_60, day_after, as_of)
    assert explain(AGE_60, on_the_day, as_of).eligible
    assert not explain(AGE_60, day_after, as_of).eligible


def test_leap_day_birth_gains_a_year_of_age_on_1_march_in_common_years(make_person) -> None:
    leapling = make_person(birth_date=dt.date(1964, 2, 29))
    rule = {"fact": "age", "op": ">=", "value": 62}
    assert not matches(rule, leapling, dt.date(2026, 2, 28))
    assert matches(rule, leapling, dt.date(2026, 3, 1))
    assert age_on(dt.date(1964, 2, 29), dt.date(2026, 2, 28), "years") == 61
    assert age_on(dt.date(1964, 2, 29), dt.date(2026, 3, 1), "years") == 62
    assert age_on(dt.date(1964, 2, 29), dt.date(2028, 2, 29), "years") == 64


@pytest.mark.parametrize(
    ("birth", "as_of", "months"),
    [
        (dt.date(2025, 3, 15), dt.date(2025, 3, 31), 0),
        (dt.date(2025, 3, 15), dt.date(2028, 3, 14), 35),
        (dt.date(2025, 3, 15), dt.date(2028, 3, 15), 36),
        # Born on a day the next month lacks: the month is complete the day after its end.
        (dt.date(2025, 1, 31), dt.date(2025, 2, 28), 0),
        (dt.date(2025, 1, 31), dt.date(2025, 3, 1), 1),
    ],
)
def test_age_in_months_counts_whole_months(birth, as_of, months) -> None:
    assert age_on(birth, as_of, "months") == months
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)


def test_mother_age_explains_the_failure_in_words(make_family) -> None:
    husband, wife, _kids = make_family(
        wife_birth=dt.date(1981, 1, 1), children=(("M", dt.date(2005, 1, 1)),)
    )
    rule = {"fact": "mother_age", "op": ">=", "value": 49}
    with translation.override("en"):
        result = explain(rule, husband, dt.date(2026, 6, 1))
    assert not result.eligible
    assert result.failures() == ["Not met: Mother's age ≥ 49 (found: 45)"]
    assert not matches(rule, husband, dt.date(2026, 6, 1))
    assert matches(rule, husband, dt.date(2030, 1, 1))
    assert matches(rule, wife, dt.date(2030, 1, 1))


def test_children_facts_count_living_sons_and_daughters_at_the_date(make_family, make_user) -> None:
    from jisheng.core.roles import Role

    husband, _wife, (son, _daughter) = make_family(
        children=(("M", dt.date(1990, 1, 1)), ("F", dt.date(1992, 1, 1)))
    )
    events.death_record(
        actor=Actor(user=make_user(Role.STREET_STAFF)), person=son, date=dt.date(2020, 5, 1)
    )
    before, after = dt.date(2020, 4, 30), dt.date(2020, 5, 1)
    assert matches({"fact": "living_sons", "op": "==", "value": 1}, husband, before)
    assert matches({"fact": "living_sons", "op": "==", "value": 0}, husband, after)
    assert matches({"fact": "deceased_children", "op": "==", "value": 1}, husband, after)
    assert matches({"fact": "children", "op": "==", "value": 2}, husband, after)
    assert matches({"fact": "living_daughters", "op": "==", "value": 1}, husband, after)
    assert not matches({"fact": "children", "op": "==", "value": 2}, husband, dt.date(1991, 1, 1))
    assert matches({"fact": "living_here", "op": "==", "value": True}, son, before)
    assert not matches({"fact": "living_here", "op": "==", "value": True}, son, after)


def test_a_missing_value_fails_its_test_and_not_turns_that_into_a_pass(make_person) -> None:
    childless = make_person()
    youngest_under_18 = {"fact": "youngest_child_age", "op": "<", "value": 18}
    other_grade = {"fact": "disability_grade", "op": "!=", "value": 2}
    as_of = dt.date(2026, 1, 1)
    # SQL would make both NULL, and NOT NULL is NULL: the engine keeps them plain false.
    for rule in (youngest_under_18, other_grade):
        assert not matches(rule, childless, as_of)
        assert matches({"not": rule}, childless, as_of)
        assert explain({"not": rule}, childless, as_of).eligible


def test_disability_grade_of_a_child(make_family) -> None:
    husband, _wife, (child,) = make_family(children=(("F", dt.date(2000, 1, 1)),))
    DisabilityRecord.objects.create(person=child, grade=2, recorded_on=dt.date(2010, 1, 1))
    rule = {"fact": "child_disability_grade", "op": "<=", "value": 3}
    assert matches(rule, husband, dt.date(2026, 1, 1))
    assert not matches(rule, husband, dt.date(2009, 12, 31))


def test_sql_and_explanation_agree_over_a_varied_population(make_family, make_person) -> None:
    make_family(hukou="rural", children=(("F", dt.date(1988, 1, 1)), ("F", dt.date(1990, 1, 1))))
    make_family(
        hukou="rural", husband_birth=dt.date(1970, 1, 1), children=(("M", dt.date(1995, 1, 1)),)
    )
    make_family(hukou="urban", children=(("M", dt.date(1986, 1, 1)),))
    make_person(name="单身", birth_date=dt.date(1950, 1, 1))
    rule = {
        "all": [
            {"fact": "age", "op": ">=", "value": 60},
            {"fact": "hukou_type", "op": "in", "value": ["rural"]},
            {
                "any": [
                    {"fact": "living_children", "op": "<=", "value": 1},
                    {"not": {"fact": "living_sons", "op": ">", "value": 0}},
                ]
            },
        ]
    }
    as_of = dt.date(2026, 7, 1)
    for person in Person.objects.all():
        assert explain(rule, person, as_of).eligible == matches(rule, person, as_of), person.name


WHOLE_POPULATION_RULES = [
    {"fact": "children", "op": ">=", "value": 1},
    {"not": {"fact": "living_children", "op": "<=", "value": 1}},
    {
        "any": [
            {"fact": "living_sons", "op": "==", "value": 0},
            {"fact": "sex", "op": "==", "value": "F"},
        ]
    },
    {
        "all": [
            {"fact": "deceased_children", "op": "==", "value": 1},
            {"fact": "living_daughters", "op": "in", "value": [0, 1]},
        ]
    },
    {
        "any": [
            {"fact": "youngest_child_age", "op": "<", "value": 30},
            {"fact": "age", "op": "<", "value": 20},
        ]
    },
    {"not": {"fact": "youngest_child_age", "op": ">=", "value": 30}},
    {
        "all": [
            {"fact": "mother_age", "op": ">=", "value": 49},
            {"fact": "children", "op": "==", "value": 1},
            {"fact": "child_disability_grade", "op": "<=", "value": 3},
        ]
    },
]


@pytest.mark.parametrize("rule", WHOLE_POPULATION_RULES)
def test_one_query_for_everyone_picks_exactly_whom_each_explanation_accepts(
    rule, make_family, make_person, make_user
) -> None:
    """Children facts are aggregates over one grouped join: grouping must not multiply or
    lose anyone, whether the tests on them sit alone, under "not", or beside plain facts."""
    from jisheng.core.roles import Role

    as_of = dt.date(2026, 7, 1)
    _h, _w, (son, _daughter) = make_family(
        children=(("M", dt.date(1990, 1, 1)), ("F", dt.date(1992, 1, 1)))
    )
    events.death_record(
        actor=Actor(user=make_user(Role.STREET_STAFF)), person=son, date=dt.date(2020, 5, 1)
    )
    _h, _w, (only,) = make_family(
        hukou="rural", wife_birth=dt.date(1970, 1, 1), children=(("F", dt.date(2000, 1, 1)),)
    )
    DisabilityRecord.objects.create(person=only, grade=2, recorded_on=dt.date(2010, 1, 1))
    make_family(children=(("M", dt.date(1996, 1, 1)), ("M", dt.date(1999, 1, 1))))
    make_family(children=(("F", dt.date(2026, 9, 1)),))  # born after the test day
    make_person(name="单身", birth_date=dt.date(1950, 1, 1))
    everyone = Person.objects.all()
    in_sql = list(persons_meeting(rule, as_of, everyone).values_list("pk", flat=True))
    explained = {person.pk for person in everyone if explain(rule, person, as_of).eligible}
    assert len(in_sql) == len(set(in_sql))
    assert set(in_sql) == explained
    assert explained, "the rule should pick someone"
    assert explained != set(everyone.values_list("pk", flat=True)), "and leave someone out"


CHILDREN_1 = {"fact": "children", "op": ">=", "value": 1}


@pytest.mark.parametrize(
    ("rule", "needs"),
    [
        (CHILDREN_1, True),
        ({"fact": "children", "op": "==", "value": 0}, False),
        ({"fact": "living_children", "op": "<=", "value": 1}, False),
        ({"fact": "living_sons", "op": "in", "value": [1, 2]}, True),
        ({"fact": "living_sons", "op": "in", "value": [0, 1]}, False),
        ({"fact": "deceased_children", "op": ">", "value": 0}, True),
        ({"fact": "youngest_child_age", "op": "<", "value": 3}, True),
        ({"fact": "child_disability_grade", "op": "<=", "value": 3}, True),
        ({"all": [AGE_60, CHILDREN_1]}, True),
        ({"any": [AGE_60, CHILDREN_1]}, False),
        ({"any": [CHILDREN_1, {"fact": "youngest_child_age", "op": ">", "value": 1}]}, True),
        ({"not": {"fact": "children", "op": "==", "value": 0}}, False),
        ({}, False),
    ],
)
def test_rules_that_only_parents_can_meet_are_recognised(rule, needs) -> None:
    assert needs_a_child(rule) is needs


@pytest.mark.parametrize(
    "rule",
    [
        [],
        {"fact": "age", "op": ">=", "value": "60"},
        {"fact": "age", "op": "startswith", "value": 6},
        {"fact": "__import__('os')", "op": "==", "value": 1},
        {"fact": "sex", "op": "==", "value": "X"},
        {"all": []},
        {"all": [AGE_60], "any": [AGE_60]},
        {"not": AGE_60, "fact": "age"},
        {"fact": "age", "op": "in", "value": []},
        {"fact": "living_here", "op": "==", "value": "yes"},
    ],
)
def test_malformed_rules_are_refused(rule) -> None:
    with pytest.raises(RuleError):
        validate_rule(rule)


def test_a_missing_value_is_explained_against_the_rule_as_written(make_family) -> None:
    _husband, wife, _kids = make_family(wife_birth=dt.date(1981, 1, 1), children=())
    rule = {"fact": "youngest_child_age", "op": "<", "value": 18}

    result = explain(rule, wife, dt.date(2026, 6, 1))

    # In Chinese, as staff read it: the rule (under 18), then what was found (none).
    assert result.failures() == ["不符合：最小子女年龄 < 18（实际：无）"]
