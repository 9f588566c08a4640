"""Demo funds: the 2013–2014 budgets and spending from which the execution report reproduces
the seed's "2013年以来，共投入计生经费374万元" exactly as the seed breaks it down:
奖励扶助金 195万, 服务站建设/城区管理/打击两非 49万, 宣传/免费孕检 90万, 清理清查 40万.

Runs after the other demo seeders (INSTALLED_APPS order). Whatever they already put into the
ledger for those years (benefit payments, visits, receipts through core.spending) counts;
this seeder adds a dated summary voucher per category and year for the remainder only, so
the totals come out exact whatever came before.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from jisheng.accounts.models import User
from jisheng.core.actors import Actor
from jisheng.core.models import OrgUnit
from jisheng.core.spending import SpendingCategory as C
from jisheng.funds import services
from jisheng.funds.categories import categories_ensure
from jisheng.funds.models import Category, Entry, Level

YEARS = (2013, 2014)
# Yuan spent per category and year; the sums are the seed's figures.
TARGETS: dict[str, tuple[int, int]] = {
    C.BENEFITS: (900_000, 1_050_000),  # 195万
    C.SERVICE_STATION: (130_000, 160_000),  # } 49万
    C.GOVERNANCE: (90_000, 110_000),  # }
    C.PUBLICITY: (230_000, 270_000),  # } 90万
    C.PREPREGNANCY: (180_000, 220_000),  # }
    C.CENSUS: (180_000, 220_000),  # 40万
}
# The seed's four groups, as the report's categories add up to them.
SEED_GROUPS: dict[str, tuple[tuple[str, ...], int]] = {
    "奖励扶助金": ((C.BENEFITS,), 1_950_000),
    "服务站建设、城区管理、打击两非": ((C.SERVICE_STATION, C.GOVERNANCE), 490_000),
    "宣传、免费孕检": ((C.PUBLICITY, C.PREPREGNANCY), 900_000),
    "清理清查": ((C.CENSUS,), 400_000),
}
SEED_TOTAL = 3_740_000
# 两级分成负担: the communities carry this share of the office's money, the street the rest.
COMMUNITY_SHARE = Decimal("0.15")
# Budgets: a little above what was spent, except 2014's census, which ran over (flagged).
BUDGET_MARGIN = {2013: Decimal("1.05"), 2014: Decimal("1.02")}
OVERSPENT = (2014, C.CENSUS, Decimal("0.95"))
CENT = Decimal("0.01")


def _communities(street: OrgUnit) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(
            parent=street, kind__in=[OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.VILLAGE]
        ).order_by("path")
    )


def _split(amount: Decimal, parts: int) -> list[Decimal]:
    """``amount`` in ``parts`` near-equal amounts in fen, summing exactly to it."""
    each = (amount / parts).quantize(CENT)
    return [*([each] * (parts - 1)), amount - each * (parts - 1)]


def spent_so_far(street: OrgUnit) -> dict[tuple[str, int], Decimal]:
    """What the ledger holds for the street's area per (category code, year) of YEARS."""
    rows = (
        Entry.objects.filter(org_unit__path__startswith=street.path, year__in=YEARS)
        .values("category__code", "year")
        .annotate(total=Sum("amount"))
    )
    found: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for row in rows:
        found[(row["category__code"], row["year"])] += row["total"]
    return found


def _remainders(held: dict[tuple[str, int], Decimal]) -> dict[tuple[str, int], Decimal]:
    """Per category and year, what the summary vouchers must add. A year already above its
    target hands the difference to the other year, so the two-year total stays exact."""
    wanted: dict[tuple[str, int], Decimal] = {}
    for code, targets in TARGETS.items():
        gaps = [
            Decimal(target) - held[(code, year)]
            for year, target in zip(YEARS, targets, strict=True)
        ]
        if sum(gaps) < 0:
            raise RuntimeError(
                f"funds demo: the ledger already holds more {code} spending for 2013–2014 "
                "than the seed's figure; the report cannot reproduce it"
            )
        if gaps[0] < 0:
            gaps = [Decimal(0), gaps[1] + gaps[0]]
        elif gaps[1] < 0:
            gaps = [gaps[0] + gaps[1], Decimal(0)]
        for year, gap in zip(YEARS, gaps, strict=True):
            wanted[(code, year)] = gap
    return wanted


def demo_seed(*, street: OrgUnit, today: dt.date, rng: random.Random) -> None:
    staff = User.objects.get(username="demo_street")
    actor = Actor(user=staff)
    categories_ensure()
    category = {c.code: c for c in Category.objects.all()}
    communities = _communities(street)
    with transaction.atomic():
        for code, targets in TARGETS.items():
            for year, target in zip(YEARS, targets, strict=True):
                margin = BUDGET_MARGIN[year]
                if (year, code) == OVERSPENT[:2]:
                    margin = OVERSPENT[2]
                budget = (Decimal(target) * margin).quantize(Decimal(1))
                community_part = (budget * COMMUNITY_SHARE).quantize(Decimal(1))
                services.budget_set(
                    actor=actor,
                    year=year,
                    level=Level.STREET,
                    category=category[code],
                    org_unit=street,
                    amount=budget - community_part,
                    note="年初预算",
                    today=today,
                )
                for unit, share in zip(
                    communities, _split(community_part, len(communities)), strict=True
                ):
                    services.budget_set(
                        actor=actor,
                        year=year,
                        level=Level.COMMUNITY,
                        category=category[code],
                        org_unit=unit,
                        amount=share,
                        note="社居分担",
                        today=today,
                    )
        for (code, year), amount in _remainders(spent_so_far(street)).items():
            if amount <= 0:
                continue
            name = category[code].name
            community_part = (
                (amount * COMMUNITY_SHARE).quantize(CENT) if communities else Decimal(0)
            )
            services.voucher_create(
                actor=actor,
                day=dt.date(year, 12, 31),
                category=category[code],
                level=Level.STREET,
                org_unit=street,
                amount=amount - community_part,
                description=f"{year}年度{name}支出汇总凭证（历史账目）",
                summary=True,
                today=today,
            )
            if not community_part:
                continue
            for unit, share in zip(
                communities, _split(community_part, len(communities)), strict=True
            ):
                if share > 0:
                    services.voucher_create(
                        actor=actor,
                        day=dt.date(year, 12, 31),
                        category=category[code],
                        level=Level.COMMUNITY,
                        org_unit=unit,
                        amount=share,
                        description=f"{year}年度{unit.name}{name}支出汇总凭证（历史账目）",
                        summary=True,
                        today=today,
                    )
