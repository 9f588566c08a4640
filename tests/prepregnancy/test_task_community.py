"""Follow-ups and referrals hold their community (their scope) and it stays right: copied when
the task is made, moved with the couple when the wife moves, and a worker's own counts on the
home page, read from the own-task index, count only the tasks still in their area."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.governance.services import pregnancies as governance_pregnancies
from jisheng.prepregnancy.models import FollowUp, Referral, TaskState
from jisheng.prepregnancy.selectors import worklists
from jisheng.prepregnancy.services import checkups, couples, pregnancies
from jisheng.registry.services import events

DAY = dt.timedelta(days=1)


def held_right() -> bool:
    """Every task's community is its source's: the pregnancy's, the couple's."""
    followups = FollowUp.objects.select_related("pregnancy")
    referrals = Referral.objects.select_related("couple")
    return all(f.community_id == f.pregnancy.community_id for f in followups) and all(
        r.community_id == r.couple.community_id for r in referrals
    )


@pytest.fixture
def referred(actor, couple, checkup_data, today) -> Referral:
    """The wife examined 40 days ago at high risk: an open referral, overdue."""
    checkups.checkup_record(
        actor=actor,
        couple=couple,
        spouse="wife",
        data=checkup_data(date=today - 40 * DAY, risk_level="high", risk_note="x"),
    )
    return Referral.objects.get(couple=couple)


def test_tasks_are_made_in_their_community(actor, couple, referred, org, today) -> None:
    pregnancies.pregnancy_report(actor=actor, couple=couple, reported_on=today - 100 * DAY)
    assert referred.community_id == org.c1.pk
    assert FollowUp.objects.get(couple=couple).community_id == org.c1.pk
    assert held_right()


def test_governance_follow_ups_are_made_in_the_womans_community(
    street_actor, make_person, org, today
) -> None:
    woman = make_person(org.c2, name="王芳", sex="F", birth_date=dt.date(1994, 3, 1))
    governance_pregnancies.pregnancy_open(
        actor=street_actor, woman=woman, last_period=today - 70 * DAY, reported_on=today
    )
    assert set(FollowUp.objects.values_list("community_id", flat=True)) == {org.c2.pk}
    assert held_right()


def test_a_referral_moves_with_the_couple_and_leaves_the_old_workers_counts(
    actor, couple, referred, street_actor, make_user, org, today
) -> None:
    assert worklists.my_due_counts(user=actor.user, today=today) == worklists.DueCounts(1, 0)

    events.move_out_record(actor=street_actor, person=couple.wife, date=today)
    events.move_in_record(actor=street_actor, community=org.c2, date=today, person=couple.wife)

    referred.refresh_from_db()
    assert referred.community_id == org.c2.pk
    assert held_right()
    # Still assigned to the worker of community 1, who no longer sees it...
    assert worklists.my_due_counts(user=actor.user, today=today) == worklists.DueCounts(0, 0)
    assert worklists.referral_rows(user=actor.user, ids=[referred.pk]) == []
    # ...while community 2 does.
    other = make_user(Role.COMMUNITY_WORKER, org.c2)
    assert [r.pk for r in worklists.referral_rows(user=other, ids=[referred.pk])] == [referred.pk]


def test_a_derivation_that_moves_the_file_moves_its_referral(
    actor, couple, referred, org, today
) -> None:
    # The wife's community changed by a path that runs no move hook (a correction of the
    # registry row): the next derivation puts the file, and its referral, where she lives.
    type(couple.wife).objects.filter(pk=couple.wife_id).update(community=org.c2)
    couples.target_couples_refresh(actor=Actor(user=actor.user))
    referred.refresh_from_db()
    assert referred.community_id == org.c2.pk
    assert held_right()


def test_own_counts_follow_the_day_and_the_worker(
    actor, couple, referred, make_user, checkup_data, marry, couple_of, today
) -> None:
    colleague = Actor(user=make_user(Role.COMMUNITY_WORKER))
    checkups.checkup_record(
        actor=colleague,
        couple=couple_of(marry()),
        spouse="wife",
        data=checkup_data(date=today - 25 * DAY, risk_level="high", risk_note="x"),
    )
    due = Referral.objects.get(assignee=colleague.user).due_date
    counts = worklists.my_due_counts
    # Each worker counts their own tasks, from one compiled read per day and scope.
    assert counts(user=actor.user, today=today) == worklists.DueCounts(1, 0)
    assert counts(user=colleague.user, today=today) == worklists.DueCounts(0, 1)
    # The colleague's referral falls due soon, then is overdue the day after its due date.
    assert counts(user=colleague.user, today=due - 8 * DAY) == worklists.DueCounts(0, 0)
    assert counts(user=colleague.user, today=due - 7 * DAY) == worklists.DueCounts(0, 1)
    assert counts(user=colleague.user, today=due + DAY) == worklists.DueCounts(1, 0)
    Referral.objects.filter(assignee=colleague.user).update(state=TaskState.DONE)
    assert counts(user=colleague.user, today=today) == worklists.DueCounts(0, 0)


def direct_due_counts(user, today: dt.date) -> worklists.DueCounts:
    """A worker's own counts as they were read before the copies: scope through the
    pregnancy's and the couple's community."""
    units = list(user.scope_unit_ids())
    soon = today + dt.timedelta(days=worklists.DUE_SOON_DAYS + 1)
    followups = FollowUp.objects.filter(
        pregnancy__community_id__in=units, assignee=user, state=TaskState.OPEN
    )
    referrals = Referral.objects.filter(
        couple__community_id__in=units, assignee=user, state=TaskState.OPEN
    )
    overdue = sum(tasks.filter(due_date__lt=today).count() for tasks in (followups, referrals))
    due_soon = sum(
        tasks.filter(due_date__gte=today, due_date__lt=soon).count()
        for tasks in (followups, referrals)
    )
    return worklists.DueCounts(overdue=overdue, due_soon=due_soon)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_copies_and_own_counts_stay_right_through_a_random_stream_of_events(
    seed, org, make_user, street_actor, marry, couple_of, checkup_data, today
) -> None:
    """Moves between communities and out of the street, checkups at high risk, reported
    pregnancies and derivations in a random order, by workers of either community and the
    street: after each, every task's community is its source's, and every worker's own
    counts equal the counts read through the joins."""
    rng = random.Random(seed)
    communities = [org.c1, org.c2]
    workers = {unit.pk: Actor(user=make_user(Role.COMMUNITY_WORKER, unit)) for unit in communities}
    couples_ = [couple_of(marry(days_ago=rng.randint(5, 300))) for _ in range(4)]
    checked: set[tuple[int, str]] = set()
    everyone = [street_actor, *workers.values()]
    referrals_moved = 0
    for _ in range(30):
        couple = rng.choice(couples_)
        couple.refresh_from_db()
        wife = couple.wife
        wife.refresh_from_db()
        recorder = rng.choice([street_actor, workers[couple.community_id]])
        action = rng.choice(["move", "move", "checkup", "pregnancy", "refresh"])
        if action == "move" and wife.status == "living":
            events.move_out_record(actor=street_actor, person=wife, date=today)
            if rng.random() < 0.8:  # most move within the street; some leave it
                events.move_in_record(
                    actor=street_actor, community=rng.choice(communities), date=today, person=wife
                )
            before = couple.community_id
            couple.refresh_from_db()
            if couple.community_id != before and couple.referrals.exists():
                referrals_moved += 1
        elif action == "checkup" and couple.state not in ("moved_out", "ended"):
            spouse = rng.choice(["wife", "husband"])
            if (couple.pk, spouse) not in checked:
                checked.add((couple.pk, spouse))
                checkups.checkup_record(
                    actor=recorder,
                    couple=couple,
                    spouse=spouse,
                    data=checkup_data(
                        date=today - rng.randint(0, 45) * DAY, risk_level="high", risk_note="x"
                    ),
                )
        elif action == "pregnancy" and couple.state not in ("moved_out", "ended", "pregnant"):
            if not couple.pregnancies.filter(closed=False).exists():
                pregnancies.pregnancy_report(
                    actor=recorder, couple=couple, reported_on=today - rng.randint(0, 120) * DAY
                )
        elif action == "refresh":
            couples.target_couples_refresh(actor=street_actor)
        assert held_right()
        for actor in everyone:
            assert worklists.my_due_counts(user=actor.user, today=today) == direct_due_counts(
                actor.user, today
            )
    # The stream did what it is for: tasks were made, and referrals moved with their couple.
    assert FollowUp.objects.exists()
    assert referrals_moved > 0
