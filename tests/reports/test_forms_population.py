"""The population form: each figure, read from the rollups, against a direct count of the
same records."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.registry.models import LifeEvent, Person, ResidentStatus
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData
from jisheng.reports.forms.periods import PeriodKind, report_period
from jisheng.reports.forms.standard import population
from jisheng.reports.rollups.services import rollups_rebuild, rollups_refresh

Q1 = report_period(PeriodKind.QUARTER, 2025, 1)
TODAY = dt.date(2025, 12, 1)


def column(table, key: str) -> dict[str, object]:
    index = [c.key for c in table.columns].index(key)
    rows = {
        row.label: cells[index].value for row, cells in zip(table.rows, table.grid(), strict=False)
    }
    rows["total"] = table.grid()[-1][index].value
    return rows


@pytest.fixture
def street_events(org, make_user, make_person):
    """Two mothers in c1 (one floating) with births in Q1 2025; a death and a move out in
    c2; a move out after the quarter in c1."""
    staff = make_user(Role.STREET_STAFF)
    actor = Actor(user=staff)
    mother = make_person(org.c1, name="王芳", sex="F", birth_date=dt.date(1990, 1, 1))
    floating = make_person(org.c1, name="刘丽", sex="F", birth_date=dt.date(1992, 1, 1))
    Person.objects.filter(pk=floating.pk).update(is_floating=True)
    floating.refresh_from_db()
    # Twins: the registry takes a mother's second birth in a quarter only on the same day.
    for born, sex in ((dt.date(2025, 1, 10), "M"), (dt.date(2025, 1, 10), "F")):
        events.birth_record(
            actor=actor,
            mother=mother,
            child=PersonData(name="王小" + sex, sex=sex, birth_date=born),
        )
    events.birth_record(
        actor=actor,
        mother=floating,
        child=PersonData(name="刘小", sex="F", birth_date=dt.date(2025, 2, 2)),
    )
    # A birth in July (150 days after her first): outside the quarter.
    events.birth_record(
        actor=actor,
        mother=floating,
        child=PersonData(name="刘二", sex="M", birth_date=dt.date(2025, 7, 2)),
    )
    old = make_person(org.c2, name="李老", birth_date=dt.date(1940, 1, 1))
    events.death_record(actor=actor, person=old, date=dt.date(2025, 2, 1))
    leaver = make_person(org.c2, name="赵走", birth_date=dt.date(1985, 1, 1))
    events.move_out_record(actor=actor, person=leaver, date=dt.date(2025, 3, 1))
    later = make_person(org.c1, name="钱后", birth_date=dt.date(1985, 1, 1))
    events.move_out_record(actor=actor, person=later, date=dt.date(2025, 6, 1))
    rollups_rebuild()
    return staff


def test_births_by_order_and_sex_match_the_birth_events(org, street_events) -> None:
    table = population(street_events, Q1, today=TODAY)
    assert column(table, "b1_m")[org.c1.name] == 1  # the first child of 王芳
    assert column(table, "b2_f")[org.c1.name] == 1  # her second
    assert column(table, "b2_f")["total"] == 1
    # 刘丽's first child, in February: her July child is outside the quarter.
    assert column(table, "b1_f")[org.c1.name] == 1
    direct = LifeEvent.objects.filter(
        kind="birth", date__range=(Q1.start, Q1.end), reversed_by__isnull=True
    ).count()
    assert column(table, "births")["total"] == direct == 3


def test_deaths_and_moves_match_the_events_of_the_period(org, street_events) -> None:
    table = population(street_events, Q1, today=TODAY)
    assert column(table, "deaths")[org.c2.name] == 1
    assert column(table, "moved_out")[org.c2.name] == 1
    assert column(table, "moved_out")[org.c1.name] == 0  # June is after the quarter
    assert (
        column(table, "moved_out")["total"]
        == LifeEvent.objects.filter(kind="move_out", date__range=(Q1.start, Q1.end)).count()
    )


def test_residents_at_the_end_of_the_period_undo_what_happened_since(org, street_events) -> None:
    table = population(street_events, Q1, today=TODAY)
    living_now = Person.objects.filter(status=ResidentStatus.LIVING)
    # Since the quarter: 刘二 was born (not there yet), 钱后 moved out (still there then).
    c1_then = living_now.filter(community=org.c1).count() - 1 + 1
    assert column(table, "residents")[org.c1.name] == c1_then
    floating_then = living_now.filter(community=org.c1, is_floating=True).count() - 1
    assert column(table, "floating")[org.c1.name] == floating_then
    registered = column(table, "registered")
    floating = column(table, "floating")
    assert column(table, "residents")["total"] == registered["total"] + floating["total"]


def test_a_period_reaching_today_counts_todays_residents(org, street_events) -> None:
    year = report_period(PeriodKind.YEAR, 2025, 0)
    table = population(street_events, year, today=dt.date(2025, 12, 31))
    assert (
        column(table, "residents")["total"]
        == Person.objects.filter(status=ResidentStatus.LIVING).count()
    )


def test_a_reversed_birth_is_not_counted(org, street_events) -> None:
    birth = LifeEvent.objects.filter(kind="birth", date=dt.date(2025, 7, 2)).get()
    year = report_period(PeriodKind.YEAR, 2025, 0)
    assert column(population(street_events, year, today=TODAY), "births")["total"] == 4
    events.event_reverse(
        actor=Actor(user=street_events), event=birth, reason="录入错误", date=dt.date(2025, 11, 1)
    )
    rollups_refresh()  # the worker's incremental refresh picks the reversal up
    assert column(population(street_events, year, today=TODAY), "births")["total"] == 3


def test_a_community_worker_gets_only_their_own_community(org, street_events, make_user) -> None:
    table = population(make_user(Role.COMMUNITY_WORKER), Q1, today=TODAY)
    assert [row.label for row in table.rows] == [org.c1.name]
    assert column(table, "deaths")["total"] == 0
