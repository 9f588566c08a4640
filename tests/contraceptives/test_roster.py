"""The roster: enrolment, follow-ups, switching and stopping methods; reproductive data
encrypted at rest; every read of it audited; the health duty required."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from jisheng.audit.models import AuditEvent
from jisheng.contraceptives.models import (
    Method,
    Product,
    RosterEntry,
    RosterFollowUp,
    Satisfaction,
    StopReason,
)
from jisheng.contraceptives.selectors import roster as selectors
from jisheng.contraceptives.services import moves
from jisheng.contraceptives.services import roster as roster_services
from jisheng.contraceptives.services.roster import (
    roster_enroll,
    roster_follow_up_record,
    roster_stop,
)
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from jisheng.core.roles import Role


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


def _product(category: str) -> Product:
    return Product.objects.create(name=f"测试{category}", category=category, unit="个")


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


def _detail_values(detail: object) -> list[object]:
    """Every key and value of an audit detail, nested ones included."""
    if isinstance(detail, dict):
        return [v for key, value in detail.items() for v in (key, *_detail_values(value))]
    if isinstance(detail, list):
        return [v for item in detail for v in _detail_values(item)]
    return [detail]


def test_audit_details_hold_ids_and_counts_never_health_data(
    entry, worker_actor, woman, point, receive, make_facts, today
) -> None:
    """Neither free text nor coded values: which method, why stopped, switched to what,
    and which method was searched are reproductive data the auditor must not read."""
    roster_follow_up_record(
        actor=worker_actor, entry=entry, date=today, satisfaction="satisfied", notes="私密内容"
    )
    roster_follow_up_record(
        actor=worker_actor,
        entry=entry,
        date=today,
        satisfaction="dissatisfied",
        side_effects="腹痛",
        switch_to="implant",
    )
    implant = RosterEntry.objects.get(person=woman, method="implant")
    roster_stop(actor=worker_actor, entry=implant, stop_date=today, reason="wants_pregnancy")
    issue = moves.stock_issue(
        actor=worker_actor,
        point=point,
        lot=receive(point, 5).lot,
        quantity=1,
        person=woman,
        facts=make_facts(),
    )[0]
    moves.move_reverse(actor=worker_actor, move=issue, facts=make_facts())
    filters = selectors.RosterFilters(method="iud", community_id=woman.community_id)
    selectors.roster_search_record(actor=worker_actor, filters=filters)
    coded = {
        *Method.values,
        *StopReason.values,
        *Satisfaction.values,
        *(label for _v, label in Method.choices),
        *(label for _v, label in StopReason.choices),
    }
    events = list(AuditEvent.objects.all())
    assert len(events) >= 8
    for event in events:
        text = str(event.detail)
        for secret in ("私密", "G2P1", "腹痛"):
            assert secret not in text, event
        for value in _detail_values(event.detail):
            assert not (isinstance(value, str) and value in coded), (event, value)
            assert isinstance(value, int | bool | str | None), (event, value)


def test_list_reads_are_audited_with_the_filters(entry, worker_actor) -> None:
    filters = selectors.RosterFilters(method="iud")
    assert list(selectors.roster_list(user=worker_actor.user, filters=filters)) == [entry]
    selectors.roster_search_record(actor=worker_actor, filters=filters)
    event = AuditEvent.objects.filter(action="search").latest("pk")
    assert event.object_type == "contraceptives.rosterentry"
    assert event.detail == {"by_method": True, "community": None, "active_only": True}


def test_the_roster_needs_the_health_duty(entry, make_user) -> None:
    leader = make_user(Role.LEADER)
    # The reads refuse (403) before the scope would show nothing; the scope alone hides it too.
    with pytest.raises(Forbidden):
        selectors.roster_list(user=leader, filters=selectors.RosterFilters())
    assert not RosterEntry.objects.visible_to(leader).exists()
    with pytest.raises(Forbidden):
        selectors.roster_entry_detail(actor=Actor(user=leader), entry_id=entry.pk)
    with pytest.raises(Forbidden):
        selectors.roster_entry_for_form(actor=Actor(user=leader), entry_id=entry.pk, shown=True)
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
    oral = RosterEntry.objects.get(person=woman, method="oral", stop_date__isnull=True)
    history = list(selectors.supply_history(user=worker_actor.user, entry=oral))
    assert [(m.pk, m.is_reversed) for m in history] == [(second.pk, False), (first.pk, True)]


def test_supply_history_shows_only_issues_at_points_in_the_viewers_scope(
    org, store, point, receive, street_actor, worker_actor, woman, make_facts
) -> None:
    at_store = moves.stock_issue(
        actor=street_actor,
        point=store,
        lot=receive(store, 5).lot,
        quantity=1,
        person=woman,
        facts=make_facts(),
    )[0]
    at_point = moves.stock_issue(
        actor=worker_actor,
        point=point,
        lot=receive(point, 5).lot,
        quantity=1,
        person=woman,
        facts=make_facts(),
    )[0]
    oral = RosterEntry.objects.get(person=woman, method="oral")
    street_view = selectors.supply_history(user=street_actor.user, entry=oral)
    assert {m.pk for m in street_view} == {at_store.pk, at_point.pk}
    worker_view = selectors.supply_history(user=worker_actor.user, entry=oral)
    assert [m.pk for m in worker_view] == [at_point.pk]


def test_reversing_the_issue_that_enrolled_a_person_takes_them_off_the_roster(
    point, receive, worker_actor, woman, make_facts, today
) -> None:
    issue = moves.stock_issue(
        actor=worker_actor,
        point=point,
        lot=receive(point, 5).lot,
        quantity=1,
        person=woman,
        facts=make_facts(occurred_on=today - dt.timedelta(days=2)),
    )[0]
    entry = RosterEntry.objects.get(person=woman)
    assert entry.first_supply == issue
    moves.move_reverse(actor=worker_actor, move=issue, facts=make_facts())
    entry.refresh_from_db()
    assert (entry.stop_date, entry.stop_reason) == (entry.start_date, "entered_in_error")
    assert not selectors.roster_list(user=worker_actor.user, filters=selectors.RosterFilters())


def test_reversing_one_of_several_issues_keeps_the_person_on_the_roster(
    point, receive, worker_actor, woman, make_facts
) -> None:
    lot = receive(point, 5).lot
    first = moves.stock_issue(
        actor=worker_actor, point=point, lot=lot, quantity=1, person=woman, facts=make_facts()
    )[0]
    second = moves.stock_issue(
        actor=worker_actor, point=point, lot=lot, quantity=1, person=woman, facts=make_facts()
    )[0]
    moves.move_reverse(actor=worker_actor, move=second, facts=make_facts())
    moves.move_reverse(actor=worker_actor, move=first, facts=make_facts())  # second is gone
    entry = RosterEntry.objects.get(person=woman)
    assert entry.stop_reason == "entered_in_error"

    other = RosterEntry.objects.create(
        person=woman, community=woman.community, method="oral", start_date=entry.start_date
    )
    third = moves.stock_issue(
        actor=worker_actor, point=point, lot=lot, quantity=1, person=woman, facts=make_facts()
    )[0]
    moves.move_reverse(actor=worker_actor, move=third, facts=make_facts())
    other.refresh_from_db()
    assert other.is_active  # enrolled by hand, not by the reversed issue


def test_reversing_an_issue_to_someone_enrolled_before_leaves_the_entry(
    entry, point, receive, worker_actor, woman, make_facts
) -> None:
    iud = moves.stock_issue(
        actor=worker_actor,
        point=point,
        lot=receive(point, 5, product=_product("iud")).lot,
        quantity=1,
        person=woman,
        facts=make_facts(),
    )[0]
    moves.move_reverse(actor=worker_actor, move=iud, facts=make_facts())
    entry.refresh_from_db()
    assert entry.is_active


def test_an_issue_racing_another_first_issue_finds_its_entry_instead_of_failing(
    monkeypatch, point, receive, worker_actor, woman, make_facts, today
) -> None:
    """The other issue's entry appears between the read and the insert: the insert fails on
    the one-open-entry constraint and the service re-reads instead of refusing."""
    lot = receive(point, 5).lot
    earlier = RosterEntry.objects.create(
        person=woman, community=woman.community, method="oral", start_date=today
    )
    real = roster_services._open_entry
    reads: list[str] = []

    def missed_once(person, method):  # type: ignore[no-untyped-def]
        reads.append(method)
        return None if len(reads) == 1 else real(person, method)

    monkeypatch.setattr(roster_services, "_open_entry", missed_once)
    moves.stock_issue(
        actor=worker_actor, point=point, lot=lot, quantity=1, person=woman, facts=make_facts()
    )
    assert reads == ["oral", "oral"]
    assert list(RosterEntry.objects.filter(person=woman)) == [earlier]


def test_a_form_page_naming_the_person_and_method_is_an_audited_read(
    entry, worker, client_for
) -> None:
    client = client_for(worker)
    for name in ("roster_follow_up", "roster_stop"):
        before = AuditEvent.objects.filter(action="view", object_id=str(entry.pk)).count()
        assert client.get(reverse(f"contraceptives:{name}", args=[entry.pk])).status_code == 200
        views = AuditEvent.objects.filter(action="view", object_id=str(entry.pk))
        assert views.count() == before + 1, name
        assert views.latest("pk").object_type == "contraceptives.rosterentry"
