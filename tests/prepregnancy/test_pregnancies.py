"""Pregnancies and their follow-ups: due dates, outcomes, the link to the registered birth,
overdue worklists per worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.roles import Role
from jisheng.prepregnancy.health import EarlyFindings, OutcomeDetails
from jisheng.prepregnancy.models import (
    CoupleState,
    FollowUp,
    FollowUpKind,
    Outcome,
    Pregnancy,
    TaskState,
)
from jisheng.prepregnancy.selectors import couples as couple_selectors
from jisheng.prepregnancy.selectors import worklists
from jisheng.prepregnancy.services import checkups, pregnancies
from jisheng.registry.models import LifeEvent
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData

DAY = dt.timedelta(days=1)


def report(actor, couple, today, weeks_ago: int = 6) -> Pregnancy:
    return pregnancies.pregnancy_report(
        actor=actor,
        couple=couple,
        reported_on=today,
        last_period=today - dt.timedelta(weeks=weeks_ago),
    )


def early(pregnancy: Pregnancy) -> FollowUp:
    return pregnancy.followups.get(kind=FollowUpKind.EARLY)


def test_a_reported_pregnancy_schedules_the_early_followup(actor, couple, today) -> None:
    pregnancy = report(actor, couple, today, weeks_ago=6)
    followup = early(pregnancy)
    assert followup.due_date == today + dt.timedelta(weeks=6)  # 12 weeks after the period
    assert (followup.state, followup.assignee) == (TaskState.OPEN, actor.user)
    couple.refresh_from_db()
    assert couple.state == CoupleState.PREGNANT


def test_a_second_open_pregnancy_is_refused(actor, couple, today) -> None:
    report(actor, couple, today)
    with pytest.raises(Conflict) as refused:
        report(actor, couple, today)
    assert refused.value.code == "already_pregnant"


def test_a_last_period_after_the_report_is_refused(actor, couple, today) -> None:
    with pytest.raises(JishengError) as refused:
        pregnancies.pregnancy_report(
            actor=actor, couple=couple, reported_on=today - DAY, last_period=today
        )
    assert refused.value.code == "invalid_last_period"


def test_the_early_visit_schedules_the_outcome_followup(actor, couple, today) -> None:
    pregnancy = report(actor, couple, today, weeks_ago=6)
    pregnancies.followup_early_record(
        actor=actor,
        followup=early(pregnancy),
        done_on=today,
        findings=EarlyFindings(weeks=6, folic_acid=True, prenatal_booked=True),
    )
    outcome = pregnancy.followups.get(kind=FollowUpKind.OUTCOME)
    assert outcome.due_date == pregnancy.last_period + dt.timedelta(days=280 + 42)
    assert early(pregnancy).state == TaskState.DONE
    with pytest.raises(Conflict):
        pregnancies.followup_early_record(
            actor=actor, followup=early(pregnancy), done_on=today, findings=EarlyFindings()
        )


def test_without_a_last_period_the_weeks_found_set_the_outcome_date(actor, couple, today) -> None:
    pregnancy = pregnancies.pregnancy_report(actor=actor, couple=couple, reported_on=today)
    assert early(pregnancy).due_date == today + dt.timedelta(weeks=12)
    pregnancies.followup_early_record(
        actor=actor, followup=early(pregnancy), done_on=today, findings=EarlyFindings(weeks=8)
    )
    outcome = pregnancy.followups.get(kind=FollowUpKind.OUTCOME)
    assert outcome.due_date == today - dt.timedelta(weeks=8) + dt.timedelta(days=322)


def test_an_unconfirmed_pregnancy_is_closed_and_the_couple_served_on(actor, couple, today) -> None:
    pregnancy = report(actor, couple, today)
    pregnancies.followup_early_record(
        actor=actor,
        followup=early(pregnancy),
        done_on=today,
        findings=EarlyFindings(confirmed=False),
    )
    pregnancy.refresh_from_db()
    couple.refresh_from_db()
    assert pregnancy.outcome == Outcome.NOT_CONFIRMED
    assert not pregnancy.followups.filter(kind=FollowUpKind.OUTCOME).exists()
    assert couple.state == CoupleState.TO_NOTIFY
    report(actor, couple, today)  # a new report is possible


@pytest.fixture
def outcome_due(actor, couple, today) -> FollowUp:
    pregnancy = report(actor, couple, today - dt.timedelta(days=250), weeks_ago=6)
    pregnancies.followup_early_record(
        actor=actor,
        followup=early(pregnancy),
        done_on=today - dt.timedelta(days=240),
        findings=EarlyFindings(weeks=7),
    )
    return pregnancy.followups.get(kind=FollowUpKind.OUTCOME)


@pytest.fixture
def born(couple, street_actor, today) -> LifeEvent:
    return events.birth_record(
        actor=street_actor,
        mother=couple.wife,
        father=couple.husband,
        child=PersonData(name="李小宝", sex="M", birth_date=today - 3 * DAY),
    )


def test_a_live_birth_links_to_the_registered_birth(
    actor, couple, outcome_due, born, today
) -> None:
    assert couple_selectors.birth_candidates(actor.user, outcome_due.pregnancy) == [born]
    pregnancies.followup_outcome_record(
        actor=actor,
        followup=outcome_due,
        done_on=today,
        outcome=Outcome.LIVE_BIRTH,
        outcome_date=born.date,
        details=OutcomeDetails(weeks=39, birth_weight_g=3350),
        birth_event=born,
    )
    pregnancy = Pregnancy.objects.get(pk=outcome_due.pregnancy_id)
    assert (pregnancy.outcome, pregnancy.birth_event) == (Outcome.LIVE_BIRTH, born)
    couple.refresh_from_db()
    assert couple.state == CoupleState.OUTCOME
    assert born.kind == LifeEvent.Kind.BIRTH  # the registry is only read
    assert couple_selectors.birth_candidates(actor.user, pregnancy) == []


def test_the_birth_can_be_linked_once_it_is_registered(
    actor, couple, outcome_due, street_actor, today
) -> None:
    pregnancies.followup_outcome_record(
        actor=actor,
        followup=outcome_due,
        done_on=today,
        outcome=Outcome.PRETERM,
        outcome_date=today - DAY,
        details=OutcomeDetails(weeks=35),
    )
    pregnancy = Pregnancy.objects.get(pk=outcome_due.pregnancy_id)
    assert pregnancy.birth_event is None
    birth = events.birth_record(
        actor=street_actor,
        mother=couple.wife,
        child=PersonData(name="李小妹", sex="F", birth_date=today - DAY),
    )
    linked = pregnancies.pregnancy_link_birth(actor=actor, pregnancy=pregnancy, event=birth)
    assert linked.birth_event == birth
    with pytest.raises(Conflict):
        pregnancies.pregnancy_link_birth(actor=actor, pregnancy=pregnancy, event=birth)


def test_a_birth_of_another_mother_or_a_miscarriage_does_not_link(
    actor, couple, outcome_due, marry, street_actor, today
) -> None:
    other = marry()
    stranger = events.birth_record(
        actor=street_actor,
        mother=other.wife,
        child=PersonData(name="张小宝", sex="M", birth_date=today - DAY),
    )
    with pytest.raises(JishengError) as refused:
        pregnancies.followup_outcome_record(
            actor=actor,
            followup=outcome_due,
            done_on=today,
            outcome=Outcome.LIVE_BIRTH,
            outcome_date=today - DAY,
            details=OutcomeDetails(),
            birth_event=stranger,
        )
    assert refused.value.code == "invalid_birth_event"
    with pytest.raises(JishengError) as not_a_birth:
        pregnancies.followup_outcome_record(
            actor=actor,
            followup=outcome_due,
            done_on=today,
            outcome=Outcome.MISCARRIAGE,
            outcome_date=today - DAY,
            details=OutcomeDetails(),
            birth_event=stranger,
        )
    assert not_a_birth.value.code == "not_a_birth"


def test_overdue_lists_split_per_worker(
    actor, marry, couple_of, checkup_data, make_user, today
) -> None:
    colleague = Actor(user=make_user(Role.COMMUNITY_WORKER))
    long_ago = today - dt.timedelta(days=120)
    late_pregnancy = report(actor, couple_of(marry()), long_ago, weeks_ago=4)  # due 8 weeks on
    report(colleague, couple_of(marry()), today, weeks_ago=4)  # due in 8 weeks: not overdue
    checkups.checkup_record(
        actor=colleague,
        couple=couple_of(marry()),
        spouse="wife",
        data=checkup_data(date=today - dt.timedelta(days=31), risk_level="high", risk_note="x"),
    )
    checkups.checkup_record(
        actor=colleague,
        couple=couple_of(marry()),
        spouse="wife",
        data=checkup_data(date=today - dt.timedelta(days=30), risk_level="high", risk_note="x"),
    )

    found = worklists.overdue(user=actor.user, today=today)
    assert [f.pk for f in found.followups] == [early(late_pregnancy).pk]
    assert len(found.referrals) == 1  # due yesterday; the other is due today
    assert {(w.worker, w.followups, w.referrals) for w in found.workers} == {
        (actor.user, 1, 0),
        (colleague.user, 0, 1),
    }
    mine = worklists.overdue(user=actor.user, today=today, assignee_id=actor.user.pk)
    assert (len(mine.followups), len(mine.referrals)) == (1, 0)
    assert worklists.my_due_counts(user=colleague.user, today=today) == worklists.DueCounts(
        overdue=1, due_soon=1
    )


def test_done_followups_are_not_overdue(actor, couple, today) -> None:
    pregnancy = report(actor, couple, today - dt.timedelta(days=100), weeks_ago=2)
    assert len(worklists.overdue(user=actor.user, today=today).followups) == 1
    pregnancies.followup_early_record(
        actor=actor, followup=early(pregnancy), done_on=today, findings=EarlyFindings(weeks=16)
    )
    assert worklists.overdue(user=actor.user, today=today).followups == []


def test_reproductive_data_is_ciphertext_in_the_table(actor, couple, outcome_due, today) -> None:
    pregnancy = Pregnancy.objects.get(pk=outcome_due.pregnancy_id)
    last_period = pregnancy.last_period
    assert isinstance(last_period, dt.date)
    pregnancies.followup_outcome_record(
        actor=actor,
        followup=outcome_due,
        done_on=today,
        outcome=Outcome.MISCARRIAGE,
        outcome_date=today - 2 * DAY,
        details=OutcomeDetails(weeks=12),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT outcome, last_period, outcome_date, closed FROM prepregnancy_pregnancy "
            "WHERE id = %s",
            [pregnancy.pk],
        )
        outcome, period, ended, closed = cursor.fetchone()
    stored = b"".join(bytes(value) for value in (outcome, period, ended))
    for plaintext in ("miscarriage", last_period.isoformat(), (today - 2 * DAY).isoformat()):
        assert plaintext.encode() not in stored
    assert bool(closed) is True
    pregnancy.refresh_from_db()
    assert (pregnancy.outcome, pregnancy.last_period, pregnancy.outcome_date) == (
        Outcome.MISCARRIAGE,
        last_period,
        today - 2 * DAY,
    )
    assert pregnancy.get_outcome_display() == Outcome.MISCARRIAGE.label
    with pytest.raises(TypeError):
        Pregnancy.objects.filter(outcome=Outcome.MISCARRIAGE).count()


def test_an_open_pregnancy_has_no_outcome_stored(actor, couple, today) -> None:
    pregnancy = report(actor, couple, today)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT outcome, outcome_date, closed FROM prepregnancy_pregnancy WHERE id = %s",
            [pregnancy.pk],
        )
        assert cursor.fetchone()[:2] == (None, None)
    assert pregnancy.is_open
