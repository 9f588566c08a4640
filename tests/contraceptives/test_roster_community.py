"""The roster's stored community and name: they follow the person's moves and name
corrections at once, keep the list's order, and the list page costs the same number of
queries however many entries it shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jisheng.contraceptives.models import RosterEntry, RosterFollowUp
from jisheng.contraceptives.selectors.roster import RosterFilters, roster_list
from jisheng.contraceptives.services import roster
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.registry.models import Person
from jisheng.registry.services import events

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def _woman(make_person, community, n: int):
    return make_person(community, name=f"王芳{n:02d}", sex="F", birth_date=dt.date(1992, 1, 1))


def _shown(user) -> list[int]:
    return [e.pk for e in roster_list(user=user, filters=RosterFilters(active_only=False))]


def test_an_entry_moves_with_its_person_at_once_and_back_when_the_move_is_reversed(
    org, make_user, make_person, worker, worker_actor, street_actor, client_for
) -> None:
    other = make_user(Role.COMMUNITY_WORKER, org.c2)
    woman = _woman(make_person, org.c1, 1)
    entry = roster.roster_enroll(actor=worker_actor, person=woman, method="iud", start_date=DAY)
    follow_up = roster.roster_follow_up_record(
        actor=worker_actor, entry=entry, date=DAY, satisfaction="satisfied"
    )
    assert (_shown(worker), _shown(other)) == ([entry.pk], [])

    events.move_out_record(actor=street_actor, person=woman, date=DAY + dt.timedelta(days=5))
    arrival = events.move_in_record(
        actor=street_actor, community=org.c2, person=woman, date=DAY + dt.timedelta(days=9)
    )

    assert RosterEntry.objects.get(pk=entry.pk).community_id == org.c2.pk
    assert (_shown(worker), _shown(other)) == ([], [entry.pk])
    assert list(RosterFollowUp.objects.visible_to(other)) == [follow_up]
    assert not RosterFollowUp.objects.visible_to(worker).exists()
    page = client_for(other).get(reverse("contraceptives:roster_list"))
    assert woman.name in page.content.decode()
    assert (
        woman.name
        not in client_for(worker).get(reverse("contraceptives:roster_list")).content.decode()
    )

    events.event_reverse(
        actor=street_actor, event=arrival, reason="录入错误", date=DAY + dt.timedelta(days=10)
    )
    assert (_shown(worker), _shown(other)) == ([entry.pk], [])


def test_entries_stay_in_community_path_then_name_then_method_order(
    org, make_person, make_user, street_user, client_for
) -> None:
    def client_for_order(user) -> str:  # type: ignore[no-untyped-def]
        url = reverse("contraceptives:roster_list")
        return client_for(user).get(url).content.decode()

    worker_c2 = Actor(user=make_user(Role.COMMUNITY_WORKER, org.c2))
    worker_c1 = Actor(user=make_user(Role.COMMUNITY_WORKER, org.c1))
    for n, (community, actor) in enumerate(
        [(org.c2, worker_c2), (org.c1, worker_c1), (org.c2, worker_c2), (org.c1, worker_c1)] * 2
    ):
        woman = _woman(make_person, community, 9 - n)
        for method in ("oral", "condom"):
            roster.roster_enroll(actor=actor, person=woman, method=method, start_date=DAY)
    expected = sorted(
        RosterEntry.objects.select_related("person__community"),
        key=lambda e: (e.person.community.path, e.person.name, e.method, e.pk),
    )
    assert _shown(street_user) == [e.pk for e in expected]
    page = client_for_order(street_user)
    assert [page.index(f'href="/contraceptives/roster/{e.pk}/"') for e in expected] == sorted(
        page.index(f'href="/contraceptives/roster/{e.pk}/"') for e in expected
    )


def test_a_corrected_name_moves_the_entries_in_the_order_at_once_and_back_on_reversal(
    org, make_person, worker, worker_actor, street_actor
) -> None:
    first, second = (_woman(make_person, org.c1, n) for n in (1, 2))
    entries = [
        roster.roster_enroll(actor=worker_actor, person=woman, method="iud", start_date=DAY)
        for woman in (first, second)
    ]
    assert _shown(worker) == [entries[0].pk, entries[1].pk]

    correction = events.person_correct(
        actor=street_actor, person=first, changes={"name": "王芳99"}, reason="登记错误", date=DAY
    )

    assert RosterEntry.objects.get(pk=entries[0].pk).person_name == "王芳99"
    assert _shown(worker) == [entries[1].pk, entries[0].pk]
    events.event_reverse(actor=street_actor, event=correction, reason="改错了", date=DAY)
    assert RosterEntry.objects.get(pk=entries[0].pk).person_name == "王芳01"
    assert _shown(worker) == [entries[0].pk, entries[1].pk]


def test_a_new_entry_copies_the_community_and_name_stored_now_not_those_read_before(
    org, make_person, street_actor
) -> None:
    woman = _woman(make_person, org.c1, 1)
    read_earlier = Person.objects.get(pk=woman.pk)
    Person.objects.filter(pk=woman.pk).update(community=org.c2, name="王芳77")

    with CaptureQueriesContext(connection) as queries:
        entry = roster.roster_enroll(
            actor=street_actor, person=read_earlier, method="iud", start_date=DAY
        )

    stored = RosterEntry.objects.get(pk=entry.pk)
    assert (stored.community_id, stored.person_name) == (org.c2.pk, "王芳77")
    if connection.features.has_select_for_update:
        # A move (or its reversal) waits for the insert: the copy cannot go stale.
        assert any(
            'FROM "registry_person"' in q["sql"] and "FOR UPDATE" in q["sql"]
            for q in queries.captured_queries
        )


def test_the_list_page_costs_the_same_queries_for_few_and_many_entries(
    org, make_person, worker, worker_actor, client_for
) -> None:
    client = client_for(worker)
    url = reverse("contraceptives:roster_list")
    client.get(url)  # the session's first request resolves the roles once

    def queries_with(count: int) -> int:
        while RosterEntry.objects.count() < count:
            woman = _woman(make_person, org.c1, RosterEntry.objects.count())
            roster.roster_enroll(actor=worker_actor, person=woman, method="iud", start_date=DAY)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert queries_with(2) == queries_with(12)
