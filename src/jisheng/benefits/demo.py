"""Demo benefits: the seed's 2013 payouts (so the yearly report reproduces them) and today's work.

2013 figures of 坛山街道 (seed report): 独生子女家庭 14.3 万余元, 双女绝育家庭 8.6 万余元,
晚婚晚育 7.7 万余元, 终生只要一女孩家庭 6.4 万余元, 重奖 8 户各 3000 元.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.benefits.care.demo import care_demo_seed
from jisheng.benefits.models import (
    Application,
    Entitlement,
    Payment,
    PaymentBatch,
    Program,
    Transition,
    Unit,
)
from jisheng.benefits.selectors import eligible_persons
from jisheng.benefits.services.applications import application_create, application_transition
from jisheng.benefits.services.notices import notice_publish
from jisheng.benefits.services.payments import (
    batch_approve,
    batch_build,
    batch_review,
    payments_settle,
)
from jisheng.benefits.units import unit_key
from jisheng.core.actors import Actor
from jisheng.core.errors import JishengError
from jisheng.core.models import OrgUnit
from jisheng.registry.models import HouseholdMember, Marriage, Person

# program code → (persons paid in 2013, amount each): 1196×120, 72×1200, 258×300, 107×600, 8×3000.
HISTORY_2013: dict[str, tuple[int, Decimal]] = {
    "only-child-parents": (1196, Decimal("120.00")),
    "two-daughters-reward": (72, Decimal("1200.00")),
    "late-marriage-reward": (258, Decimal("300.00")),
    "one-girl-family-reward": (107, Decimal("600.00")),
    "second-child-waiver-award": (8, Decimal("3000.00")),
}


def demo_seed(*, street: OrgUnit, today: dt.date, rng: random.Random) -> None:
    staff = User.objects.get(username="demo_street")
    leader = User.objects.get(username="demo_leader")
    with transaction.atomic():
        _history_2013(street, staff, leader, rng)
    _current_work(staff, leader, today, rng)
    care_demo_seed(street=street, today=today, rng=rng)


def _history_2013(street: OrgUnit, staff: User, leader: User, rng: random.Random) -> None:
    # Adults of 2013 (aged 20 to 80): enough distinct couples for the seed's figures even in
    # a small demo, now that a couple program pays a couple once.
    adults = list(
        Person.objects.filter(
            community__path__startswith=street.path,
            birth_date__lte=dt.date(1993, 1, 1),
            birth_date__gte=dt.date(1933, 1, 1),
        ).values_list("pk", "community_id")
    )
    rng.shuffle(adults)
    spouse_of: dict[int, int] = {}
    for husband, wife in Marriage.objects.filter(end_date__isnull=True).values_list(
        "husband_id", "wife_id"
    ):
        spouse_of[husband], spouse_of[wife] = wife, husband
    household_of = dict(
        HouseholdMember.objects.filter(end_date__isnull=True).values_list(
            "person_id", "household_id"
        )
    )
    approved_at = dt.datetime(2013, 12, 20, 10, 0, tzinfo=timezone.get_current_timezone())
    for code, (count, amount) in HISTORY_2013.items():
        program = Program.objects.get(code=code)
        # One payment per beneficiary unit: never both spouses of a couple program.
        chosen: list[tuple[int, int, str]] = []
        keys: set[str] = set()
        for person_id, community_id in adults:
            key = unit_key(
                program.unit,
                person_id,
                spouse_id=spouse_of.get(person_id),
                household_id=household_of.get(person_id),
            )
            if key not in keys:
                keys.add(key)
                chosen.append((person_id, community_id, key))
            if len(chosen) == count:
                break
        rng.shuffle(adults)
        once = program.cycle == "once"
        batch = PaymentBatch.objects.create(
            program=program,
            org_unit=street,
            period="once" if once else "2013",
            period_start=dt.date(2013, 1, 1),
            period_end=dt.date(2013, 12, 31),
            state=PaymentBatch.State.APPROVED,
            built_by=staff,
            reviewed_by=staff,
            reviewed_at=approved_at,
            approved_by=leader,
            approved_at=approved_at,
            approved_total=amount * len(chosen),
            approved_count=len(chosen),
        )
        entitlements = Entitlement.objects.bulk_create(
            [
                Entitlement(
                    program=program,
                    person_id=person_id,
                    spouse_id=spouse_of.get(person_id) if program.unit == Unit.COUPLE else None,
                    unit_key=key,
                    community_id=community_id,
                    start_date=dt.date(2013, 1, 1),
                    end_date=dt.date(2013, 12, 31),
                    status=Entitlement.Status.STOPPED,
                    stop_reason="2013 年兑现（历史记录）",
                )
                for person_id, community_id, key in chosen
            ]
        )
        Payment.objects.bulk_create(
            [
                Payment(
                    batch=batch,
                    program=program,
                    period=batch.period,
                    entitlement=entitlement,
                    person_id=entitlement.person_id,
                    payee_id=entitlement.person_id,
                    unit_key=entitlement.unit_key,
                    community_id=entitlement.community_id,
                    months=12 if not once else 1,
                    amount=amount,
                    status=Payment.Status.PAID,
                    settled_by=staff,
                    settled_at=approved_at,
                )
                for entitlement in entitlements
            ]
        )


def _current_work(staff: User, leader: User, today: dt.date, rng: random.Random) -> None:
    """Rural reward support and the childcare subsidy: enrolled, paid last year, some applying."""
    street_actor, leader_actor = Actor(user=staff), Actor(user=leader)
    for code, enrol, applying in (("rural-reward-support", 40, 6), ("childcare-subsidy", 30, 8)):
        program = Program.objects.get(code=code)
        candidates = list(
            eligible_persons(user=staff, program=program, as_of=today)[: enrol + applying]
        )
        rng.shuffle(candidates)
        enrolled, waiting = candidates[:enrol], candidates[enrol:]
        applications = []
        for person in enrolled:
            try:
                application = application_create(actor=street_actor, program=program, person=person)
            except JishengError:
                continue
            application_transition(actor=street_actor, application=application, action="check")
            application_transition(actor=street_actor, application=application, action="review")
            applications.append(application)
        if not applications:
            continue
        # The demo's enrolled residents applied a month and a half ago: their steps are dated
        # then, so the notice (posted 30 days ago) starts after their street review.
        taken = dt.datetime.combine(
            today - dt.timedelta(days=45), dt.time(9), tzinfo=timezone.get_current_timezone()
        )
        ids = [a.pk for a in applications]
        Application.objects.filter(pk__in=ids).update(created_at=taken)
        Transition.objects.filter(application_id__in=ids).update(at=taken)
        notice_publish(
            actor=street_actor,
            program=program,
            application_ids=[a.pk for a in applications],
            starts_on=today - dt.timedelta(days=30),
        )
        for application in applications:
            application_transition(actor=leader_actor, application=application, action="approve")
        try:
            batch = batch_build(actor=street_actor, program=program, period_key=str(today.year - 1))
        except JishengError:  # nobody enrolled was eligible last year (all born this year)
            batch = None
        if batch is not None:
            batch_review(actor=street_actor, batch=batch)
            batch_approve(actor=leader_actor, batch=batch)
            payments_settle(actor=street_actor, batch=batch, payment_ids=None, paid=True)
        for person in waiting:
            try:
                application_create(actor=street_actor, program=program, person=person)
            except JishengError:
                continue
