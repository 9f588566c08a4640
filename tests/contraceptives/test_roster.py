"""The roster: enrolment, follow-ups, switching and stopping methods; reproductive data
encrypted at rest; every read of it audited; the health duty required."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from jisheng.accounts.roles import Role
from jisheng.audit.models import AuditEvent
from jisheng.audit.services import Actor
from jisheng.contraceptives.models import RosterEntry, RosterFollowUp
from jisheng.contraceptives.selectors import roster as selectors
from jisheng.contraceptives.services import moves
from jisheng.contraceptives.services.roster import (
    roster_enroll,
    roster_follow_up_record,
    roster_stop,
)
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound


@pytest.fixture
def woman(make_person):
    return make_person(name="王春燕", sex="F", birth_date=dt.date(1991, 4, 9))


@pytest.fixture
def entry(worker_actor, woman, today) -> RosterEntry:
    return roster_enroll(
        actor=worker_actor,
        person=woman,
        method="iud",
        start_date=today - dt.timedelta(days=30),
        notes="G2P1，放置前无禁忌证",
    )


def raw_column(table: str, column: str, pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return bytes(cursor.fetchone()[0])


def test_notes_and_side_effects_are_encrypted_at_rest(entry, worker_actor, today) -> None:
    follow_up = roster_follow_up_record(
        actor=worker_actor,
        entry=entry,
        date=today,
        satisfaction="neutral",
        side_effects="经量增多",
        notes="建议复查B超",
    )
    stored = raw_column("contraceptives_rosterentry", "notes", entry.pk)
    assert b"G2P1" not in stored
    assert "禁忌".encode() not in stored
    for column, text in (("side_effects", "经量增多"), ("notes", "建议复查B超")):
        assert text.encode() not in raw_column(
            "contraceptives_rosterfollowup", column, follow_up.pk
        )
    assert RosterEntry.objects.get(pk=entry.pk).notes == "G2P1，放置前无禁忌证"
    assert RosterFollowUp.objects.get(pk=follow_up.pk).side_effects == "经量增多"


def test_every_detail_read_is_audited(entry, worker_actor) -> None:
    before = AuditEvent.objects.filter(action="view", object_id=str(entry.pk)).count()
    selectors.roster_entry_detail(actor=worker_actor, entry_id=entry.pk)
    event = AuditEvent.objects.filter(action="view", object_id=str(entry.pk)).latest("pk")
    assert event.object_type == "contraceptives.rosterentry"
    assert event.username == worker_actor.user.username
    assert AuditEvent.objects.filter(action="view", object_id=str(entry.pk)).count() == before + 1


def test_audit_details_never_hold_the_notes(entry, worker_actor, today) -> None:
    roster_follow_up_record(
        actor=worker_actor, entry=entry, date=today, satisfaction="satisfied", notes="私密内容"
    )
    for event in AuditEvent.objects.all():
        assert "私密" not in str(event.detail)
        assert "G2P1" not in str(event.detail)


def test_list_reads_are_audited_with_the_filters(entry, worker_actor) -> None:
    filters = selectors.RosterFilters(method="iud")
    assert list(selectors.roster_list(user=worker_actor.user, filters=filters)) == [entry]
    selectors.roster_search_record(actor=worker_actor, filters=filters)
    event = AuditEvent.objects.filter(action="search").latest("pk")
    assert event.object_type == "contraceptives.rosterentry"
    assert event.detail["method"] == "iud"


def test_the_roster_needs_the_health_duty(entry, make_user) -> None:
    leader = make_user(Role.LEADER)
    assert not selectors.roster_list(user=leader, filters=selectors.RosterFilters()).exists()
    with pytest.raises(NotFound):
        selectors.roster_entry_detail(actor=Actor(user=leader), entry_id=entry.pk)
    with pytest.raises(Forbidden):
        roster_stop(
            actor=Actor(user=leader), entry=entry, stop_date=entry.start_date, reason="other"
        )


def test_another_community_does_not_see_the_entry(org, entry, make_user) -> None:
    outsider = Actor(user=make_user(Role.COMMUNITY_WORKER, org.c2))
    with pytest.raises(NotFound):
        selectors.roster_entry_detail(actor=outsider, entry_id=entry.pk)


def test_one_open_entry_per_person_and_method(entry, worker_actor, woman, today) -> None:
    with pytest.raises(Conflict) as refused:
        roster_enroll(actor=worker_actor, person=woman, method="iud", start_date=today)
    assert refused.value.code == "already_enrolled"
    roster_enroll(actor=worker_actor, person=woman, method="condom", start_date=today)


def test_a_follow_up_can_switch_the_method(entry, worker_actor, woman, today) -> None:
    roster_follow_up_record(
        actor=worker_actor,
        entry=entry,
        date=today,
        satisfaction="dissatisfied",
        side_effects="腹痛",
        switch_to="implant",
    )
    entry.refresh_from_db()
    assert (entry.stop_date, entry.stop_reason) == (today, "changed_method")
    new = RosterEntry.objects.get(person=woman, stop_date__isnull=True)
    assert (new.method, new.start_date) == ("implant", today)


def test_stopping_keeps_the_entry_and_refuses_a_second_stop(entry, worker_actor, today) -> None:
    roster_stop(actor=worker_actor, entry=entry, stop_date=today, reason="wants_pregnancy")
    entry.refresh_from_db()
    assert (entry.stop_date, entry.stop_reason) == (today, "wants_pregnancy")
    with pytest.raises(Conflict):
        roster_stop(actor=worker_actor, entry=entry, stop_date=today, reason="other")
    with pytest.raises(Conflict):
        roster_follow_up_record(actor=worker_actor, entry=entry, date=today, satisfaction="neutral")


def test_a_stop_before_the_start_is_refused(entry, worker_actor) -> None:
    with pytest.raises(JishengError) as refused:
        roster_stop(
            actor=worker_actor,
            entry=entry,
            stop_date=entry.start_date - dt.timedelta(days=1),
            reason="other",
        )
    assert refused.value.code == "stop_date"


def test_supply_history_lists_the_issues_of_the_method(
    point, receive, worker_actor, woman, make_facts, condom, today
) -> None:
    lot = receive(point, 20).lot
    condoms = receive(point, 20, product=condom).lot
    first = moves.stock_issue(
        actor=worker_actor, point=point, lot=lot, quantity=3, person=woman, facts=make_facts()
    )[0]
    moves.stock_issue(
        actor=worker_actor, point=point, lot=condoms, quantity=1, person=woman, facts=make_facts()
    )
    moves.move_reverse(actor=worker_actor, move=first, facts=make_facts())
    second = moves.stock_issue(
        actor=worker_actor, point=point, lot=lot, quantity=2, person=woman, facts=make_facts()
    )[0]
    oral = RosterEntry.objects.get(person=woman, method="oral")
    history = list(selectors.supply_history(oral))
    assert [(m.pk, m.is_reversed) for m in history] == [(second.pk, False), (first.pk, True)]
