"""Every module's indicators on edge data: nothing to measure (None), records just inside
and just outside the period, other communities, and what the drill-down shows to whom."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jisheng.accounts.org_units import org_unit_create
from jisheng.benefits.indicators import DECISION_DAYS
from jisheng.benefits.models import (
    Application,
    Entitlement,
    Program,
    ReviewCampaign,
    ReviewItem,
    Transition,
)
from jisheng.benefits.preload import preload_programs
from jisheng.contraceptives.models import (
    DistributionPoint,
    Lot,
    Product,
    RosterEntry,
    RosterFollowUp,
    StockCount,
    StockCountLine,
)
from jisheng.core import modules
from jisheng.core.dates import day_start
from jisheng.core.indicators import Period, owners_of
from jisheng.core.roles import Role
from jisheng.prepregnancy.models import Checkup, FollowUp, Pregnancy, TargetCouple
from jisheng.targets.models import Meeting, MeetingKind


@pytest.fixture
def period(last_year) -> Period:
    return Period(last_year, 2)  # 1 April – 30 June of last year


def compute(key: str, unit, period: Period) -> Decimal | None:
    return modules.indicators()[key].compute(unit, period)


def test_every_module_declares_its_indicators_once() -> None:
    keys = set(modules.indicators())
    assert {
        "prepregnancy.check_coverage",
        "prepregnancy.followups_on_time",
        "contraceptives.roster_followed_up",
        "contraceptives.stocktake_variance",
        "benefits.decided_in_time",
        "benefits.annual_review_completed",
        "targets.joint_meetings_monthly",
    } <= keys
    assert all(indicator.name and indicator.unit for indicator in modules.indicators().values())


def test_period_bounds_of_quarters_and_years() -> None:
    assert (Period(2024, 1).start, Period(2024, 1).end) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 3, 31),
    )
    assert Period(2024, 4).end == dt.date(2024, 12, 31)
    assert (Period(2024).start, Period(2024).end) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert Period.quarter_of(dt.date(2025, 8, 3)) == Period(2025, 3)
    with pytest.raises(ValueError, match="no such period"):
        Period(2024, 5)


def test_owners_of_maps_each_unit_below_to_the_given_units_it_counts_for(org) -> None:
    other_street = org_unit_create(
        actor=None, name="榴园街道", kind="street", code="370404003", parent=org.district
    )
    other = org_unit_create(
        actor=None, name="榴园社区", kind="community", code="370404003001", parent=other_street
    )
    grid = org_unit_create(
        actor=None, name="一网格", kind="grid", code="370404002001901", parent=org.c1
    )
    # Communities of two streets: neither street, nor another community, belongs to them.
    assert owners_of([org.c1, other]) == {
        org.c1.pk: [org.c1.pk],
        grid.pk: [org.c1.pk],
        other.pk: [other.pk],
    }
    # A street and its community: the community and its grid count for both.
    found = owners_of([org.street, org.c1])
    assert found[grid.pk] == found[org.c1.pk] == [org.street.pk, org.c1.pk]
    assert found[org.c2.pk] == [org.street.pk]
    assert other.pk not in found
    assert org.district.pk not in found
    assert owners_of([]) == {}


def test_day_start_is_the_local_midnight() -> None:
    start = day_start(dt.date(2026, 3, 1))
    # Asia/Shanghai: midnight there is 16:00 UTC the day before.
    assert start.astimezone(dt.UTC) == dt.datetime(2026, 2, 28, 16, tzinfo=dt.UTC)


def test_every_indicator_has_nothing_to_measure_without_records(org, period) -> None:
    for key, indicator in modules.indicators().items():
        if key in {"targets.joint_meetings_monthly", "publicity.activity_months"}:
            continue  # months always exist: none held is 0 %, checked with their modules
        assert indicator.compute(org.c1, period) is None, key


# --- pre-pregnancy -------------------------------------------------------------------------


def _couple(make_person, make_user, community, entered: dt.date, n: int) -> TargetCouple:
    wife = make_person(community, name=f"王芳{n}", sex="F", birth_date=dt.date(1995, 1, 1))
    husband = make_person(community, name=f"李强{n}", sex="M", birth_date=dt.date(1994, 1, 1))
    return TargetCouple.objects.create(
        community=community, husband=husband, wife=wife, source="marriage", entered_on=entered
    )


def _checkup(couple: TargetCouple, day: dt.date, user) -> Checkup:
    return Checkup.objects.create(
        couple=couple,
        person=couple.wife,
        spouse="wife",
        institution="区妇幼保健院",
        date=day,
        risk_level="general",
        recorded_by=user,
    )


def test_check_coverage_counts_checkups_by_the_end_of_the_period(
    org, make_person, make_user, period
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)
    checked = _couple(make_person, make_user, org.c1, period.start, 1)
    _checkup(checked, period.end, worker)  # the last day still counts
    late = _couple(make_person, make_user, org.c1, period.end, 2)
    _checkup(late, period.end + dt.timedelta(days=1), worker)  # the day after does not
    _couple(make_person, make_user, org.c1, period.start - dt.timedelta(days=1), 3)  # before
    elsewhere = _couple(make_person, make_user, org.c2, period.start, 4)
    _checkup(elsewhere, period.start, worker)

    assert compute("prepregnancy.check_coverage", org.c1, period) == Decimal("50.0")
    assert compute("prepregnancy.check_coverage", org.c2, period) == Decimal("100.0")
    # The street is its communities together: 2 of 3.
    assert compute("prepregnancy.check_coverage", org.street, period) == Decimal("66.7")
    # Many units at once (one grouped query) give what each gives alone.
    together = modules.indicators()["prepregnancy.check_coverage"].compute_units(
        [org.c1, org.c2, org.street], period
    )
    assert together == {
        org.c1.pk: Decimal("50.0"),
        org.c2.pk: Decimal("100.0"),
        org.street.pk: Decimal("66.7"),
    }

    records = modules.indicators()["prepregnancy.check_coverage"].records(worker, org.c1, period)
    assert sorted(r.counted for r in records) == [False, True]
    leader = make_user(Role.LEADER)  # counts only: the figure, never the couples
    assert (
        list(modules.indicators()["prepregnancy.check_coverage"].records(leader, org.c1, period))
        == []
    )


def test_pregnancy_followups_on_time_are_those_done_by_the_end(
    org, make_person, make_user, period
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)
    numbers = iter(range(10, 20))

    def followup(due: dt.date, done: dt.date | None, kind: str = "early") -> None:
        couple = _couple(make_person, make_user, org.c1, period.start, next(numbers))
        pregnancy = Pregnancy.objects.create(
            couple=couple,
            woman_id=couple.wife_id,
            community_id=couple.community_id,
            reported_on=period.start,
            reported_by=worker,
        )
        FollowUp.objects.create(
            pregnancy=pregnancy,
            community_id=pregnancy.community_id,
            couple=couple,
            kind=kind,
            due_date=due,
            assignee=worker,
            state="done" if done else "open",
            done_on=done,
        )

    followup(period.start, period.start)  # due and done: counted
    followup(period.end, period.end + dt.timedelta(days=1), "outcome")  # done after the end
    followup(period.end + dt.timedelta(days=1), None)  # due after the period: not counted

    assert compute("prepregnancy.followups_on_time", org.c1, period) == Decimal("50.0")


# --- contraceptives ------------------------------------------------------------------------


def test_roster_users_in_use_in_the_period_need_a_follow_up_in_it(org, make_person, period) -> None:
    def entry(n: int, start: dt.date, stop: dt.date | None = None) -> RosterEntry:
        person = make_person(org.c1, name=f"赵丽{n}", sex="F", birth_date=dt.date(1990, 1, 1))
        return RosterEntry.objects.create(
            person=person,
            community=person.community,
            method="condom",
            start_date=start,
            stop_date=stop,
        )

    followed = entry(1, period.start - dt.timedelta(days=200))
    RosterFollowUp.objects.create(entry=followed, date=period.end, satisfaction="satisfied")
    missed = entry(2, period.start)
    RosterFollowUp.objects.create(
        entry=missed, date=period.start - dt.timedelta(days=1), satisfaction="satisfied"
    )
    entry(3, period.start - dt.timedelta(days=300), stop=period.start - dt.timedelta(days=1))
    entry(4, period.end + dt.timedelta(days=1))  # started after the period

    assert compute("contraceptives.roster_followed_up", org.c1, period) == Decimal("50.0")


def test_stocktake_variance_is_the_share_off_the_card_of_posted_counts(org, period) -> None:
    point = DistributionPoint.objects.create(name="一号点", kind="community", org_unit=org.c1)
    product = Product.objects.create(name="避孕套", category="condom", unit="盒")
    lots = [
        Lot.objects.create(product=product, number=f"L{n}", expiry_date=dt.date(2030, 1, 1))
        for n in range(3)
    ]

    def count(day: dt.date, state: str, lines: list[tuple[int | None, int]]) -> None:
        stock_count = StockCount.objects.create(point=point, count_date=day, state=state)
        for lot, (counted, on_card) in zip(lots, lines, strict=False):
            StockCountLine.objects.create(
                count=stock_count, lot=lot, counted=counted, on_card=on_card
            )

    count(period.start, "posted", [(95, 100), (105, 100), (None, 50)])  # |−5| + |+5| of 200
    count(period.end, "cancelled", [(0, 100)])  # not posted: not counted
    count(period.end + dt.timedelta(days=1), "posted", [(0, 100)])  # after the period

    assert compute("contraceptives.stocktake_variance", org.c1, period) == Decimal("5.0")
    assert modules.indicators()["contraceptives.stocktake_variance"].higher_is_better is False


# --- benefits ------------------------------------------------------------------------------


@pytest.fixture
def program(db: None) -> Program:
    preload_programs(Program)
    return Program.objects.order_by("pk").first()


def _application(program, person, community, user, submitted: dt.date, decided: dt.date | None):
    application = Application.objects.create(
        program=program, person=person, community=community, created_by=user
    )
    at = timezone.make_aware(dt.datetime.combine(submitted, dt.time(10)))
    Application.objects.filter(pk=application.pk).update(created_at=at)
    if decided is not None:
        transition = Transition.objects.create(
            application=application, action="approve", to_state="approved", actor=user
        )
        decided_at = timezone.make_aware(dt.datetime.combine(decided, dt.time(9)))
        Transition.objects.filter(pk=transition.pk).update(at=decided_at)
    return application


def test_applications_decided_within_the_limit(
    org, make_person, make_user, program, period
) -> None:
    user = make_user(Role.STREET_STAFF)
    limit = dt.timedelta(days=DECISION_DAYS)
    people = [make_person(org.c1, name=f"孙伟{n}") for n in range(4)]
    # Due on the period's first day, decided on the last allowed day: on time.
    _application(program, people[0], org.c1, user, period.start - limit, period.start)
    # Due in the period, decided a day late.
    _application(
        program, people[1], org.c1, user, period.end - limit, period.end + dt.timedelta(days=1)
    )
    # Due in the period, never decided: late.
    _application(
        program, people[2], org.c1, user, period.start - limit + dt.timedelta(days=5), None
    )
    # Due after the period: not counted.
    _application(program, people[3], org.c1, user, period.end - limit + dt.timedelta(days=1), None)

    assert compute("benefits.decided_in_time", org.c1, period) == Decimal("33.3")


def test_annual_review_completed_by_the_end_of_the_period(
    org, make_person, make_user, program, period
) -> None:
    user = make_user(Role.STREET_STAFF)
    campaign = ReviewCampaign.objects.create(
        program=program, org_unit=org.street, year=period.year, created_by=user
    )
    old = ReviewCampaign.objects.create(
        program=program, org_unit=org.street, year=period.year - 1, created_by=user
    )

    def item(n: int, campaign_, decision: str, decided: dt.date | None) -> None:
        person = make_person(org.c1, name=f"周敏{n}")
        entitlement = Entitlement.objects.create(
            program=program, person=person, community=org.c1, start_date=dt.date(2020, 1, 1)
        )
        decided_at = (
            timezone.make_aware(dt.datetime.combine(decided, dt.time(9))) if decided else None
        )
        ReviewItem.objects.create(
            campaign=campaign_,
            entitlement=entitlement,
            community=org.c1,
            decision=decision,
            decided_at=decided_at,
        )

    item(1, campaign, "confirm", period.end)
    item(2, campaign, "stop", period.end + dt.timedelta(days=1))  # decided after the period
    item(3, campaign, "pending", None)
    item(4, old, "pending", None)  # last year's campaign: not this year's work

    assert compute("benefits.annual_review_completed", org.c1, period) == Decimal("33.3")


# --- targets -------------------------------------------------------------------------------


def test_joint_meetings_count_months_with_one_at_the_street(org, make_user, period) -> None:
    user = make_user(Role.STREET_STAFF)

    def meeting(day: dt.date, kind: str = MeetingKind.JOINT, unit=None) -> None:
        Meeting.objects.create(
            org_unit=unit or org.street, kind=kind, date=day, title="联席会", created_by=user
        )

    assert compute("targets.joint_meetings_monthly", org.c1, period) == Decimal("0.0")
    meeting(period.start)
    meeting(period.start + dt.timedelta(days=3))  # a second one the same month adds nothing
    meeting(period.end, kind=MeetingKind.WEEKLY)  # a weekly meeting is not a joint one
    meeting(period.end, unit=org.c2)  # another community's does not count for c1

    # One month of three, for the street and for each community under it.
    assert compute("targets.joint_meetings_monthly", org.street, period) == Decimal("33.3")
    assert compute("targets.joint_meetings_monthly", org.c1, period) == Decimal("33.3")
    assert compute("targets.joint_meetings_monthly", org.c2, period) == Decimal("66.7")


def test_joint_meetings_of_the_current_quarter_count_only_months_begun() -> None:
    today = timezone.localdate()
    period = Period.quarter_of(today)
    begun = [m for m in period.months() if m <= (today.year, today.month)]
    assert 1 <= len(begun) <= 3
