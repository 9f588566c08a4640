"""Deriving target couples from the registry: the window, who counts, idempotence, and couples
whose situation changed (checked, pregnant, declined, moved, divorced) staying on the list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, JishengError, NotFound
from jisheng.core.models import TaskProgress
from jisheng.core.progress import progress_create
from jisheng.core.roles import Role
from jisheng.prepregnancy import rules
from jisheng.prepregnancy.models import (
    ContactMethod,
    ContactOutcome,
    CoupleSource,
    CoupleState,
    TargetCouple,
)
from jisheng.prepregnancy.services import checkups, contacts, couples, pregnancies
from jisheng.prepregnancy.tasks import target_couples_refresh_task
from jisheng.registry.models import LifeEvent, Marriage, Person, ResidentStatus
from jisheng.registry.selectors import person_by_id_number as wife_by_id_number
from jisheng.registry.services import events

WINDOW = 365


def derived(actor: Actor, **kwargs: object) -> set[tuple[int, int]]:
    couples.target_couples_refresh(actor=actor, **kwargs)  # type: ignore[arg-type]
    return set(TargetCouple.objects.values_list("husband_id", "wife_id"))


def pair(spouses) -> tuple[int, int]:
    return (spouses.husband.pk, spouses.wife.pk)


def test_window_includes_first_and_last_day_and_excludes_the_days_around(
    actor, marry, today
) -> None:
    first_day = marry(days_ago=WINDOW - 1)
    last_day = marry(days_ago=0)
    day_before = marry(days_ago=WINDOW)
    # A marriage dated tomorrow: the registry now refuses one, older data may hold it.
    day_after = marry(days_ago=0)
    Marriage.objects.filter(pk=day_after.marriage.pk).update(date=today + dt.timedelta(days=1))

    found = derived(actor, window_days=WINDOW)

    assert rules.marriage_window(today, WINDOW) == (
        today - dt.timedelta(days=WINDOW - 1),
        today,
    )
    assert pair(first_day) in found
    assert pair(last_day) in found
    assert pair(day_before) not in found
    assert pair(day_after) not in found


def test_window_comes_from_the_setting_when_not_given(actor, marry, settings) -> None:
    settings.JISHENG_PREPREGNANCY_WINDOW_DAYS = 30
    inside, outside = marry(days_ago=29), marry(days_ago=30)
    result = couples.target_couples_refresh(actor=actor)
    assert result.last_day - result.first_day == dt.timedelta(days=29)
    found = set(TargetCouple.objects.values_list("husband_id", "wife_id"))
    assert pair(inside) in found
    assert pair(outside) not in found


def test_floating_residents_are_targets_like_registered_ones(actor, marry) -> None:
    floating = marry(floating=True)
    assert pair(floating) in derived(actor)
    couple = TargetCouple.objects.get(wife=floating.wife)
    assert couple.source == CoupleSource.NEW_MARRIAGE
    assert couple.entered_on == floating.marriage.date
    assert couple.state == CoupleState.TO_NOTIFY


def test_couples_with_a_spouse_no_longer_living_here_are_not_targets(
    actor, marry, street_actor, today
) -> None:
    moved = marry()
    events.move_out_record(actor=street_actor, person=moved.husband, date=today)
    divorced = marry()
    events.divorce_record(actor=street_actor, marriage=divorced.marriage, date=today)
    found = derived(actor)
    assert pair(moved) not in found
    assert pair(divorced) not in found


def test_the_file_belongs_to_the_wifes_community(actor, org, marry, make_user) -> None:
    spouses = marry(community=org.c1, husband_community=org.c2)
    couples.target_couples_refresh(actor=actor)
    couple = TargetCouple.objects.get(wife=spouses.wife)
    assert couple.community == org.c1
    other = Actor(user=make_user(Role.COMMUNITY_WORKER, org.c2))
    reversed_pair = marry(community=org.c2, husband_community=org.c1)
    couples.target_couples_refresh(actor=other)
    assert TargetCouple.objects.get(wife=reversed_pair.wife).community == org.c2
    # Each worker derives only the couples of their own area.
    assert not TargetCouple.objects.visible_to(actor.user).filter(wife=reversed_pair.wife).exists()


def test_refresh_is_idempotent(actor, marry) -> None:
    marry()
    marry(floating=True)
    first = couples.target_couples_refresh(actor=actor)
    second = couples.target_couples_refresh(actor=actor)
    assert (first.created, first.updated) == (2, 0)
    assert (second.created, second.updated) == (0, 0)
    assert TargetCouple.objects.count() == 2
    audits = AuditEvent.objects.filter(object_type="prepregnancy.targetcouple", action="update")
    assert [event.detail["created"] for event in audits.order_by("pk")] == [2, 0]


def test_checked_pregnant_and_declined_couples_stay_listed_as_such(
    actor, marry, couple_of, checkup_data, today
) -> None:
    checked, pregnant, declined = (couple_of(marry()) for _ in range(3))
    for spouse in ("wife", "husband"):
        checkups.checkup_record(actor=actor, couple=checked, spouse=spouse, data=checkup_data())
    pregnancies.pregnancy_report(actor=actor, couple=pregnant, reported_on=today)
    contacts.contact_record(
        actor=actor,
        couple=declined,
        method=ContactMethod.PHONE,
        outcome=ContactOutcome.DECLINED,
        date=today,
    )
    # Two years on, none of them is newly married any more: the refresh keeps them.
    couples.target_couples_refresh(actor=actor, today=today + dt.timedelta(days=730))
    states = dict(TargetCouple.objects.values_list("pk", "state"))
    assert states == {
        checked.pk: CoupleState.BOTH_CHECKED,
        pregnant.pk: CoupleState.PREGNANT,
        declined.pk: CoupleState.DECLINED,
    }


def test_an_already_pregnant_couple_moving_away_is_still_shown_pregnant(
    actor, couple, street_actor, today
) -> None:
    pregnancies.pregnancy_report(actor=actor, couple=couple, reported_on=today)
    events.move_out_record(actor=street_actor, person=couple.wife, date=today)
    couples.target_couples_refresh(actor=actor)
    couple.refresh_from_db()
    assert couple.state == CoupleState.PREGNANT


def test_moving_out_closes_the_file_and_moving_back_reopens_it(
    actor, couple, street_actor, org, today
) -> None:
    contacts.contact_record(
        actor=actor,
        couple=couple,
        method=ContactMethod.PHONE,
        outcome=ContactOutcome.REACHED,
        date=today,
    )
    events.move_out_record(actor=street_actor, person=couple.husband, date=today)
    result = couples.target_couples_refresh(actor=actor)
    couple.refresh_from_db()
    assert (result.updated, couple.state) == (1, CoupleState.MOVED_OUT)
    events.move_in_record(actor=street_actor, community=org.c1, date=today, person=couple.husband)
    couples.target_couples_refresh(actor=actor)
    couple.refresh_from_db()
    assert couple.state == CoupleState.NOTIFIED


def test_a_divorce_or_death_ends_the_file(actor, marry, couple_of, street_actor, today) -> None:
    divorced, widowed = couple_of(marry()), couple_of(marry())
    events.divorce_record(actor=street_actor, marriage=divorced.marriage, date=today)
    events.death_record(actor=street_actor, person=widowed.husband, date=today)
    couples.target_couples_refresh(actor=actor)
    assert set(TargetCouple.objects.values_list("state", flat=True)) == {CoupleState.ENDED}


def test_reversing_the_marriage_ends_the_file_without_blocking_the_registry(
    actor, couple, street_actor, today
) -> None:
    marriage_event = LifeEvent.objects.get(kind=LifeEvent.Kind.MARRIAGE, person=couple.husband)
    events.event_reverse(actor=street_actor, event=marriage_event, reason="录入错误", date=today)
    couples.target_couples_refresh(actor=actor)
    couple.refresh_from_db()
    assert couple.marriage_id is None
    assert couple.state == CoupleState.ENDED


def test_the_file_follows_the_wife_to_her_new_community(
    actor, couple, street_actor, org, today
) -> None:
    events.move_out_record(actor=street_actor, person=couple.wife, date=today)
    events.move_in_record(actor=street_actor, community=org.c2, date=today, person=couple.wife)
    couples.target_couples_refresh(actor=actor)
    couple.refresh_from_db()
    assert couple.community == org.c2
    assert couple.state == CoupleState.TO_NOTIFY


def test_refresh_needs_a_health_duty(make_user) -> None:
    with pytest.raises(Forbidden):
        couples.target_couples_refresh(actor=Actor(user=make_user(Role.LEADER)))


def test_a_worker_marks_a_couple_married_long_ago_as_planning(actor, marry, today) -> None:
    spouses = marry(days_ago=3000)
    assert derived(actor) == set()
    couple, created = couples.couple_mark_planning(actor=actor, wife=spouses.wife)
    assert created
    assert (couple.source, couple.entered_on, couple.planning_since) == (
        CoupleSource.PLANNING,
        today,
        today,
    )
    again, created_again = couples.couple_mark_planning(actor=actor, wife=spouses.wife)
    assert (again.pk, created_again) == (couple.pk, False)


def test_marking_a_newly_married_couple_as_planning_keeps_their_file(actor, couple, today) -> None:
    marked, created = couples.couple_mark_planning(
        actor=actor, wife=couple.wife, since=today - dt.timedelta(days=3)
    )
    assert (marked.pk, created) == (couple.pk, False)
    assert marked.source == CoupleSource.NEW_MARRIAGE
    assert marked.planning_since == today - dt.timedelta(days=3)


def test_planning_needs_a_current_marriage_and_a_woman_in_the_area(
    actor, org, make_person, marry
) -> None:
    single = make_person(org.c1, name="孙丽", sex="F")
    with pytest.raises(JishengError) as refused:
        couples.couple_mark_planning(actor=actor, wife=single)
    assert refused.value.code == "not_married"
    foreign = marry(community=org.c2)
    with pytest.raises(NotFound):
        couples.couple_mark_planning(actor=actor, wife=foreign.wife)


def test_a_merged_duplicate_spouse_is_followed_to_the_kept_record(
    actor, couple, org, make_person
) -> None:
    # What a duplicate merge does to the registry: the marriage now names the kept record.
    kept = make_person(org.c1, name=couple.husband.name, sex="M")
    Person.objects.filter(pk=couple.husband_id).update(status=ResidentStatus.VOIDED)
    type(couple.marriage).objects.filter(pk=couple.marriage_id).update(husband=kept)
    couples.target_couples_refresh(actor=actor)
    couple.refresh_from_db()
    assert couple.husband_id == kept.pk
    assert couple.state == CoupleState.TO_NOTIFY
    assert timezone.localdate() >= couple.entered_on


def test_the_background_task_refreshes_the_area_of_its_user(actor, marry) -> None:
    spouses = marry()
    progress = progress_create(owner_id=actor.user.pk, kind="prepregnancy_refresh")
    message = target_couples_refresh_task.call(actor_id=actor.user.pk, progress_id=progress.pk)
    assert message == "created=1 updated=0"
    assert TargetCouple.objects.filter(wife=spouses.wife).exists()
    progress.refresh_from_db()
    assert progress.state == TaskProgress.State.DONE


def test_the_wife_is_found_by_her_id_number_in_the_workers_area_only(actor, marry, org) -> None:
    mine, foreign = marry(), marry(community=org.c2)
    found = wife_by_id_number(user=actor.user, id_number=mine.wife.id_number)
    assert found.pk == mine.wife.pk
    for number in (foreign.wife.id_number, "110101199003071234"):
        with pytest.raises(JishengError) as refused:
            wife_by_id_number(user=actor.user, id_number=number)
        assert refused.value.code == "unknown_person"
