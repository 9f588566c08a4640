"""The demo's community of high third-order births: one birth to each mother of two (then of
one), spaced from her other children as the registry demands, as many as the community has
such mothers (at most HIGH_BIRTHS), and enough of them skewed to boys for the monitor to flag."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable

import pytest

from jisheng.core.models import OrgUnit
from jisheng.governance import demo
from jisheng.governance.srb import Verdict, sex_ratio
from jisheng.registry.birth_spacing import MIN_DAYS_BETWEEN_BIRTHS
from jisheng.registry.models import LifeEvent, ParentLink, Person


def mother_of_two(
    community: OrgUnit,
    make_person: Callable[..., Person],
    number: int,
    youngest: dt.date = dt.date(2011, 5, 1),
) -> Person:
    mother = make_person(
        community,
        name=f"孙{number}英",
        sex="F",
        birth_date=dt.date(1988, 1, 1) + dt.timedelta(days=number),
    )
    for born in (dt.date(2009, 5, 1), youngest):
        child = make_person(community, name=f"孙{number}宝", birth_date=born)
        ParentLink.objects.create(parent=mother, child=child)
    return mother


def high_births(community: OrgUnit) -> list[LifeEvent]:
    return list(LifeEvent.objects.filter(kind=LifeEvent.Kind.BIRTH, community=community))


def test_each_mother_of_two_gets_one_birth_spaced_from_her_children(
    org, make_person, street_actor, today
) -> None:
    mothers = [mother_of_two(org.c2, make_person, number) for number in range(5)]
    # Her youngest is 100 days old: no birth fits in the year; 200 days old: one does, later.
    too_recent = mother_of_two(org.c2, make_person, 5, today - dt.timedelta(days=100))
    recent = mother_of_two(org.c2, make_person, 6, today - dt.timedelta(days=200))

    count = demo._high_third_births(org.c2, today, random.Random(1), street_actor.user)

    births = high_births(org.c2)
    assert count == len(births) == 6
    assert Counter(event.other_person_id for event in births) == {
        mother.pk: 1 for mother in [*mothers, recent]
    }
    assert all(event.data["birth_order"] == 3 for event in births)
    [late] = [event for event in births if event.other_person_id == recent.pk]
    assert late.date >= today - dt.timedelta(days=200 - MIN_DAYS_BETWEEN_BIRTHS)
    assert ParentLink.objects.filter(parent=too_recent).count() == 2


def test_a_large_community_gets_at_most_high_births_and_is_flagged(
    org, make_person, street_actor, today
) -> None:
    for number in range(demo.HIGH_BIRTHS + 5):
        mother_of_two(org.c2, make_person, number)

    count = demo._high_third_births(org.c2, today, random.Random(2014), street_actor.user)

    births = high_births(org.c2)
    assert count == len(births) == demo.HIGH_BIRTHS
    assert len({event.other_person_id for event in births}) == demo.HIGH_BIRTHS
    boys = sum(event.person.sex == "M" for event in births)
    assert sex_ratio(boys, len(births) - boys).verdict == Verdict.HIGH


@pytest.mark.parametrize(("minimum", "filled"), [(4, True), (5, False)])
def test_mothers_of_one_fill_the_year_where_the_monitor_can_then_judge(
    org, make_person, street_actor, today, settings, minimum, filled
) -> None:
    """Enough births for the monitor to judge in a community of the default demo's size; a
    community too small to reach the minimum gets only the mothers of two's births."""
    settings.JISHENG_SRB_MINIMUM_BIRTHS = minimum
    two = [mother_of_two(org.c2, make_person, number) for number in range(3)]
    one = make_person(org.c2, name="钱一英", sex="F", birth_date=dt.date(1990, 1, 1))
    ParentLink.objects.create(
        parent=one, child=make_person(org.c2, name="钱一宝", birth_date=dt.date(2015, 1, 1))
    )
    none = make_person(org.c2, name="钱无英", sex="F", birth_date=dt.date(1990, 1, 1))

    count = demo._high_third_births(org.c2, today, random.Random(3), street_actor.user)

    orders = {e.other_person_id: e.data["birth_order"] for e in high_births(org.c2)}
    expected = {mother.pk: 3 for mother in two} | ({one.pk: 2} if filled else {})
    assert orders == expected
    assert count == len(expected)
    assert none.pk not in orders
