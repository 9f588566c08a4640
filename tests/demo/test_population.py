"""Tests for jisheng.demo.population: a deterministic, streamed demo population (no database)."""

from __future__ import annotations

import collections
import datetime
import functools
import re
import statistics

import pytest

from jisheng.core.idnumber import validate_id_number
from jisheng.demo.population import (
    COMMUNITIES,
    DISTRICT_CODE,
    FLOATING_ORIGIN_COUNTIES,
    STREET_CODE,
    STREET_NAME,
    DemoHouseholdBundle,
    DemoPerson,
    IdNumberAllocator,
    generate_population,
)

TODAY = datetime.date(2025, 6, 30)
SAMPLE_SIZE = 20_000
THREE_CHILD_POLICY = datetime.date(2021, 6, 1)


@functools.cache
def sample(seed: int = 2014, n_persons: int = SAMPLE_SIZE) -> tuple[DemoHouseholdBundle, ...]:
    """Return a cached population of n_persons over all communities."""
    return tuple(
        generate_population(n_persons, n_communities=len(COMMUNITIES), seed=seed, today=TODAY)
    )


def persons(bundles: tuple[DemoHouseholdBundle, ...]) -> list[DemoPerson]:
    """Return every person of the bundles in key order."""
    return [person for bundle in bundles for person in bundle.persons]


def age(person: DemoPerson) -> float:
    """Return the age in years of person on TODAY."""
    return (TODAY - person.birth_date).days / 365.2425


def birthday(born: datetime.date, years: int) -> datetime.date:
    """Return the day someone born on born turns years old (1 March for 29 February)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return datetime.date(born.year + years, 3, 1)


def test_exact_person_count() -> None:
    for n_persons in (0, 1, 2, 3, 4, 5, 7, 17, 1000):
        bundles = list(generate_population(n_persons, n_communities=3, seed=n_persons, today=TODAY))
        assert sum(len(bundle.persons) for bundle in bundles) == n_persons
        assert [person.key for person in persons(tuple(bundles))] == list(range(n_persons))
        assert [bundle.household.key for bundle in bundles] == list(range(len(bundles)))


def test_same_seed_gives_same_population() -> None:
    first = list(generate_population(3000, n_communities=5, seed=99, today=TODAY))
    second = list(generate_population(3000, n_communities=5, seed=99, today=TODAY))
    assert first == second


def test_different_seed_gives_different_population() -> None:
    first = persons(tuple(generate_population(500, n_communities=5, seed=1, today=TODAY)))
    second = persons(tuple(generate_population(500, n_communities=5, seed=2, today=TODAY)))
    assert [person.id_number for person in first] != [person.id_number for person in second]


def test_generation_does_not_touch_the_global_random_state() -> None:
    import random

    random.seed(12345)
    expected = random.random()
    random.seed(12345)
    list(generate_population(200, n_communities=2, today=TODAY))
    assert random.random() == expected


def test_generation_is_lazy_even_for_a_million_persons() -> None:
    bundles = generate_population(1_000_000, n_communities=12, today=TODAY)
    first = next(bundles)
    assert first.household.key == 0
    assert first.persons[0].key == 0


def test_every_generated_id_number_is_valid_and_unique() -> None:
    everyone = persons(sample())
    for person in everyone:
        number = validate_id_number(
            person.id_number, sex=person.sex, birth_date=person.birth_date, today=TODAY
        )
        assert number == person.id_number
    assert len({person.id_number for person in everyone}) == len(everyone)


def test_registered_residents_use_the_district_code_and_floating_residents_do_not() -> None:
    origins = {code for code, _name in FLOATING_ORIGIN_COUNTIES}
    assert DISTRICT_CODE not in origins
    for person in persons(sample()):
        if person.is_floating:
            assert person.id_number[:6] in origins
        else:
            assert person.id_number[:6] == DISTRICT_CODE


def test_floating_share_is_about_one_in_eleven() -> None:
    everyone = persons(sample())
    share = sum(person.is_floating for person in everyone) / len(everyone)
    assert 0.07 <= share <= 0.11


def test_age_pyramid_looks_like_a_shandong_town() -> None:
    ages = [age(person) for person in persons(sample())]
    total = len(ages)
    assert 37 <= statistics.median(ages) <= 45
    assert 0.05 <= sum(a < 10 for a in ages) / total <= 0.12
    assert 0.40 <= sum(30 <= a < 60 for a in ages) / total <= 0.60
    assert 0.15 <= sum(a >= 60 for a in ages) / total <= 0.30
    assert min(ages) >= 0
    assert max(ages) < 101
    # Fewer recent births than at the 2016-2017 two-child peak.
    births = collections.Counter(person.birth_date.year for person in persons(sample()))
    assert births[2023] < births[2017]


def test_households_have_one_head_listed_first() -> None:
    for bundle in sample():
        household = bundle.household
        heads = [person for person in bundle.persons if person.relation_to_head == "02"]
        assert [head.key for head in heads] == [household.head_key]
        assert bundle.persons[0].key == household.head_key
        for person in bundle.persons:
            assert person.household_key == household.key
            assert person.address == household.address
            assert person.community_index == household.community_index
            assert person.is_floating == bundle.persons[0].is_floating


def test_household_sizes_are_plausible() -> None:
    sizes = collections.Counter(len(bundle.persons) for bundle in sample())
    mean = sum(size * count for size, count in sizes.items()) / sum(sizes.values())
    assert 2.2 <= mean <= 2.9
    assert sizes[1] > 0
    assert max(sizes) <= 8


def test_marriages_join_a_man_and_a_woman_of_legal_age_in_one_household() -> None:
    for bundle in sample():
        by_key = {person.key: person for person in bundle.persons}
        married = set()
        for marriage in bundle.marriages:
            husband, wife = by_key[marriage.husband_key], by_key[marriage.wife_key]
            assert (husband.sex, wife.sex) == ("M", "F")
            assert marriage.date <= TODAY
            assert marriage.date >= birthday(husband.birth_date, 22)
            assert marriage.date >= birthday(wife.birth_date, 20)
            married |= {husband.key, wife.key}
        for person in bundle.persons:
            assert (person.marital_status == "20") == (person.key in married)


def test_children_are_born_after_the_wedding_and_after_their_parents_grew_up() -> None:
    for bundle in sample():
        by_key = {person.key: person for person in bundle.persons}
        weddings = {}
        for marriage in bundle.marriages:
            weddings[marriage.husband_key] = weddings[marriage.wife_key] = marriage.date
        for link in bundle.parent_links:
            parent, child = by_key[link.parent_key], by_key[link.child_key]
            assert child.birth_date >= birthday(parent.birth_date, 18)
            if child.relation_to_head in {"20", "30"} and parent.key in weddings:
                assert child.birth_date > weddings[parent.key]


def test_third_children_are_born_under_the_three_child_policy() -> None:
    thirds = 0
    for bundle in sample():
        by_key = {person.key: person for person in bundle.persons}
        children_of = collections.defaultdict(list)
        for link in bundle.parent_links:
            children_of[link.parent_key].append(by_key[link.child_key])
        for parent_key, children in children_of.items():
            if by_key[parent_key].sex == "F" and len(children) == 3:
                thirds += 1
                assert max(child.birth_date for child in children) >= THREE_CHILD_POLICY
    assert thirds > 0


def test_sons_and_daughters_have_matching_relation_codes() -> None:
    for person in persons(sample()):
        if person.relation_to_head in {"20", "30"}:
            assert person.relation_to_head == ("20" if person.sex == "M" else "30")
            assert person.marital_status == "10"


def test_codes_come_from_the_documented_sets() -> None:
    for person in persons(sample()):
        assert person.sex in {"M", "F"}
        assert person.relation_to_head in {"02", "10", "20", "30", "50"}
        assert person.marital_status in {"10", "20", "30", "40"}
        assert person.ethnicity in {"01", "03"}
        assert person.hukou_type in {"urban", "rural"}
        assert person.status == "living"
        assert 2 <= len(person.name) <= 4


def test_most_people_are_han_with_a_few_hui() -> None:
    ethnicities = collections.Counter(person.ethnicity for person in persons(sample()))
    assert ethnicities["01"] > 0.95 * SAMPLE_SIZE
    assert ethnicities["03"] > 0


def test_phone_numbers_are_unique_mobiles_and_young_children_have_none() -> None:
    phones = []
    for person in persons(sample()):
        if person.phone:
            assert re.fullmatch(r"1[3-9][0-9]{9}", person.phone)
            phones.append(person.phone)
        if age(person) < 12:
            assert person.phone == ""
    assert len(phones) == len(set(phones))
    assert 0.6 * SAMPLE_SIZE < len(phones) < SAMPLE_SIZE


def test_addresses_are_unique_and_inside_the_household_community() -> None:
    addresses = set()
    for bundle in sample():
        community = COMMUNITIES[bundle.household.community_index]
        address = bundle.household.address
        assert address.startswith(STREET_NAME + community.name)
        if community.kind == "community":
            assert re.fullmatch(r".+社区\d+号楼\d单元\d0\d室", address)
        else:
            assert re.fullmatch(r".+村(东|西|南|北|前|后|中心)街\d+号", address)
        addresses.add(address)
    assert len(addresses) == len(sample())


def test_all_communities_are_used_and_fewer_communities_restrict_the_index() -> None:
    used = {bundle.household.community_index for bundle in sample()}
    assert used == set(range(len(COMMUNITIES)))
    bundles = list(generate_population(500, n_communities=2, today=TODAY))
    assert {bundle.household.community_index for bundle in bundles} == {0, 1}


def test_hukou_type_follows_community_kind_for_registered_residents() -> None:
    counts = collections.Counter(
        (COMMUNITIES[person.community_index].kind, person.hukou_type)
        for person in persons(sample())
        if not person.is_floating
    )
    assert counts["community", "urban"] > counts["community", "rural"]
    assert counts["village", "rural"] > counts["village", "urban"]


def test_community_codes_follow_the_division_scheme() -> None:
    codes = [STREET_CODE + community.code_suffix for community in COMMUNITIES]
    assert len(set(codes)) == len(COMMUNITIES)
    assert all(re.fullmatch(r"370404002\d{3}", code) for code in codes)
    assert {community.kind for community in COMMUNITIES} == {"community", "village"}
    for community in COMMUNITIES:
        assert community.name.endswith("社区" if community.kind == "community" else "村")


def test_invalid_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="n_persons"):
        next(generate_population(-1, n_communities=1, today=TODAY))
    with pytest.raises(ValueError, match="n_communities"):
        next(generate_population(10, n_communities=0, today=TODAY))
    with pytest.raises(ValueError, match="n_communities"):
        next(generate_population(10, n_communities=len(COMMUNITIES) + 1, today=TODAY))


def test_id_allocator_moves_to_the_previous_day_when_a_day_is_full() -> None:
    allocator = IdNumberAllocator([DISTRICT_CODE], TODAY)
    birth_ord = datetime.date(1990, 1, 1).toordinal()
    numbers = [allocator.allocate(DISTRICT_CODE, birth_ord, "M") for _ in range(501)]
    assert all(day == birth_ord for _number, day in numbers[:500])
    assert numbers[500][1] == birth_ord - 1
    assert len({number for number, _day in numbers}) == 501
    for number, day in numbers:
        validate_id_number(number, sex="M", birth_date=datetime.date.fromordinal(day), today=TODAY)
    # The other sex on the same day is unaffected.
    _number, day = allocator.allocate(DISTRICT_CODE, birth_ord, "F")
    assert day == birth_ord


def test_id_allocator_never_goes_past_today() -> None:
    allocator = IdNumberAllocator([DISTRICT_CODE], TODAY)
    number, day = allocator.allocate(DISTRICT_CODE, TODAY.toordinal() + 10, "F")
    assert day == TODAY.toordinal()
    validate_id_number(number, sex="F", birth_date=TODAY, today=TODAY)
