"""The roster's stored community: it follows the person's moves at once, keeps the list's
order, and the list page costs the same number of queries however many entries it shows."""

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
    org, make_person, make_user, street_user
) -> None:
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
