"""Inflow and outflow records: built on registry persons and move events, one open record
per kind, origin checked against GB/T 2260, dates checked, hooks called in the transaction,
the stale list and verification visits."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.roles import Role
from jisheng.migrants.exchange import hooks
from jisheng.migrants.models import MigrantRecord, MoveKind
from jisheng.migrants.regions import region_check, region_name
from jisheng.migrants.selectors import records as selectors
from jisheng.migrants.services import records
from jisheng.registry.models import LifeEvent, MaritalStatus, ParentLink, Person, ResidentStatus
from jisheng.registry.services.persons import PersonData
from support.migrants import id_number

pytestmark = pytest.mark.django_db


def arrival(**changes: object) -> PersonData:
    data = PersonData(
        name="刘晓梅",
        sex="F",
        birth_date=dt.date(1994, 6, 1),
        id_number=id_number(dt.date(1994, 6, 1), "F"),
        hukou_type="rural",
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def open_inflow(worker, org, **changes: object) -> MigrantRecord:
    fields: dict[str, object] = {
        "actor": Actor(user=worker),
        "community": org.c1,
        "moved_on": dt.date(2026, 3, 1),
        "region_code": "510722",
        "address": "枣园小区 3 号楼 201 室",
        "contact": "13900001111",
        "data": arrival(),
    }
    fields.update(changes)
    return records.inflow_open(**fields)  # type: ignore[arg-type]


def test_division_codes_come_from_the_shipped_list() -> None:
    assert region_name("510722") == "四川省绵阳市三台县"
    assert region_name("110101") == "北京市东城区"
    assert region_check(" 370404 ") == "370404"
    for bad in ("999999", "51072", "abcdef", "５１０７２２"):
        with pytest.raises(JishengError) as caught:
            region_check(bad)
        assert caught.value.code == "invalid_region"


def test_inflow_of_a_new_arrival_adds_the_person_with_a_move_in_event(org, worker) -> None:
    record = open_inflow(worker, org)
    person = Person.objects.get(pk=record.person_id)
    assert person.status == ResidentStatus.LIVING
    assert person.is_floating
    assert person.hukou_division == "510722"
    assert person.community == org.c1
    event = LifeEvent.objects.get(pk=record.move_event_id)
    assert event.kind == LifeEvent.Kind.MOVE_IN
    assert event.data == {"origin": "510722"}
    assert record.address == "枣园小区 3 号楼 201 室"
    assert record.contact == "13900001111"
    assert record.last_verified_on == timezone.localdate()


def test_a_second_open_inflow_for_the_same_person_is_refused(org, worker) -> None:
    record = open_inflow(worker, org)
    with pytest.raises(Conflict):
        open_inflow(worker, org, data=None, person=record.person)


def test_origin_outside_gbt_2260_is_refused_and_nothing_is_written(org, worker) -> None:
    with pytest.raises(JishengError, match="GB/T 2260"):
        open_inflow(worker, org, region_code="519999")
    assert not Person.objects.filter(name="刘晓梅").exists()


@pytest.mark.parametrize(
    ("moved_on", "message"),
    [
        (dt.date(2099, 1, 1), "晚于今天"),
        (dt.date(1990, 1, 1), "出生"),
    ],
)
def test_impossible_arrival_dates_are_refused_in_chinese(org, worker, moved_on, message) -> None:
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(JishengError) as caught:
        open_inflow(worker, org, moved_on=moved_on)
    assert message in str(caught.value.message)
    assert not MigrantRecord.objects.exists()


def test_hooks_run_inside_the_transaction(org, worker, monkeypatch) -> None:
    seen: list[tuple[str, bool]] = []

    def opened(record: MigrantRecord) -> None:
        seen.append(("opened", transaction.get_connection().in_atomic_block))

    def ended(record: MigrantRecord) -> None:
        seen.append(("ended", transaction.get_connection().in_atomic_block))

    monkeypatch.setattr(hooks, "record_opened", opened)
    monkeypatch.setattr(hooks, "record_ended", ended)
    record = open_inflow(worker, org)
    records.record_end(actor=Actor(user=worker), record=record, ended_on=dt.date(2026, 4, 1))
    assert seen == [("opened", True), ("ended", True)]


def test_a_failing_hook_rolls_the_record_and_the_event_back(org, worker, monkeypatch) -> None:
    def broken(record: MigrantRecord) -> None:
        raise Conflict("outbox refused")

    monkeypatch.setattr(hooks, "record_opened", broken)
    with pytest.raises(Conflict):
        open_inflow(worker, org)
    assert not MigrantRecord.objects.exists()
    assert not LifeEvent.objects.filter(kind=LifeEvent.Kind.MOVE_IN).exists()


def test_ending_an_inflow_moves_the_person_out(org, worker) -> None:
    record = open_inflow(worker, org)
    ended = records.record_end(
        actor=Actor(user=worker), record=record, ended_on=dt.date(2026, 5, 2)
    )
    assert ended.ended_on == dt.date(2026, 5, 2)
    assert LifeEvent.objects.get(pk=ended.end_event_id).kind == LifeEvent.Kind.MOVE_OUT
    assert Person.objects.get(pk=record.person_id).status == ResidentStatus.MOVED_OUT
    with pytest.raises(Conflict):
        records.record_end(actor=Actor(user=worker), record=record, ended_on=dt.date(2026, 5, 3))


def test_outflow_moves_a_resident_out_and_back(org, worker, make_person) -> None:
    person = make_person(org.c1, name="张外出")
    record = records.outflow_open(
        actor=Actor(user=worker),
        person=person,
        moved_on=dt.date(2026, 2, 1),
        region_code="440306",
        address="深圳市宝安区",
    )
    assert record.kind == MoveKind.OUTFLOW
    assert record.community == org.c1
    assert LifeEvent.objects.get(pk=record.move_event_id).data == {"destination": "440306"}
    assert Person.objects.get(pk=person.pk).status == ResidentStatus.MOVED_OUT
    records.record_end(actor=Actor(user=worker), record=record, ended_on=dt.date(2026, 6, 1))
    assert Person.objects.get(pk=person.pk).status == ResidentStatus.LIVING


def test_a_worker_of_another_community_cannot_open_records_here(org, make_user) -> None:
    other = make_user(Role.COMMUNITY_WORKER, org.c2)
    with pytest.raises(Forbidden):
        open_inflow(other, org)


def test_stale_list_follows_the_setting_and_a_visit_takes_the_record_off(
    org, worker, settings
) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC), tick=False):
        record = open_inflow(worker, org)
    with time_machine.travel(dt.datetime(2026, 9, 9, 10, tzinfo=dt.UTC), tick=False):
        assert list(selectors.stale(worker)) == []
    with time_machine.travel(dt.datetime(2026, 9, 10, 10, tzinfo=dt.UTC), tick=False):
        assert list(selectors.stale(worker)) == [record]
        settings.JISHENG_MIGRANTS_STALE_MONTHS = 7
        assert list(selectors.stale(worker)) == []
        settings.JISHENG_MIGRANTS_STALE_MONTHS = 6
        visit = records.record_verify(
            actor=Actor(user=worker),
            record=record,
            visited_on=dt.date(2026, 9, 10),
            address="枣园小区 5 号楼 101 室",
            contact="13900001111",
            employer="恒达纺织厂",
            note="换了住处和工作",
        )
        assert visit.changes == ["address", "employer"]
        assert list(selectors.stale(worker)) == []
    record.refresh_from_db()
    assert record.address == "枣园小区 5 号楼 101 室"
    assert record.last_verified_on == dt.date(2026, 9, 10)


def test_services_owed_follow_marriage_age_and_young_children(org, worker, make_person) -> None:
    record = open_inflow(worker, org)
    person = record.person
    owed = {str(o.label): o.owed for o in selectors.owed_for(record)}
    assert not any(owed.values())
    Person.objects.filter(pk=person.pk).update(marital_status=MaritalStatus.MARRIED)
    child = make_person(org.c1, name="小梅", sex="F", birth_date=timezone.localdate())
    ParentLink.objects.create(parent=person, child=child)
    row = selectors.records(worker, kind=MoveKind.INFLOW).get(pk=record.pk)
    assert [o.owed for o in selectors.owed_for(row)] == [True, True, True]
