"""Following any woman's pregnancy: a floating woman's report, the schedule by gestation,
the outcome, terminations for review, and both reconciliation worklists."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError, NotFound
from jisheng.core.roles import Role
from jisheng.governance.models import ReviewState, Termination
from jisheng.governance.selectors import pregnancies as worklists
from jisheng.governance.services.pregnancies import (
    OutcomeData,
    pregnancy_open,
    pregnancy_outcome_record,
)
from jisheng.prepregnancy.models import FollowUpKind, Outcome, PregnancySource


def test_a_floating_woman_is_followed_by_the_community_she_lives_in(actor, woman, today) -> None:
    her = woman(floating=True)
    pregnancy = pregnancy_open(
        actor=actor, woman=her, reported_on=today, last_period=today - dt.timedelta(weeks=8)
    )
    assert pregnancy.couple is None
    assert pregnancy.community_id == her.community_id
    assert pregnancy.source == PregnancySource.COMMUNITY
    assert pregnancy.expected_on == today - dt.timedelta(weeks=8) + dt.timedelta(days=280)
    due = {f.kind: f.due_date for f in pregnancy.followups.all()}
    last_period = today - dt.timedelta(weeks=8)
    assert due == {
        FollowUpKind.EARLY: last_period + dt.timedelta(weeks=12),
        FollowUpKind.MIDDLE: last_period + dt.timedelta(weeks=28),
        FollowUpKind.OUTCOME: last_period + dt.timedelta(days=280 + 42),
    }


def test_a_second_report_of_the_same_pregnancy_is_refused(actor, woman, today) -> None:
    her = woman()
    pregnancy_open(actor=actor, woman=her, reported_on=today, last_period=today)
    with pytest.raises(Conflict):
        pregnancy_open(actor=actor, woman=her, reported_on=today, last_period=today)


def test_a_woman_of_another_community_cannot_be_reported(actor, woman, org, today) -> None:
    with pytest.raises(NotFound):
        pregnancy_open(actor=actor, woman=woman(org.c2), reported_on=today, last_period=today)


def test_a_last_period_after_the_report_is_refused(actor, woman, today) -> None:
    with pytest.raises(JishengError):
        pregnancy_open(
            actor=actor,
            woman=woman(),
            reported_on=today - dt.timedelta(days=3),
            last_period=today,
        )


@pytest.mark.parametrize(
    ("born", "accepted"),
    [(dt.date(1967, 1, 1), False), (dt.date(2015, 1, 1), False), (dt.date(1972, 1, 1), True)],
)
def test_a_pregnancy_at_an_impossible_age_is_refused(actor, make_person, born, accepted) -> None:
    """A woman of 59 or of 11 at her last period is a typing slip, not a case; 54 is not."""
    her = make_person(name="高丽", sex="F", birth_date=born)
    last_period = dt.date(2026, 11, 1)
    if accepted:
        pregnancy_open(actor=actor, woman=her, reported_on=last_period, last_period=last_period)
        return
    with pytest.raises(JishengError) as refused:
        pregnancy_open(actor=actor, woman=her, reported_on=last_period, last_period=last_period)
    assert refused.value.code == "implausible_age"


def test_overdue_after_the_set_weeks_and_gone_once_the_outcome_is_known(
    actor, woman, today, settings
) -> None:
    her = woman(floating=True)
    last_period = today - dt.timedelta(days=280 + 7 * 4 + 1)
    pregnancy = pregnancy_open(
        actor=actor,
        woman=her,
        reported_on=last_period + dt.timedelta(weeks=8),
        last_period=last_period,
    )
    assert list(worklists.overdue_pregnancies(actor.user)) == [pregnancy]
    settings.JISHENG_PREGNANCY_OVERDUE_WEEKS = 5
    assert list(worklists.overdue_pregnancies(actor.user)) == []
    settings.JISHENG_PREGNANCY_OVERDUE_WEEKS = 4
    pregnancy_outcome_record(
        actor=actor,
        pregnancy=pregnancy,
        data=OutcomeData(
            outcome=Outcome.LIVE_BIRTH,
            outcome_date=today - dt.timedelta(days=30),
            sex="F",
            weight_g=3200,
            birth_order=2,
            hospital="区妇幼保健院",
        ),
        done_on=today,
    )
    assert list(worklists.overdue_pregnancies(actor.user)) == []
    pregnancy.refresh_from_db()
    assert pregnancy.closed
    assert pregnancy.expected_on is None
    assert pregnancy.outcome == Outcome.LIVE_BIRTH
    assert '"hospital": "区妇幼保健院"' in pregnancy.outcome_details
    with pytest.raises(Conflict):
        pregnancy_outcome_record(
            actor=actor,
            pregnancy=pregnancy,
            data=OutcomeData(outcome=Outcome.STILLBIRTH, outcome_date=today),
            done_on=today,
        )


def test_a_late_termination_without_medical_reason_goes_to_street_review(
    actor, street_actor, woman, today
) -> None:
    her = woman()
    pregnancy = pregnancy_open(
        actor=actor,
        woman=her,
        reported_on=today - dt.timedelta(weeks=10),
        last_period=today - dt.timedelta(weeks=18),
    )
    with pytest.raises(JishengError):  # 14 weeks or more: the certificate is required
        pregnancy_outcome_record(
            actor=actor,
            pregnancy=pregnancy,
            data=OutcomeData(outcome=Outcome.INDUCED, outcome_date=today, weeks=17),
            done_on=today,
        )
    pregnancy_outcome_record(
        actor=actor,
        pregnancy=pregnancy,
        data=OutcomeData(
            outcome=Outcome.INDUCED,
            outcome_date=today,
            weeks=17,
            institution="区人民医院",
            certificate="YX-2026-001",
        ),
        done_on=today,
    )
    termination = Termination.objects.get(pregnancy=pregnancy)
    assert termination.review == ReviewState.PENDING
    assert termination.weeks == "17"
    assert list(worklists.terminations_to_review(street_actor.user)) == [termination]


def test_a_termination_with_a_medical_reason_needs_no_review(actor, woman, today) -> None:
    pregnancy = pregnancy_open(
        actor=actor, woman=woman(), reported_on=today, last_period=today - dt.timedelta(weeks=20)
    )
    pregnancy_outcome_record(
        actor=actor,
        pregnancy=pregnancy,
        data=OutcomeData(
            outcome=Outcome.INDUCED,
            outcome_date=today,
            weeks=20,
            medical_reason="胎儿严重畸形",
            institution="区人民医院",
            certificate="YX-2026-002",
        ),
        done_on=today,
    )
    assert Termination.objects.get(pregnancy=pregnancy).review == ReviewState.NOT_NEEDED
    assert list(worklists.terminations_to_review(actor.user)) == []


def test_a_registry_birth_with_no_pregnancy_is_listed_until_one_explains_it(
    actor, woman, birth, today
) -> None:
    mother = woman()
    event = birth(mother, "M", today - dt.timedelta(days=10))
    assert list(worklists.births_without_pregnancy(actor.user)) == [event]
    pregnancy = pregnancy_open(
        actor=actor,
        woman=mother,
        reported_on=today - dt.timedelta(days=200),
        last_period=today - dt.timedelta(days=260),
    )
    assert list(worklists.births_without_pregnancy(actor.user)) == []
    pregnancy_outcome_record(
        actor=actor,
        pregnancy=pregnancy,
        data=OutcomeData(outcome=Outcome.LIVE_BIRTH, outcome_date=event.date, sex="M"),
        done_on=today,
        birth_event=event,
    )
    pregnancy.refresh_from_db()
    assert pregnancy.birth_event == event
    assert list(worklists.births_without_pregnancy(actor.user)) == []


def test_without_the_health_duty_nothing_is_reported(make_user, woman, today) -> None:
    leader = Actor(user=make_user(Role.LEADER))
    from jisheng.core.errors import Forbidden

    with pytest.raises(Forbidden):
        pregnancy_open(actor=leader, woman=woman(), reported_on=today, last_period=today)
