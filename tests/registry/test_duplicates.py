"""Likely duplicates are flagged on entry; staff dismiss them or merge the two records."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.core.errors import Conflict, NotFound
from jisheng.registry.models import DuplicateFlag, LifeEvent, Person, ResidentStatus
from jisheng.registry.services import events
from jisheng.registry.services.duplicates import duplicate_dismiss, duplicate_merge

TODAY = dt.date(2026, 11, 1)


def register(actor, community, data):
    return events.registration_record(
        actor=actor, community=community, date=TODAY, data=data
    ).person


def test_same_name_and_birth_date_is_flagged(org, worker_actor, person_data) -> None:
    first = register(worker_actor, org.c1, person_data(name="张伟", phone=""))
    second = register(worker_actor, org.c1, person_data(name="张伟", phone=""))
    flag = DuplicateFlag.objects.get()
    assert (flag.person, flag.candidate) == (second, first)
    assert flag.reason == DuplicateFlag.Reason.NAME_BIRTH_DATE


def test_same_name_and_phone_is_flagged(org, worker_actor, person_data) -> None:
    register(worker_actor, org.c1, person_data(name="张伟", birth_date=dt.date(1980, 1, 1)))
    register(worker_actor, org.c1, person_data(name="张伟", birth_date=dt.date(1981, 2, 2)))
    assert DuplicateFlag.objects.get().reason == DuplicateFlag.Reason.NAME_PHONE


def test_different_people_are_not_flagged(org, worker_actor, person_data) -> None:
    register(worker_actor, org.c1, person_data(name="张伟"))
    data = person_data(name="张伟", birth_date=dt.date(1970, 1, 1))
    data.phone = "13911112222"
    register(worker_actor, org.c1, data)
    assert not DuplicateFlag.objects.exists()


def test_dismiss_closes_the_flag_once(org, worker_actor, person_data) -> None:
    register(worker_actor, org.c1, person_data(name="张伟"))
    register(worker_actor, org.c1, person_data(name="张伟"))
    flag = DuplicateFlag.objects.get()
    duplicate_dismiss(actor=worker_actor, flag_id=flag.pk)
    assert DuplicateFlag.objects.get().state == DuplicateFlag.State.NOT_DUPLICATE
    with pytest.raises(Conflict):
        duplicate_dismiss(actor=worker_actor, flag_id=flag.pk)


def test_merge_moves_events_and_memberships_and_voids_the_other(
    org, worker_actor, person_data
) -> None:
    keep = register(worker_actor, org.c1, person_data(name="张伟"))
    drop_data = person_data(name="张伟")
    drop = events.registration_record(
        actor=worker_actor, community=org.c1, date=TODAY, data=drop_data
    ).person
    events.household_change_record(actor=worker_actor, person=drop, date=TODAY, address="某址")
    flag = DuplicateFlag.objects.get()
    kept = duplicate_merge(actor=worker_actor, flag_id=flag.pk, keep_id=keep.pk)
    assert kept == keep
    assert Person.objects.get(pk=drop.pk).status == ResidentStatus.VOIDED
    assert not LifeEvent.objects.filter(person=drop).exists()
    assert LifeEvent.objects.filter(person=keep, kind="household_change").exists()
    assert keep.memberships.filter(end_date__isnull=True).exists()
    assert DuplicateFlag.objects.get().state == DuplicateFlag.State.MERGED


def test_merge_must_keep_one_of_the_pair(org, worker_actor, person_data, make_person) -> None:
    register(worker_actor, org.c1, person_data(name="张伟"))
    register(worker_actor, org.c1, person_data(name="张伟"))
    outsider = make_person(org.c1, name="路人")
    with pytest.raises(Conflict):
        duplicate_merge(
            actor=worker_actor, flag_id=DuplicateFlag.objects.get().pk, keep_id=outsider.pk
        )


def test_flags_of_another_community_are_not_found(
    org, worker_actor, person_data, make_user
) -> None:
    from jisheng.core.actors import Actor
    from jisheng.core.roles import Role

    other = Actor(user=make_user(Role.COMMUNITY_WORKER, org.c2))
    register(other, org.c2, person_data(name="张伟"))
    register(other, org.c2, person_data(name="张伟"))
    with pytest.raises(NotFound):
        duplicate_dismiss(actor=worker_actor, flag_id=DuplicateFlag.objects.get().pk)


def test_a_pair_across_communities_is_flagged_for_the_street_only(
    org, worker_actor, person_data, make_user
) -> None:
    from jisheng.core.actors import Actor
    from jisheng.core.roles import Role

    other = Actor(user=make_user(Role.COMMUNITY_WORKER, org.c2))
    register(worker_actor, org.c1, person_data(name="张伟"))
    register(other, org.c2, person_data(name="张伟"))
    flag = DuplicateFlag.objects.get()
    assert flag.community == org.street
    assert not DuplicateFlag.objects.visible_to(worker_actor.user).exists()
    assert not DuplicateFlag.objects.visible_to(other.user).exists()
    street = Actor(user=make_user(Role.STREET_STAFF))
    assert DuplicateFlag.objects.visible_to(street.user).get() == flag
    duplicate_merge(actor=street, flag_id=flag.pk, keep_id=flag.candidate_id)
