"""Find eligible as a snapshot: the rows equal the live rule (on the demo data and after a random
stream of registry events), pages seek by the sort key, a snapshot goes stale after an event in
its scope, a stale one is refused for applications, and a snapshot is read only in its scope."""

from __future__ import annotations

import contextlib
import datetime as dt
import random

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from tests.reports.test_rollups import random_step

from jisheng.accounts.models import User
from jisheng.accounts.org_units import org_unit_create
from jisheng.benefits import selectors
from jisheng.benefits.models import (
    Application,
    EligibleSnapshot,
    EligibleSnapshotRow,
    Program,
)
from jisheng.benefits.services import snapshots
from jisheng.benefits.services.programs import disability_record
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, NotFound
from jisheng.core.models import TaskProgress
from jisheng.core.modules import maintenance_jobs
from jisheng.core.roles import Role
from jisheng.registry.models import LifeEvent, Person
from jisheng.registry.services import events

TODAY = dt.date(2026, 6, 1)


def take(user: User, program: Program, as_of: dt.date = TODAY) -> EligibleSnapshot:
    """Queue a snapshot as the page does, then take it as the worker does (the test runs in a
    transaction, so the queued task is never sent: the worker's function is called instead)."""
    queued = snapshots.snapshot_refresh(actor=Actor(user=user), program=program, as_of=as_of)
    taken = snapshots.snapshot_take(snapshot_id=queued.pk)
    assert taken is not None
    return EligibleSnapshot.objects.select_related("progress", "program", "org_unit").get(
        pk=taken.pk
    )


def rows_of(snapshot: EligibleSnapshot) -> list[tuple[int, str]]:
    return list(
        EligibleSnapshotRow.objects.filter(snapshot=snapshot)
        .order_by("community_code", "name", "person_id")
        .values_list("person_id", "spouse_name")
    )


def live(user: User, program: Program, as_of: dt.date = TODAY) -> list[tuple[int, str]]:
    found = selectors.eligible_persons(user=user, program=program, as_of=as_of)
    return [(pk, spouse or "") for pk, spouse in found.values_list("pk", "spouse_name")]


@pytest.fixture
def childcare(program) -> Program:
    return program("childcare-subsidy")


@pytest.fixture
def babies(org, make_family) -> list[Person]:
    """Three babies who qualify for the childcare subsidy (with parents to be paid): two in
    community 1, one in community 2."""
    born = TODAY - dt.timedelta(days=200)
    return [
        make_family(community=community, children=(("M", born),))[2][0]
        for community in (org.c1, org.c1, org.c2)
    ]


def test_rows_equal_the_rule_on_the_demo_data_and_after_a_random_stream_of_events(
    org, make_user, demo_instance
) -> None:
    street = User.objects.get(username="demo_street")
    community = User.objects.get(username="demo_c1")
    programs = list(Program.objects.filter(status=Program.Status.OPEN).order_by("code"))
    today = timezone.localdate()
    for user in (street, community):
        for program in programs:
            assert rows_of(take(user, program, today)) == live(user, program, today), program.code
    assert EligibleSnapshotRow.objects.exists()
    # The couple programs list someone, so the spouse names were compared too.
    assert EligibleSnapshotRow.objects.exclude(spouse_name="").exists()

    actor = Actor(user=make_user(Role.STREET_STAFF), ip="127.0.0.1")
    rng = random.Random(20261205)
    checked = 0
    for step in range(60):
        day = today - dt.timedelta(days=60 - step)
        with contextlib.suppress(Exception):
            random_step(rng, actor, org, day)
        if rng.random() < 0.2:
            program = rng.choice(programs)
            user = rng.choice((street, community))
            snapshot = take(user, program, today)
            assert not selectors.snapshot_stale(snapshot)
            assert rows_of(snapshot) == live(user, program, today), (step, program.code)
            checked += 1
    assert checked >= 5
    # A refresh replaced the older snapshot of the same program, day and unit.
    keys = EligibleSnapshot.objects.values_list("program", "as_of", "org_unit")
    assert len(keys) == len(set(keys))


def test_stale_after_an_event_in_its_scope_not_after_one_in_another_street(
    org, childcare, babies, make_user, make_person
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER, org.c1)
    snapshot = take(worker, childcare)
    assert not selectors.snapshot_stale(snapshot)

    other_street = org_unit_create(
        actor=None,
        name="另一街道",
        kind="street",
        code=org.district.code + "099",
        parent=org.district,
    )
    far = org_unit_create(
        actor=None,
        name="远方社区",
        kind="community",
        code=other_street.code + "001",
        parent=other_street,
    )
    recorder = Actor(user=make_user(Role.STREET_STAFF, other_street))
    events.death_record(actor=recorder, person=make_person(far, name="远方人"), date=TODAY)
    assert not selectors.snapshot_stale(snapshot)
    # Community 2 is in the street but not in community 1's scope.
    events.death_record(
        actor=Actor(user=make_user(Role.STREET_STAFF)), person=babies[2], date=TODAY
    )
    assert not selectors.snapshot_stale(snapshot)

    events.death_record(actor=Actor(user=worker), person=babies[0], date=TODAY)
    assert selectors.snapshot_stale(snapshot)
    fresh = take(worker, childcare)
    assert not selectors.snapshot_stale(fresh)
    assert [pk for pk, _spouse in rows_of(fresh)] == [babies[1].pk]
    assert fresh.event_mark == LifeEvent.objects.latest("pk").pk
    # A disability grade is a fact the rules test, though no life event: stale too.
    disability_record(
        actor=Actor(user=worker),
        person=babies[1],
        grade=2,
        certificate_number="",
        recorded_on=TODAY,
    )
    assert selectors.snapshot_stale(fresh)


def test_stale_when_older_than_the_setting_or_the_program_was_edited(
    org, childcare, babies, make_user, settings
) -> None:
    snapshot = take(make_user(Role.COMMUNITY_WORKER), childcare)
    assert snapshot.taken_at is not None
    assert not selectors.snapshot_stale(snapshot, now=snapshot.taken_at + dt.timedelta(hours=23))
    assert selectors.snapshot_stale(snapshot, now=snapshot.taken_at + dt.timedelta(hours=25))
    settings.JISHENG_SNAPSHOT_MAX_AGE_HOURS = 48
    assert not selectors.snapshot_stale(snapshot, now=snapshot.taken_at + dt.timedelta(hours=25))
    Program.objects.filter(pk=childcare.pk).update(
        updated_at=snapshot.taken_at + dt.timedelta(seconds=1)
    )
    snapshot.program.refresh_from_db()
    assert selectors.snapshot_stale(snapshot)


def test_a_stale_snapshot_is_refused_for_applications(
    org, childcare, babies, make_user, client_for
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER, org.c1)
    snapshot = take(worker, childcare)
    events.household_change_record(
        actor=Actor(user=worker), person=babies[1], date=TODAY, address="新地址2号"
    )
    with pytest.raises(Conflict) as refused:
        snapshots.applications_from_snapshot(
            actor=Actor(user=worker),
            program=childcare,
            snapshot_id=snapshot.pk,
            person_ids=[babies[0].pk],
        )
    assert refused.value.code == "snapshot_stale"
    client = client_for(worker)
    page = client.get(reverse("benefits:find_eligible", args=[childcare.code]), {"as_of": TODAY})
    assert 'data-testid="snapshot-stale"' in page.content.decode()
    assert 'data-testid="apply-selected"' not in page.content.decode()
    response = client.post(
        reverse("benefits:apply_selected", args=[childcare.code]),
        {"snapshot": snapshot.pk, "person_ids": [babies[0].pk]},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 409
    assert "名单已过时" in response.content.decode()
    assert not Application.objects.exists()


def test_applying_takes_only_residents_listed_in_the_snapshot(
    org, childcare, babies, make_user, make_person
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER, org.c1)
    snapshot = take(worker, childcare)
    adult = make_person(org.c1, name="成年人")
    result = snapshots.applications_from_snapshot(
        actor=Actor(user=worker),
        program=childcare,
        snapshot_id=snapshot.pk,
        person_ids=[babies[0].pk, adult.pk, babies[2].pk],
        today=TODAY,
    )
    # The adult is not in the list, the baby of community 2 not in its scope: neither is taken.
    assert [application.person for application in result.created] == [babies[0]], result.refused
    with pytest.raises(Conflict) as gone:
        snapshots.applications_from_snapshot(
            actor=Actor(user=worker), program=childcare, snapshot_id=None, person_ids=[1]
        )
    assert gone.value.code == "snapshot_gone"


def test_the_page_drops_who_applied_since_and_seeks_by_the_sort_key(
    org, childcare, make_user, make_person, make_family, client_for
) -> None:
    born = TODAY - dt.timedelta(days=100)
    family_baby = make_family(community=org.c1, children=(("F", born),))[2][0]
    names = ["丁", "甲", "乙", "丙", "戊", "己", "庚"]
    babies = [make_person(org.c1, name=f"{name}宝", birth_date=born) for name in names]
    babies.append(make_person(org.c1, name="甲宝", birth_date=born))  # the same name: by id
    worker = make_user(Role.COMMUNITY_WORKER, org.c1)
    snapshot = take(worker, childcare)
    expected = [pk for pk, _spouse in live(worker, childcare)]
    assert len(expected) == len(babies) + 1

    # Forwards three at a time, then backwards from the end: the same order both ways.
    seen: list[int] = []
    page = selectors.snapshot_page(worker, snapshot, per_page=3)
    assert not page.has_previous
    while True:
        seen += [person.pk for person in page.persons]
        if not page.has_next:
            break
        page = selectors.snapshot_page(worker, snapshot, after=page.last_id, per_page=3)
    assert seen == expected
    back = [person.pk for person in page.persons]
    while page.has_previous:
        page = selectors.snapshot_page(worker, snapshot, before=page.first_id, per_page=3)
        back = [person.pk for person in page.persons] + back
    assert back == expected

    applied = expected.index(family_baby.pk)
    result = snapshots.applications_from_snapshot(
        actor=Actor(user=worker),
        program=childcare,
        snapshot_id=snapshot.pk,
        person_ids=[family_baby.pk],
        today=TODAY,
    )
    assert len(result.created) == 1
    client = client_for(worker)
    url = reverse("benefits:find_eligible", args=[childcare.code])
    first = client.get(url, {"as_of": TODAY})
    shown = [person.pk for person in first.context["page"].persons]
    # The one who applied is left out, without a refresh.
    assert shown == expected[:applied] + expected[applied + 1 :]
    assert first.context["current"].total == len(expected)  # the stored total
    assert client.get(url, {"as_of": TODAY, "after": "x"}).status_code == 400


def test_a_snapshot_is_read_only_in_its_scope(
    org, childcare, babies, make_user, client_for
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER, org.c1)
    street = make_user(Role.STREET_STAFF)
    mine = take(worker, childcare)
    theirs = take(make_user(Role.COMMUNITY_WORKER, org.c2), childcare)
    streets = take(street, childcare)
    assert {pk for pk, _spouse in rows_of(mine)} == {babies[0].pk, babies[1].pk}
    assert {pk for pk, _spouse in rows_of(theirs)} == {babies[2].pk}
    assert {pk for pk, _spouse in rows_of(streets)} == {baby.pk for baby in babies}
    for other in (theirs, streets):
        with pytest.raises(NotFound):
            selectors.snapshot_for(worker, other.pk)
        poll = client_for(worker).get(
            reverse("benefits:eligible_snapshot", args=[other.pk]), HTTP_HX_REQUEST="true"
        )
        assert poll.status_code == 404
    # The worker's page reads their own unit's snapshot, the street's page the street's.
    assert selectors.snapshots_for(worker, childcare, TODAY).current == mine
    assert selectors.snapshots_for(street, childcare, TODAY).current == streets
    # Even a snapshot of a unit above is read through the rows' own scope.
    page = selectors.snapshot_page(worker, streets)
    assert {person.pk for person in page.persons} == {babies[0].pk, babies[1].pk}


def test_a_second_refresh_while_one_runs_queues_nothing_more(
    org, childcare, make_user, client_for
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER, org.c1)
    colleague = make_user(Role.COMMUNITY_WORKER, org.c1)
    client = client_for(worker)
    refresh = reverse("benefits:eligible_refresh", args=[childcare.code])
    first = client.post(refresh, {"as_of": TODAY.isoformat()})
    assert first.status_code == 302
    # The same form sent again gets the "already sent" page, the colleague the running one.
    assert client.post(refresh, {"as_of": TODAY.isoformat()}).status_code in {302, 409}
    client_for(colleague).post(refresh, {"as_of": TODAY.isoformat()})
    assert EligibleSnapshot.objects.count() == 1
    assert TaskProgress.objects.count() == 1
    page = client.get(first["Location"]).content.decode()
    snapshot = EligibleSnapshot.objects.get()
    assert 'data-testid="snapshot-progress"' in page
    assert reverse("benefits:eligible_snapshot", args=[snapshot.pk]) in page
    assert 'data-testid="refresh"' not in page
    # Another day is another snapshot; a bad day is refused on the page's own terms.
    client.post(refresh, {"as_of": "2026-05-01"})
    assert EligibleSnapshot.objects.count() == 2
    assert client.post(refresh, {"as_of": "someday"}).status_code == 400


def test_without_a_snapshot_the_page_offers_to_make_one(org, childcare, make_user, client_for):
    page = client_for(make_user(Role.COMMUNITY_WORKER)).get(
        reverse("benefits:find_eligible", args=[childcare.code]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="no-snapshot"' in text
    assert 'data-testid="refresh"' in text
    assert 'data-testid="eligible"' not in text


def test_a_failed_snapshot_says_why_and_leaves_no_rows(
    org, childcare, babies, make_user, client_for
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER, org.c1)
    queued = snapshots.snapshot_refresh(actor=Actor(user=worker), program=childcare, as_of=TODAY)
    # The worker moved to another community before the task ran: their scope is not the unit's.
    User.objects.filter(pk=worker.pk).update(org_unit=org.c2)
    assert snapshots.snapshot_take(snapshot_id=queued.pk) is None
    queued.progress.refresh_from_db()
    assert queued.progress.state == TaskProgress.State.FAILED
    assert not EligibleSnapshotRow.objects.exists()
    poll = client_for(make_user(Role.COMMUNITY_WORKER, org.c1)).get(
        reverse("benefits:eligible_snapshot", args=[queued.pk]), HTTP_HX_REQUEST="true"
    )
    assert poll.status_code == 286  # htmx stops polling
    assert 'data-testid="snapshot-failed"' in poll.content.decode()


def test_the_api_queues_reads_and_pages_a_snapshot(
    org, childcare, babies, make_user, client_for
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER, org.c1)
    client = client_for(worker)
    url = f"/api/benefits/programs/{childcare.code}/eligible-snapshots"
    queued = client.post(url, {"as_of": TODAY.isoformat()}, content_type="application/json")
    assert queued.status_code == 202
    body = queued.json()
    assert (body["state"], body["total"], body["as_of"]) == ("queued", 0, TODAY.isoformat())
    again = client.post(url, {"as_of": TODAY.isoformat()}, content_type="application/json")
    assert again.json()["id"] == body["id"]  # one at a time per program, day and unit
    status_url = f"/api/benefits/eligible-snapshots/{body['id']}"
    assert client.get(f"{status_url}/rows").status_code == 409  # not made yet

    snapshots.snapshot_take(snapshot_id=body["id"])
    done = client.get(status_url).json()
    assert (done["state"], done["total"], done["stale"]) == ("done", 2, False)
    rows = client.get(f"{status_url}/rows").json()
    assert {item["id"] for item in rows["items"]} == {babies[0].pk, babies[1].pk}
    assert rows["next_after"] is None
    assert rows["previous_before"] is None
    bad_day = client.post(url, {"as_of": "1850-01-01"}, content_type="application/json")
    assert bad_day.status_code == 400
    other = take(make_user(Role.COMMUNITY_WORKER, org.c2), childcare)
    assert client.get(f"/api/benefits/eligible-snapshots/{other.pk}").status_code == 404
    assert client.get(f"/api/benefits/eligible-snapshots/{other.pk}/rows").status_code == 404


def test_a_snapshot_whose_worker_died_is_failed_by_the_next_refresh(
    org, childcare, babies, make_user
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER, org.c1)
    actor = Actor(user=worker)
    stuck = snapshots.snapshot_refresh(actor=actor, program=childcare, as_of=TODAY)
    # Still alive: the refresh returns it.
    assert snapshots.snapshot_refresh(actor=actor, program=childcare, as_of=TODAY) == stuck
    silent = timezone.now() - dt.timedelta(minutes=settings.JISHENG_STALE_TASK_MINUTES + 1)
    TaskProgress.objects.filter(pk=stuck.progress_id).update(updated_at=silent)
    fresh = snapshots.snapshot_refresh(actor=actor, program=childcare, as_of=TODAY)
    assert fresh.pk != stuck.pk
    stuck.progress.refresh_from_db()
    assert stuck.progress.state == TaskProgress.State.FAILED
    # Should the dead one's task still come round, it does nothing.
    assert snapshots.snapshot_take(snapshot_id=stuck.pk) is None
    taken = snapshots.snapshot_take(snapshot_id=fresh.pk)
    assert taken is not None
    assert EligibleSnapshotRow.objects.filter(snapshot=fresh).count() == 2


def test_finished_snapshots_are_purged_after_the_age_limit(
    org, childcare, babies, make_user
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER, org.c1)
    old = take(worker, childcare, as_of=TODAY - dt.timedelta(days=1))
    recent = take(worker, childcare)
    assert EligibleSnapshotRow.objects.filter(snapshot=old).exists()
    hours = settings.JISHENG_SNAPSHOT_MAX_AGE_HOURS
    EligibleSnapshot.objects.filter(pk=old.pk).update(
        queued_at=timezone.now() - dt.timedelta(hours=hours + 1)
    )
    assert snapshots.snapshots_purge_expired() == 1
    assert not EligibleSnapshot.objects.filter(pk=old.pk).exists()
    assert not EligibleSnapshotRow.objects.filter(snapshot_id=old.pk).exists()
    assert EligibleSnapshotRow.objects.filter(snapshot=recent).count() == 2
    assert "jisheng.benefits.services.snapshots.snapshots_purge_expired" in {
        f"{job.__module__}.{job.__name__}" for job in maintenance_jobs()
    }
