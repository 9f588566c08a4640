"""The worklist reads its scope and order from the couple's own row: the file follows the
wife's move at once, the latest contact is kept by the contact services, the order is the
one the page always had, and the page costs the same queries for few and many couples."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jisheng.core.roles import Role
from jisheng.prepregnancy.models import Contact, FollowUp, Referral, TargetCouple
from jisheng.prepregnancy.models.couples import STATE_ORDER
from jisheng.prepregnancy.selectors.couples import couple_list
from jisheng.prepregnancy.services import checkups, contacts, couples, pregnancies
from jisheng.registry.services import events

pytestmark = pytest.mark.django_db


def _shown(user) -> list[int]:
    return [c.pk for c in couple_list(user=user)]


def test_a_file_follows_the_wife_at_once_and_back_when_the_move_is_reversed(
    org, make_user, worker, actor, street_actor, couple, today, client_for
) -> None:
    other = make_user(Role.COMMUNITY_WORKER, org.c2)
    assert (_shown(worker), _shown(other)) == ([couple.pk], [])

    events.move_out_record(actor=street_actor, person=couple.wife, date=today)
    arrival = events.move_in_record(
        actor=street_actor, community=org.c2, person=couple.wife, date=today
    )

    assert (_shown(worker), _shown(other)) == ([], [couple.pk])  # no derivation ran
    page = client_for(other).get(reverse("prepregnancy:couple_list")).content.decode()
    assert f'data-couple="{couple.pk}"' in page

    events.event_reverse(actor=street_actor, event=arrival, reason="录入错误", date=today)
    assert (_shown(worker), _shown(other)) == ([couple.pk], [])


def test_the_latest_contact_is_kept_on_the_file(actor, couple, today) -> None:
    for days_ago in (3, 9, 1, 5):
        contacts.contact_record(
            actor=actor,
            couple=couple,
            method="phone",
            outcome="not_reached",
            date=today - dt.timedelta(days=days_ago),
        )
    stored = TargetCouple.objects.get(pk=couple.pk)
    assert stored.last_contact == today - dt.timedelta(days=1)
    assert stored.worklist_date == stored.last_contact


def test_the_worklist_keeps_its_order(actor, worker, marry, couple_of, today) -> None:
    files = [couple_of(marry(days_ago=days)) for days in (40, 5, 20, 12, 30, 8)]
    for n, couple in enumerate(files[:4]):
        outcome = ("reached", "not_reached", "declined", "not_reached")[n]
        contacts.contact_record(
            actor=actor,
            couple=couple,
            method="home_visit",
            outcome=outcome,
            date=today - dt.timedelta(days=n * 7 % 11),
        )
    couples.target_couples_refresh(actor=actor)
    rank = {state: n for n, state in enumerate(STATE_ORDER)}
    latest = dict(
        Contact.objects.values("couple").annotate(day=Max("date")).values_list("couple", "day")
    )
    expected = sorted(
        TargetCouple.objects.all(),
        key=lambda c: (
            rank[c.state],
            -(latest.get(c.pk) or c.entered_on).toordinal(),
            c.pk,
        ),
    )
    assert len({c.state for c in expected}) > 1
    assert _shown(worker) == [c.pk for c in expected]


def test_the_list_page_costs_the_same_queries_for_few_and_many_couples(
    worker, actor, marry, client_for, couple_of, today
) -> None:
    client = client_for(worker)
    url = reverse("prepregnancy:couple_list")
    client.get(url)  # the session's first request resolves the roles once

    def queries_with(count: int) -> int:
        while TargetCouple.objects.count() < count:
            couple = couple_of(marry(days_ago=TargetCouple.objects.count() + 3))
            contacts.contact_record(
                actor=actor, couple=couple, method="phone", outcome="reached", date=today
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert queries_with(2) == queries_with(9)


def test_the_follow_up_list_costs_the_same_queries_for_few_and_many(
    worker, actor, marry, client_for, couple_of, today
) -> None:
    client = client_for(worker)
    url = reverse("prepregnancy:followup_list")
    client.get(url)  # the session's first request resolves the roles once

    def queries_with(count: int) -> int:
        while FollowUp.objects.count() < count:
            couple = couple_of(marry(days_ago=FollowUp.objects.count() + 3))
            pregnancies.pregnancy_report(actor=actor, couple=couple, reported_on=today)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.content.decode().count('href="/prepregnancy/couples/') >= count
        return len(queries)

    assert queries_with(1) == queries_with(6)


def test_the_referral_list_shows_every_column_at_the_same_queries_for_few_and_many(
    worker, actor, marry, client_for, couple_of, checkup_data, today
) -> None:
    client = client_for(worker)
    url = reverse("prepregnancy:referral_list")
    client.get(url)  # the session's first request resolves the roles once

    def queries_with(count: int) -> int:
        while Referral.objects.count() < count:
            couple = couple_of(marry(days_ago=Referral.objects.count() + 3))
            checkups.checkup_record(
                actor=actor,
                couple=couple,
                spouse="wife",
                data=checkup_data(date=today, risk_level="high", risk_note="x"),
            )
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        for referral in Referral.objects.select_related(
            "couple__wife", "couple__husband", "couple__community", "assignee"
        ):
            row = page.split(f'data-referral="{referral.pk}"')[1].split("</tr>")[0]
            for shown in (
                referral.couple.wife.name,
                referral.couple.husband.name,
                referral.couple.community.name,
                str(referral.assignee),
                referral.due_date.isoformat(),
            ):
                assert shown in row
        return len(queries)

    assert queries_with(1) == queries_with(4)


def _rows(html: str, mark: str) -> list[str]:
    return [part.split('"')[0] for part in html.split(f'{mark}="')[1:]]


@pytest.mark.parametrize("name", ["followup_list", "referral_list"])
def test_the_task_lists_come_a_page_at_a_time_most_urgent_first(
    name, worker, actor, marry, client_for, couple_of, checkup_data, today, monkeypatch
) -> None:
    """A worker's list of thousands is paged like every other list, not cut at 500 rows."""
    monkeypatch.setattr("jisheng.core.pages.PER_PAGE", 2)
    for n in range(3):
        couple = couple_of(marry(days_ago=n + 3))
        day = today - dt.timedelta(days=n)
        if name == "followup_list":
            pregnancies.pregnancy_report(actor=actor, couple=couple, reported_on=day)
        else:
            data = checkup_data(date=day, risk_level="high", risk_note="x")
            checkups.checkup_record(actor=actor, couple=couple, spouse="wife", data=data)
    tasks = FollowUp.objects.all() if name == "followup_list" else Referral.objects.all()
    mark = "data-task" if name == "followup_list" else "data-referral"
    expected = [str(pk) for pk in tasks.order_by("due_date", "pk").values_list("pk", flat=True)]
    assert len(expected) >= 3
    client = client_for(worker)
    url = reverse(f"prepregnancy:{name}")

    def shown(query: str) -> list[str]:
        page = client.get(url + query)
        assert page.status_code == 200
        return _rows(page.content.decode(), mark)

    first, second = shown(""), shown("?page=2")
    assert first == expected[:2]
    assert second == expected[2:4]
    assert shown("?page=abc") == first
    assert shown("?page=99999") == shown(f"?page={(len(expected) + 1) // 2}")
    html = client.get(url).content.decode()
    assert f"共 {len(expected)} 条" in html
    assert "page=2" in html
