"""The programme's rules as pure functions: states and due dates."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.prepregnancy import rules
from jisheng.prepregnancy.models import CoupleState

D = dt.date(2026, 3, 10)


@pytest.mark.parametrize(
    ("outcomes", "state"),
    [
        ((), CoupleState.TO_NOTIFY),
        (("not_reached",), CoupleState.TO_NOTIFY),
        (("not_reached", "reached"), CoupleState.NOTIFIED),
        (("reached", "appointment"), CoupleState.APPOINTMENT),
        (("appointment", "reached"), CoupleState.APPOINTMENT),
        (("appointment", "declined"), CoupleState.DECLINED),
        (("declined", "reached"), CoupleState.DECLINED),
        (("declined", "appointment"), CoupleState.APPOINTMENT),
    ],
)
def test_contacts_fold_into_the_notification_state(outcomes, state) -> None:
    assert rules.contact_state(outcomes) == state


def test_achievements_outrank_moving_and_ending() -> None:
    both = frozenset({"wife", "husband"})
    assert (
        rules.couple_state(rules.CoupleFacts(checked=both, moved_out=True, ended=True))
        == CoupleState.BOTH_CHECKED
    )
    assert (
        rules.couple_state(rules.CoupleFacts(open_pregnancy=True, checked=both))
        == CoupleState.PREGNANT
    )
    assert (
        rules.couple_state(rules.CoupleFacts(outcome_recorded=True, checked=both))
        == CoupleState.OUTCOME
    )
    one = frozenset({"wife"})
    assert rules.couple_state(rules.CoupleFacts(checked=one, moved_out=True)) == (
        CoupleState.MOVED_OUT
    )
    assert rules.couple_state(rules.CoupleFacts(moved_out=True, ended=True)) == CoupleState.ENDED
    assert (
        rules.couple_state(rules.CoupleFacts(checked=one, contact_outcomes=("declined",)))
        == CoupleState.ONE_CHECKED
    )


def test_early_followup_is_due_twelve_weeks_after_the_last_period_or_the_report() -> None:
    assert rules.early_followup_due(reported_on=D, last_period=D - dt.timedelta(days=30)) == (
        D + dt.timedelta(days=84 - 30)
    )
    assert rules.early_followup_due(reported_on=D, last_period=None) == D + dt.timedelta(days=84)
    # Reported after twelve weeks: due at once, never before the report.
    assert rules.early_followup_due(reported_on=D, last_period=D - dt.timedelta(days=100)) == D


def test_outcome_followup_is_due_after_delivery_and_the_postpartum_period() -> None:
    assert rules.outcome_followup_due(D) == D + dt.timedelta(days=280 + 42)
    estimated = rules.estimated_last_period(
        last_period=None, seen_on=D, weeks=8, reported_on=D - dt.timedelta(days=7)
    )
    assert estimated == D - dt.timedelta(weeks=8)


def test_referral_is_due_thirty_days_after_the_checkup() -> None:
    assert rules.referral_due(D) == D + dt.timedelta(days=30)


def test_the_window_is_at_least_a_day() -> None:
    assert rules.marriage_window(D, 1) == (D, D)
    with pytest.raises(ValueError, match="at least one day"):
        rules.marriage_window(D, 0)
