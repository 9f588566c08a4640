"""Indicators on a small fixture whose every number is worked out by hand below.

Period P = [today − 100, today − 5]. Community 1:

| couple | married | contacts      | checkups (dated)            | other                       |
|--------|---------|---------------|-----------------------------|-----------------------------|
| A      | −60     | reached −55   | wife high −45, husband −44  | referral done −20; pregnant, |
|        |         |               |                             | early due −6, done −25      |
| B      | −20     | not reached   | wife −10                    |                             |
|        |         | −15           |                             |                             |
| C      | −30     | declined −25  | —                           | pregnant, early due −11 open |
| F      | −50     | —             | wife today (after P)        |                             |
| H      | −70     | —             | wife high −40               | referral due −10 open       |
| E      | −40     | —             | —                           | husband moved out today     |
| J      | −90     | —             | —                           | husband moved out −50       |
| K      | −80     | —             | wife −60                    | wife moved out −30          |
| D      | −400    | —             | —                           | outcome due −58, done −50   |

(days relative to today; D married before P)

Closed files: E closed after P ended, so P still counts it (a later move does not change a
past period); J closed within P with no checkup: not a target; K closed within P, but its
wife was examined first: a target, "one spouse checked".

Community 2: G married today − 10, both checked (−6).

Community 1: targets A B C F H E K = 7; notified A C = 2 → 28.6 %; both checked A = 1;
one spouse B H K = 3 (F after P) → coverage 4/7 = 57.1 %; examined 5 (A×2 B H K), high risk
2 → 40.0 %; referrals due A H = 2, done 1 → 50.0 %; early follow-ups due A C = 2, done 1 →
50.0 %; outcome follow-ups due D = 1, done 1 → 100.0 %.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden
from jisheng.core.roles import Role
from jisheng.prepregnancy.health import EarlyFindings, OutcomeDetails
from jisheng.prepregnancy.models import FollowUpKind, TargetCouple
from jisheng.prepregnancy.selectors import indicators
from jisheng.prepregnancy.services import checkups, contacts, couples, pregnancies
from jisheng.registry.services import events


def ago(today: dt.date, days: int) -> dt.date:
    return today - dt.timedelta(days=days)


@pytest.fixture
def fixture(org, actor, marry, checkup_data, street_actor, make_user, today):
    made = {
        name: marry(days_ago=days)
        for name, days in {
            "A": 60,
            "B": 20,
            "C": 30,
            "F": 50,
            "H": 70,
            "E": 40,
            "J": 90,
            "K": 80,
            "D": 400,
        }.items()
    }
    g = marry(days_ago=10, community=org.c2)
    couples.target_couples_refresh(actor=actor, window_days=500)
    other = Actor(user=make_user(Role.COMMUNITY_WORKER, org.c2))
    couples.target_couples_refresh(actor=other)
    c = {name: TargetCouple.objects.get(wife=s.wife) for name, s in made.items()}
    c2 = TargetCouple.objects.get(wife=g.wife)

    def contact(name: str, outcome: str, days: int) -> None:
        contacts.contact_record(
            actor=actor, couple=c[name], method="phone", outcome=outcome, date=ago(today, days)
        )

    def check(couple, spouse: str, days: int, risk: str = "general", who: Actor = actor):
        return checkups.checkup_record(
            actor=who,
            couple=couple,
            spouse=spouse,
            data=checkup_data(date=ago(today, days), risk_level=risk, risk_note="贫血"),
        )

    contact("A", "reached", 55)
    contact("B", "not_reached", 15)
    contact("C", "declined", 25)
    wife_a = check(c["A"], "wife", 45, "high")
    check(c["A"], "husband", 44)
    checkups.referral_complete(
        actor=actor, referral=wife_a.referral, completed_on=ago(today, 20), result="已会诊"
    )
    check(c["B"], "wife", 10)
    check(c["F"], "wife", 0)
    check(c["H"], "wife", 40, "high")
    check(c["K"], "wife", 60)
    check(c2, "wife", 6, who=other)
    check(c2, "husband", 6, who=other)

    preg_a = pregnancies.pregnancy_report(
        actor=actor, couple=c["A"], reported_on=ago(today, 30), last_period=ago(today, 90)
    )
    pregnancies.followup_early_record(
        actor=actor,
        followup=preg_a.followups.get(kind=FollowUpKind.EARLY),
        done_on=ago(today, 25),
        findings=EarlyFindings(weeks=9),
    )
    pregnancies.pregnancy_report(
        actor=actor, couple=c["C"], reported_on=ago(today, 40), last_period=ago(today, 95)
    )
    preg_d = pregnancies.pregnancy_report(
        actor=actor, couple=c["D"], reported_on=ago(today, 340), last_period=ago(today, 380)
    )
    pregnancies.followup_early_record(
        actor=actor,
        followup=preg_d.followups.get(kind=FollowUpKind.EARLY),
        done_on=ago(today, 300),
        findings=EarlyFindings(weeks=11),
    )
    pregnancies.followup_outcome_record(
        actor=actor,
        followup=preg_d.followups.get(kind=FollowUpKind.OUTCOME),
        done_on=ago(today, 50),
        outcome="miscarriage",
        outcome_date=ago(today, 60),
        details=OutcomeDetails(weeks=14),
    )
    events.move_out_record(actor=street_actor, person=made["E"].husband, date=today)
    events.move_out_record(actor=street_actor, person=made["J"].husband, date=ago(today, 50))
    events.move_out_record(actor=street_actor, person=made["K"].wife, date=ago(today, 30))
    couples.target_couples_refresh(actor=actor, window_days=500)
    return c


@pytest.fixture
def period(today) -> indicators.Period:
    return indicators.Period(ago(today, 100), ago(today, 5))


EXPECTED_C1 = {
    "targets": 7,
    "notified": 2,
    "checked": 4,
    "checked_both": 1,
    "checked_one": 3,
    "examined": 5,
    "high_risk": 2,
    "referrals": 2,
    "referrals_done": 1,
    "early_due": 2,
    "early_done": 1,
    "outcome_due": 1,
    "outcome_done": 1,
}
EXPECTED_RATES_C1 = {
    "notified_rate": Decimal("28.6"),
    "coverage": Decimal("57.1"),
    "high_risk_rate": Decimal("40.0"),
    "referral_rate": Decimal("50.0"),
    "early_rate": Decimal("50.0"),
    "outcome_rate": Decimal("100.0"),
}


def test_each_indicator_of_a_community_matches_the_hand_count(fixture, actor, period, org) -> None:
    rows = indicators.indicator_table(user=actor.user, period=period)
    assert [row.unit for row in rows] == [org.c1, None]
    c1 = rows[0]
    assert c1.counts == EXPECTED_C1
    assert c1.rates == EXPECTED_RATES_C1
    assert rows[-1].counts == EXPECTED_C1  # a community worker's total is their community


def test_the_street_total_adds_up_its_communities(fixture, street_actor, period, org) -> None:
    rows = {
        row.unit: row for row in indicators.indicator_table(user=street_actor.user, period=period)
    }
    assert rows[org.c1].counts == EXPECTED_C1
    c2 = rows[org.c2].counts
    assert (c2["targets"], c2["checked_both"], c2["examined"]) == (1, 1, 2)
    total = rows[None]
    assert total.counts["targets"] == 8
    assert total.counts["checked"] == 5
    assert total.rates["coverage"] == Decimal("62.5")  # 5 / 8


def test_the_list_behind_each_number_is_what_was_counted(fixture, actor, period, org) -> None:
    for key, expected in EXPECTED_C1.items():
        _measure, records = indicators.indicator_records(
            user=actor.user, key=key, period=period, community_id=org.c1.pk
        )
        assert records.count() == expected, key
    _measure, targets = indicators.indicator_records(user=actor.user, key="targets", period=period)
    wives = {c.wife.name for c in targets}
    assert wives == {fixture[name].wife.name for name in "ABCFHEK"}


def test_rates_without_a_denominator_are_empty(db) -> None:
    assert indicators.rate(0, 0) is None
    assert indicators.rate(1, 3) == Decimal("33.3")
    assert indicators.rate(2, 3) == Decimal("66.7")


def test_a_later_period_counts_the_late_checkup(fixture, actor, today) -> None:
    rows = indicators.indicator_table(
        user=actor.user, period=indicators.Period(ago(today, 100), today)
    )
    counts = rows[0].counts
    # F's checkup of today counts; E closed today, within this period, unchecked: not a target.
    assert (counts["targets"], counts["checked_one"], counts["checked"]) == (6, 4, 5)


def test_a_couple_that_moved_out_later_still_counts_in_an_earlier_period(
    fixture, actor, today
) -> None:
    """P' = [−100, −55]: entered A (−60), H (−70), J (−90), K (−80). J moved out at −50 and K
    at −30, both after P' ended: all four are targets. Only K's wife was examined by −55
    (−60): one spouse checked, coverage 1/4 = 25.0 %."""
    period = indicators.Period(ago(today, 100), ago(today, 55))
    counts = indicators.indicator_table(user=actor.user, period=period)[0].counts
    assert (counts["targets"], counts["checked_one"], counts["checked_both"]) == (4, 1, 0)
    _measure, targets = indicators.indicator_records(user=actor.user, key="targets", period=period)
    assert {c.pk for c in targets} == {fixture[name].pk for name in "AHJK"}
    rows = indicators.indicator_table(user=actor.user, period=period)
    assert rows[0].rates["coverage"] == Decimal("25.0")


def test_closing_a_file_keeps_the_day_of_the_registry_event(fixture, today) -> None:
    for name, closed_on in (("E", today), ("J", ago(today, 50)), ("K", ago(today, 30))):
        fixture[name].refresh_from_db()
        assert (fixture[name].state, fixture[name].closed_on) == ("moved_out", closed_on), name
    fixture["A"].refresh_from_db()
    assert fixture["A"].closed_on is None


# --- leaders and supervisors: the counts, never the records behind them ------------------


@pytest.mark.parametrize("role", [Role.LEADER, Role.DISTRICT_SUPERVISOR])
def test_leaders_and_supervisors_read_the_same_counts_as_the_street(
    fixture, street_actor, period, make_user, role: Role
) -> None:
    overseer = make_user(role)

    def totals(user) -> dict[str, int]:  # type: ignore[no-untyped-def]
        return indicators.indicator_table(user=user, period=period)[-1].counts

    assert totals(overseer) == totals(street_actor.user)
    assert totals(overseer)["targets"] > 0


@pytest.mark.parametrize("role", [Role.LEADER, Role.DISTRICT_SUPERVISOR])
def test_leaders_and_supervisors_get_the_indicator_page_but_not_the_lists(
    fixture, period, make_user, client_for, role: Role
) -> None:
    client = client_for(make_user(role))
    dates = {"start": period.start.isoformat(), "end": period.end.isoformat()}

    page = client.get("/prepregnancy/indicators/", dates)
    listing = client.get("/prepregnancy/indicators/list/", {"key": "targets", **dates})
    api = client.get("/api/prepregnancy/indicators", dates)

    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-indicator="targets"' in body
    assert "/prepregnancy/indicators/list/" not in body  # no link to a list of couples
    assert listing.status_code == 403
    assert api.status_code == 200
    with pytest.raises(Forbidden):
        indicators.indicator_records(user=make_user(role), key="targets", period=period)
