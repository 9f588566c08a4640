"""The programme's rules as data and pure functions: who is a target, when things fall due,
and the state a couple's records put it in. No database access here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

from jisheng.prepregnancy.models import ContactOutcome, CoupleState

# Couples married within this many days (today included) are targets. An instance may set
# JISHENG_PREPREGNANCY_WINDOW_DAYS; the derivation also takes the window as a parameter.
DEFAULT_MARRIAGE_WINDOW_DAYS = 365
# Early-pregnancy follow-up: within 12 weeks of the last period (or of the report).
EARLY_FOLLOWUP_DAYS = 12 * 7
# A high-risk result is referred within 30 days of the checkup.
REFERRAL_DUE_DAYS = 30
# Naegele: delivery is expected 280 days after the last period; the outcome follow-up is due
# at the end of the 42-day postpartum period.
GESTATION_DAYS = 280
POSTPARTUM_DAYS = 42


def marriage_window_days() -> int:
    """The window this instance uses (a setting, else the national one-year default)."""
    days = getattr(settings, "JISHENG_PREPREGNANCY_WINDOW_DAYS", DEFAULT_MARRIAGE_WINDOW_DAYS)
    return int(days)


def marriage_window(today: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """First and last marriage date (both included) of a window of ``days`` ending today."""
    if days < 1:
        raise ValueError("the marriage window is at least one day")
    return today - dt.timedelta(days=days - 1), today


def early_followup_due(*, reported_on: dt.date, last_period: dt.date | None) -> dt.date:
    """12 weeks after the last period if known, else after the report; never before the report."""
    start = last_period or reported_on
    return max(start + dt.timedelta(days=EARLY_FOLLOWUP_DAYS), reported_on)


def estimated_last_period(
    *, last_period: dt.date | None, seen_on: dt.date, weeks: int | None, reported_on: dt.date
) -> dt.date:
    """The last period as known, else worked back from the weeks found at the early visit,
    else the report date (a late estimate: the outcome visit then falls due a little late)."""
    if last_period is not None:
        return last_period
    if weeks is not None:
        return seen_on - dt.timedelta(weeks=weeks)
    return reported_on


def expected_delivery(last_period: dt.date) -> dt.date:
    """Naegele's rule: 280 days after the first day of the last period."""
    return last_period + dt.timedelta(days=GESTATION_DAYS)


def outcome_followup_due(last_period: dt.date) -> dt.date:
    return last_period + dt.timedelta(days=GESTATION_DAYS + POSTPARTUM_DAYS)


def referral_due(checkup_date: dt.date) -> dt.date:
    return checkup_date + dt.timedelta(days=REFERRAL_DUE_DAYS)


@dataclass(frozen=True)
class CoupleFacts:
    """What the records say about a couple, as far as its state depends on it."""

    open_pregnancy: bool = False
    outcome_recorded: bool = False
    checked: frozenset[str] = frozenset()
    ended: bool = False
    moved_out: bool = False
    contact_outcomes: tuple[str, ...] = field(default_factory=tuple)


def contact_state(outcomes: Iterable[str]) -> CoupleState:
    """Fold the contacts, oldest first, into the notification state.

    A later appointment overrides a refusal (people change their minds); a later plain
    "reached" (or a sent text message) neither cancels an appointment nor a refusal; "not
    reached" and a text message still queued change nothing.
    """
    state = CoupleState.TO_NOTIFY
    for outcome in outcomes:
        if outcome == ContactOutcome.APPOINTMENT:
            state = CoupleState.APPOINTMENT
        elif outcome == ContactOutcome.DECLINED:
            state = CoupleState.DECLINED
        elif (
            outcome in (ContactOutcome.REACHED, ContactOutcome.SMS_SENT)
            and state == CoupleState.TO_NOTIFY
        ):
            state = CoupleState.NOTIFIED
    return state


def couple_state(facts: CoupleFacts) -> CoupleState:
    """The state shown for a couple. What was achieved outranks what happened since: a couple
    already checked or pregnant is shown as such even after moving away."""
    if facts.open_pregnancy:
        return CoupleState.PREGNANT
    if facts.outcome_recorded:
        return CoupleState.OUTCOME
    if len(facts.checked) == 2:
        return CoupleState.BOTH_CHECKED
    if facts.ended:
        return CoupleState.ENDED
    if facts.moved_out:
        return CoupleState.MOVED_OUT
    if facts.checked:
        return CoupleState.ONE_CHECKED
    return contact_state(facts.contact_outcomes)


# States in which the couple is no longer served here: no new contacts or checkups.
CLOSED_STATES = frozenset({CoupleState.ENDED, CoupleState.MOVED_OUT})
# States that registry changes (moving out, divorce) do not override.
ACHIEVED_STATES = frozenset({CoupleState.PREGNANT, CoupleState.OUTCOME, CoupleState.BOTH_CHECKED})
