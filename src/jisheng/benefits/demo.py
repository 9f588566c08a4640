"""Demo benefits: the seed's 2013 payouts, imported as history (so the yearly benefits form
reproduces them), and today's work.

2013 figures of 坛山街道 (seed report): 独生子女家庭 14.3 万余元, 双女绝育家庭 8.6 万余元,
晚婚晚育 7.7 万余元, 终生只要一女孩家庭 6.4 万余元, 重奖 8 户各 3000 元, 升学加分核实 130 人.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.benefits.care.demo import care_demo_seed
from jisheng.benefits.models import Application, Program, Transition, Unit
from jisheng.benefits.selectors import eligible_persons
from jisheng.benefits.services.applications import application_create, application_transition
from jisheng.benefits.services.history import (
    TEMPLATE_HEADER,
    HistoryRow,
    history_import,
    history_rows,
)
from jisheng.benefits.services.notices import notice_publish
from jisheng.benefits.services.payments import (
    batch_approve,
    batch_build,
    batch_review,
    payments_settle,
)
from jisheng.benefits.units import beneficiary_of
from jisheng.core.actors import Actor
from jisheng.core.errors import JishengError
from jisheng.core.models import OrgUnit
from jisheng.registry.models import HouseholdMember, Person, ResidentStatus

# The seed's 2013 lines, program code → (units paid, amount each; None: a service, counted):
# 1196×120 = 143,520 (14.3万余), 72×1200 = 86,400 (8.6万余), 258×300 = 77,400 (7.7万余),
# 107×600 = 64,200 (6.4万余), 8 households × 3,000, and 130 children verified for school bonus.
HISTORY_2013: dict[str, tuple[int, Decimal | None]] = {
    "only-child-parents": (1196, Decimal("120.00")),
    "two-daughters-reward": (72, Decimal("1200.00")),
    "late-marriage-reward": (258, Decimal("300.00")),
    "one-girl-family-reward": (107, Decimal("600.00")),
    "second-child-waiver-award": (8, Decimal("3000.00")),
    "school-bonus-check": (130, None),
}


def demo_seed(*, street: OrgUnit, today: dt.date, rng: random.Random) -> None:
    staff = User.objects.get(username="demo_street")
    leader = User.objects.get(username="demo_leader")
    history_2013(street=street, staff=staff, rng=rng)
    _current_work(staff, leader, today, rng)
    care_demo_seed(street=street, today=today, rng=rng)


def history_2013(*, street: OrgUnit, staff: User, rng: random.Random) -> None:
    """The seed's 2013 payouts, each program's written to a workbook and imported as history
    (the same path as an office's own old payment lists)."""
    actor = Actor(user=staff)
    living = Person.objects.filter(
        community__path__startswith=street.path, status=ResidentStatus.LIVING
    ).exclude(id_number_index="")
    adults = list(living.filter(birth_date__range=(dt.date(1933, 1, 1), dt.date(1993, 1, 1))))
    # 升学加分 in 2013: pupils then about 15 (born 1996 to 1999).
    pupils = list(living.filter(birth_date__range=(dt.date(1996, 1, 1), dt.date(1999, 12, 31))))
    in_household = set(
        HouseholdMember.objects.filter(end_date__isnull=True).values_list("person_id", flat=True)
    )
    for code, (count, amount) in HISTORY_2013.items():
        program = Program.objects.get(code=code)
        pool = pupils if program.unit == Unit.CHILD else adults
        if program.unit == Unit.HOUSEHOLD:
            pool = [p for p in pool if p.pk in in_household]
        rng.shuffle(pool)
        chosen: list[Person] = []
        keys: set[str] = set()
        for person in pool:
            key = beneficiary_of(program, person).key
            if key not in keys:
                keys.add(key)
                chosen.append(person)
            if len(chosen) == count:
                break
        if not chosen:  # a demo too small to have anyone for this line
            continue
        rows = [
            HistoryRow(
                line=number,
                id_number=person.id_number,
                name=person.name,
                amount=amount,
                paid_on=dt.date(2013, rng.randint(6, 12), rng.randint(1, 28)),
            )
            for number, person in enumerate(chosen, start=2)
        ]
        history_import(
            actor=actor,
            program=program,
            period_text="2013",
            rows=history_rows(_sheet(rows)),
            file_name=f"{program.name}2013年发放名册.xlsx",
        )


def _sheet(rows: list[HistoryRow]) -> list[tuple[object, ...]]:
    """The cells of the workbook an office would upload for these rows."""
    header: tuple[object, ...] = TEMPLATE_HEADER
    return [header, *((r.id_number, r.name, r.amount, r.paid_on) for r in rows)]


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
