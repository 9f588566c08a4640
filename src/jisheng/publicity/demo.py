"""Demo publicity for the demo street: the "五个一" in most communities, three years of
activities (the seed's 广场文艺演出, 关爱女孩行动 and 送文艺下村 among them) and two 专题培训班
a year, with their costs handed to the funds ledger as the services would.

It bypasses the services (no audit rows: nobody did these things); called again on a street
that already has publicity records, it does nothing. No photos: the demo has no pictures.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from jisheng.accounts.models import User
from jisheng.core.models import OrgUnit
from jisheng.core.spending import record_spending
from jisheng.publicity.models import (
    Activity,
    ActivityKind,
    Asset,
    AssetKind,
    CostEntry,
    Training,
)
from jisheng.publicity.selectors import STAFF_ROLES
from jisheng.publicity.services import spending_of

YEARS = 3
COMMUNITY_ASSETS = (
    (AssetKind.POPULATION_SCHOOL, "人口学校", "社区居委会二楼"),
    (AssetKind.CULTURE_YARD, "人口文化大院", "社区文化广场"),
    (AssetKind.CULTURE_STREET, "生育文化街", "社区主街"),
    (AssetKind.TROUPE, "庄户剧团", "社区活动室"),
)
# kind, title, organiser, partners, audience range, cost range (yuan)
EVENTS = (
    (
        ActivityKind.LECTURE,
        "优生优育知识讲座",
        "社区计生办",
        ("社区卫生服务站",),
        (30, 80),
        (0, 300),
    ),
    (ActivityKind.PUBLICITY_VEHICLE, "宣传车巡回宣传", "社区计生办", (), (100, 400), (200, 600)),
    (
        ActivityKind.LAW_EDUCATION,
        "人口与计划生育法律法规普及",
        "社区计生办",
        ("司法所",),
        (40, 120),
        (0, 500),
    ),
)


def _street_events(year: int) -> list[tuple[str, str, str, tuple[str, ...], dt.date, int, Decimal]]:
    return [
        (
            ActivityKind.SQUARE_PERFORMANCE,
            "“婚育新风进万家”广场文艺演出",
            "街道计生办",
            ("街道文化站", "区卫健局", "区妇联"),
            dt.date(year, 5, 29),
            1200,
            Decimal("18000.00"),
        ),
        (
            ActivityKind.CARE_FOR_GIRLS,
            "关爱女孩行动宣传月",
            "街道计生办",
            ("区妇联", "团工委", "派出所"),
            dt.date(year, 9, 20),
            600,
            Decimal("8000.00"),
        ),
    ]


def _assets(street: OrgUnit, communities: list[OrgUnit], creator: User, first: int) -> None:
    rows = [
        Asset(
            org_unit=street,
            kind=AssetKind.TV_COLUMN,
            name="《人口计生》电视专题栏目",
            location="区电视台",
            opened_on=dt.date(first, 1, 1),
            created_by=creator,
        ),
        Asset(
            org_unit=street,
            kind=AssetKind.WEB_COLUMN,
            name="《人口计生》网络专题栏目",
            location="街道门户网站",
            opened_on=dt.date(first, 1, 1),
            created_by=creator,
        ),
    ]
    for index, community in enumerate(communities):
        # Most communities hold all four on the ground; a few are still building the last.
        held = COMMUNITY_ASSETS if index % 4 else COMMUNITY_ASSETS[:3]
        rows += [
            Asset(
                org_unit=community,
                kind=kind,
                name=f"{community.name}{name}",
                location=location,
                opened_on=dt.date(first, 3, 1),
                created_by=creator,
            )
            for kind, name, location in held
        ]
    Asset.objects.bulk_create(rows)


def _activity(
    *,
    unit: OrgUnit,
    by: User,
    kind: str,
    title: str,
    organiser: str,
    partners: tuple[str, ...],
    day: dt.date,
    audience: int,
    cost: Decimal,
    materials: int,
) -> Activity:
    activity = Activity.objects.create(
        org_unit=unit,
        date=day,
        kind=kind,
        title=title,
        organiser=organiser,
        partners="\n".join(partners),
        audience=audience,
        materials=materials,
        materials_note="宣传折页、避孕知识手册" if materials else "",
        cost=cost,
        recorded_by=by,
    )
    if cost:
        entry = CostEntry.objects.create(
            org_unit=unit, activity=activity, amount=cost, day=day, recorded_by=by
        )
        record_spending([spending_of(entry)], actor=by)
    return activity


def demo_seed(*, street: OrgUnit, today: dt.date, rng: random.Random) -> None:
    """Seed the demo street's publicity once (a street with assets is left as it is)."""
    communities = list(
        OrgUnit.objects.filter(
            parent=street, kind__in=[OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.VILLAGE]
        ).order_by("code")
    )
    if not communities or Asset.objects.filter(org_unit__in=[street, *communities]).exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=["demo_street", "demo_c1"])}
    street_user = users.get("demo_street")
    if street_user is None:
        return
    staff = list(
        User.objects.filter(
            is_active=True,
            org_unit__path__startswith=street.path,
            roles__role__in=[role.value for role in STAFF_ROLES],
        ).distinct()
    )
    first = today.year - YEARS + 1
    with transaction.atomic():
        _assets(street, communities, street_user, first - 2)
        for year in range(first, today.year + 1):
            for kind, title, organiser, partners, day, audience, cost in _street_events(year):
                if day <= today:
                    _activity(
                        unit=street,
                        by=street_user,
                        kind=kind,
                        title=title,
                        organiser=organiser,
                        partners=partners,
                        day=day,
                        audience=audience,
                        cost=cost,
                        materials=audience // 2,
                    )
            for community in communities:
                # 送文艺下村: the troupe plays in every community once a year, in autumn.
                day = dt.date(year, 10, 1) + dt.timedelta(days=rng.randrange(60))
                if day <= today:
                    _activity(
                        unit=community,
                        by=street_user,
                        kind=ActivityKind.ARTS_TO_VILLAGES,
                        title=f"送文艺下村·{community.name}",
                        organiser="街道文艺宣传队",
                        partners=("街道文化站",),
                        day=day,
                        audience=rng.randrange(150, 400),
                        cost=Decimal(rng.randrange(15, 40) * 100),
                        materials=200,
                    )
                for _ in range(rng.randrange(2, 6)):
                    kind, title, organiser, partners, people, money = rng.choice(EVENTS)
                    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
                    if day > today:
                        continue
                    _activity(
                        unit=community,
                        by=users.get("demo_c1") or street_user,
                        kind=kind,
                        title=title,
                        organiser=organiser,
                        partners=partners,
                        day=day,
                        audience=rng.randrange(*people),
                        cost=Decimal(rng.randrange(*money) // 10 * 10),
                        materials=rng.randrange(0, 100),
                    )
            for number, month in ((1, 4), (2, 11)):
                start = dt.date(year, month, 10)
                if start > today:
                    continue
                training = Training.objects.create(
                    org_unit=street,
                    topic=f"{year}年计生专干专题培训班（第{number}期）",
                    trainer="区卫健局 王老师",
                    start_date=start,
                    end_date=start + dt.timedelta(days=1),
                    hours=Decimal("12.0"),
                    cost=Decimal("3000.00"),
                    recorded_by=street_user,
                )
                training.attendees.set(rng.sample(staff, k=len(staff) * 2 // 3))
                entry = CostEntry.objects.create(
                    org_unit=street,
                    training=training,
                    amount=training.cost,
                    day=start,
                    recorded_by=street_user,
                )
                record_spending([spending_of(entry)], actor=street_user)
