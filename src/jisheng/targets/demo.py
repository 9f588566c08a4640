"""Demo target responsibility: veto items, bonus bands, two departments, last year's signed
books with every community (so this year's can be copied from them), their four approved
quarters, this year's books for all but the first community, and the joint meetings."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from jisheng.accounts.models import User
from jisheng.core import modules
from jisheng.core.actors import Actor
from jisheng.core.indicators import Period
from jisheng.core.models import OrgUnit
from jisheng.targets import services
from jisheng.targets.models import BonusBand, MeetingKind, PartyKind, Scoring, TargetBook, VetoItem

VETO_ITEMS = (
    ("严重泄露公民个人信息", "经查实发生严重的个人信息泄露事件"),
    ("统计数据弄虚作假", "审计或检查中发现虚报、瞒报、伪造统计数据"),
    ("隐瞒两非案件", "经查实隐瞒不报已确认的非医学需要胎儿性别鉴定或选择性别人工终止妊娠案件"),
)
BANDS = (
    (Decimal(90), Decimal("1.20")),
    (Decimal(80), Decimal("1.00")),
    (Decimal(60), Decimal("0.80")),
    (Decimal(0), Decimal("0.50")),
)
# (indicator key, target, floor, scoring, weight): weights sum to 100.
LINES = (
    ("prepregnancy.check_coverage", Decimal(80), Decimal(50), Scoring.LINEAR, Decimal(25)),
    ("prepregnancy.followups_on_time", Decimal(90), Decimal(60), Scoring.LINEAR, Decimal(15)),
    ("contraceptives.roster_followed_up", Decimal(80), Decimal(40), Scoring.LINEAR, Decimal(15)),
    ("contraceptives.stocktake_variance", Decimal(1), Decimal(5), Scoring.LINEAR, Decimal(10)),
    ("benefits.decided_in_time", Decimal(95), Decimal(70), Scoring.LINEAR, Decimal(20)),
    ("benefits.annual_review_completed", Decimal(100), Decimal(100), Scoring.STEP, Decimal(5)),
    ("targets.joint_meetings_monthly", Decimal(100), Decimal(0), Scoring.LINEAR, Decimal(10)),
)


def demo_seed(*, street: OrgUnit, today: dt.date, rng: random.Random) -> None:
    """Seed once: a street that already has books is left as it is."""
    if TargetBook.objects.filter(street=street).exists():
        return
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["demo_street", "demo_leader", "demo_c1"])
    }
    if "demo_street" not in users or "demo_leader" not in users:
        return
    staff = Actor(user=users["demo_street"])
    leader = Actor(user=users["demo_leader"])
    communities = list(
        OrgUnit.objects.filter(
            parent=street, kind__in=[OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.VILLAGE]
        ).order_by("code")
    )
    known = modules.indicators()
    with transaction.atomic():
        for name, description in VETO_ITEMS:
            VetoItem.objects.get_or_create(name=name, defaults={"description": description})
        for low, coefficient in BANDS:
            BonusBand.objects.get_or_create(
                street=street, min_score=low, defaults={"coefficient": coefficient}
            )
        for name in ("计生办", "社会事务办"):
            services.department_create(actor=staff, name=name)
        _meetings(staff, today, users.get("demo_c1"))
        last_year = today.year - 1
        for index, community in enumerate(communities):
            book = services.book_create(
                actor=staff, year=last_year, kind=PartyKind.COMMUNITY, community=community
            )
            for key, target, floor, scoring, weight in LINES:
                if key in known:
                    services.book_line_set(
                        actor=staff,
                        book=book,
                        indicator=key,
                        target=target,
                        floor=floor,
                        scoring=scoring,
                        weight=weight,
                        responsible=users.get("demo_c1") if index == 0 else None,
                    )
            services.book_veto_items_set(actor=staff, book=book, items=list(VetoItem.objects.all()))
            if sum(w for k, *_, w in LINES if k in known) != 100:
                continue  # an install without every module: the book stays a draft
            services.book_sign(
                actor=staff,
                book=book,
                party_signatory=f"{community.name}党组织书记",
                signed_on=dt.date(last_year, 1, 15 + rng.randint(0, 10)),
            )
            for quarter in (1, 2, 3, 4):
                assessment = services.assessment_run(
                    actor=staff, book=book, period=Period(last_year, quarter)
                )
                services.assessment_approve(actor=leader, assessment=assessment)
            if index == 0:
                continue  # left for the demo of copying last year's book
            this_year = services.book_copy(actor=staff, source=book, year=today.year)
            services.book_sign(
                actor=staff,
                book=this_year,
                party_signatory=f"{community.name}党组织书记",
                signed_on=min(today, dt.date(today.year, 1, 10)),
            )
            services.assessment_run(actor=staff, book=this_year, period=Period.quarter_of(today))


def _meetings(staff: Actor, today: dt.date, owner: User | None) -> None:
    """A joint meeting in most months since January last year; one task now overdue."""
    day = dt.date(today.year - 1, 1, 20)
    last = None
    while day <= today:
        if day.month != 8:  # one month missed: the indicator shows it
            last = services.meeting_create(
                actor=staff,
                kind=MeetingKind.JOINT,
                date=day,
                title=f"{day.year}年{day.month}月党政联席会议（研究人口计生工作）",
                topics="目标责任书落实情况；孕前优生检查进度",
                decisions="各社居本月底前完成孕情随访",
            )
        month = day.month % 12 + 1
        day = dt.date(day.year + (day.month == 12), month, 20)
    if last is not None and owner is not None:
        services.action_item_add(
            actor=staff,
            meeting=last,
            description="核对本社居药具花名册随访记录",
            owner=owner,
            due_on=last.date,
        )
