"""Each dashboard chart shows the same numbers as a direct count of the records, for the
user's area, on the demo's data plus births recorded through the registry."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count, Exists, OuterRef, Sum
from django.test import Client
from django.utils import timezone
from tests.registry.conftest import new_id_number

from jisheng.accounts.models import User
from jisheng.benefits.models import Payment
from jisheng.contraceptives.models import StockBalance, StockMove
from jisheng.contraceptives.models.ledger import ISSUE_KINDS
from jisheng.core.actors import Actor
from jisheng.core.charts import ChartData
from jisheng.core.dates import add_months
from jisheng.core.models import OrgUnit
from jisheng.demo.seed import seed_demo
from jisheng.migrants.models import MigrantRecord
from jisheng.migrants.services import records
from jisheng.prepregnancy.models import Checkup, TargetCouple
from jisheng.registry.models import LifeEvent, Person, ResidentStatus
from jisheng.registry.selectors import PersonFilters, person_list
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData
from jisheng.reports.dashboards import charts
from jisheng.reports.rollups.services import rollups_refresh
from jisheng.testing.shared_data import seeded_once


@pytest.fixture(scope="module")
def _demo_street_pk(django_db_setup: None, django_db_blocker: Any) -> Iterator[int]:
    """The demo seeded once for this module (seconds); each test's writes still roll back."""
    yield from seeded_once(django_db_blocker, _seed_demo_street)


@pytest.fixture
def demo_street(db: None, _demo_street_pk: int) -> OrgUnit:
    return OrgUnit.objects.get(pk=_demo_street_pk)


def _seed_demo_street() -> int:
    seed_demo(persons=600)
    street = OrgUnit.objects.get(kind="street", is_demo=True)
    staff = User.objects.get(username="demo_street")
    mothers = Person.objects.filter(
        community__path__startswith=street.path,
        status=ResidentStatus.LIVING,
        sex="F",
        birth_date__year__lt=2000,
        birth_date__year__gt=1980,
    ).exclude(  # the registry refuses a birth within 150 days of a sibling's
        child_links__child__birth_date__gte=add_months(timezone.localdate(), -18)
    )[:6]
    today = timezone.localdate()
    for i, mother in enumerate(mothers):
        born = add_months(today.replace(day=1), -i)
        child = PersonData(
            name="小明",
            sex="MF"[i % 2],
            birth_date=born,
            id_number=new_id_number(born, "MF"[i % 2]),
        )
        events.birth_record(actor=Actor(user=staff, ip="127.0.0.1"), mother=mother, child=child)
    rollups_refresh()
    return street.pk


def values(data: ChartData | None) -> dict[str, list[object]]:
    assert data is not None
    return {str(s.name): s.values for s in data.series}


def users() -> dict[str, User]:
    return {
        name: User.objects.get(username=name)
        for name in ("demo_c1", "demo_street", "demo_leader", "demo_district")
    }


def area(user: User) -> list[int]:
    return user.scope_unit_ids()


def test_pyramid_equals_a_direct_count(demo_street) -> None:
    year = timezone.localdate().year
    for user in users().values():
        shown = values(charts.pyramid(user))
        expected: dict[str, list[int]] = {"男": [0] * 18, "女": [0] * 18}
        for sex, born in Person.objects.filter(
            community_id__in=area(user), status=ResidentStatus.LIVING
        ).values_list("sex", "birth_date"):
            expected["男" if sex == "M" else "女"][min((year - born.year) // 5, 17)] += 1
        assert shown == expected, user.username
        assert sum(expected["女"]) > 0


def test_births_and_sex_ratio_equal_a_direct_count(demo_street) -> None:
    user = users()["demo_street"]
    data = charts.births(user)
    assert data is not None
    counted: Counter[tuple[str, str]] = Counter(
        (f"{date:%Y-%m}", sex)
        for date, sex in LifeEvent.objects.filter(
            kind="birth", reversed_by__isnull=True, community_id__in=area(user)
        ).values_list("date", "person__sex")
    )
    shown = values(data)
    assert shown["男孩"] == [counted[(m, "M")] for m in data.categories]
    assert shown["女孩"] == [counted[(m, "F")] for m in data.categories]
    # The six above, and the births the governance demo records for the demo's children.
    assert sum(shown["男孩"]) + sum(shown["女孩"]) >= 6
    for boys, girls, ratio in zip(shown["男孩"], shown["女孩"], shown["出生性别比"], strict=True):
        assert ratio == (round(boys * 100 / girls, 1) if girls else None)
    # Each month's bar opens the residents born here in it: as many as the bar counts.
    for month, link, boys, girls in zip(
        data.categories, data.links, shown["男孩"], shown["女孩"], strict=True
    ):
        assert link == f"/registry/persons/?born_in={month}"
        born = person_list(user=user, filters=PersonFilters(born_in=month))
        assert born.count() == boys + girls, month


def test_coverage_equals_a_direct_count_per_community(demo_street) -> None:
    user = users()["demo_street"]
    data = charts.coverage(user)
    assert data is not None
    year = timezone.localdate().year
    checked = Exists(Checkup.objects.filter(couple=OuterRef("pk")))
    couples = TargetCouple.objects.filter(entered_on__year=year).annotate(checked=checked)
    names = dict(OrgUnit.objects.values_list("pk", "name"))
    targets = Counter(names[c] for c in couples.values_list("community_id", flat=True))
    done = Counter(
        names[c] for c in couples.filter(checked=True).values_list("community_id", flat=True)
    )
    shown = values(data)
    assert shown["目标人群"] == [targets[c] for c in data.categories]
    assert shown["已检夫妇"] == [done[c] for c in data.categories]
    assert sum(shown["目标人群"]) > 0


def test_district_supervisor_sees_streets_side_by_side(demo_street) -> None:
    data = charts.coverage(users()["demo_district"])
    assert data is not None
    assert data.categories == [demo_street.name]
    assert data.links == [""]  # counts only: no list of couples behind the bar


def test_stock_by_point_equals_a_direct_count(demo_street) -> None:
    user = users()["demo_street"]
    data = charts.stock(user)
    assert data is not None
    this_month = f"{timezone.localdate():%Y-%m}"
    soon = f"{add_months(timezone.localdate().replace(day=1), 3):%Y-%m}"
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    for name, expiry, quantity in StockBalance.objects.filter(
        point__org_unit_id__in=area(user)
    ).values_list("point__name", "lot__expiry_date", "quantity"):
        month = f"{expiry:%Y-%m}"
        state = "expired" if month < this_month else "soon" if month <= soon else "usable"
        expected[name][state] += quantity
    shown = values(data)
    assert shown["有效库存"] == [expected[p]["usable"] for p in data.categories]
    assert shown["3个月内过期"] == [expected[p]["soon"] for p in data.categories]
    assert shown["已过期"] == [expected[p]["expired"] for p in data.categories]
    assert sum(shown["有效库存"]) > 0


def test_issues_by_kind_equal_a_direct_count(demo_street) -> None:
    user = users()["demo_leader"]
    data = charts.issues(user)
    assert data is not None
    year = timezone.localdate().year
    total = StockMove.objects.filter(
        kind__in=ISSUE_KINDS,
        reversed_by__isnull=True,
        occurred_on__year=year,
        point__org_unit_id__in=area(user),
    ).aggregate(n=Sum("quantity"))["n"]
    assert sum(sum(v) for v in values(data).values()) == -(total or 0)


def test_payouts_equal_a_direct_count(demo_street) -> None:
    user = users()["demo_street"]
    data = charts.payouts(user)
    assert data is not None
    paid = Payment.objects.filter(kind="payment", status="paid", community_id__in=area(user))
    amount = paid.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    shown = values(data)
    assert sum(sum(v) for name, v in shown.items() if name.endswith("金额（元）")) == pytest.approx(
        float(amount)
    )
    persons = (
        paid.values("program_id", "community_id", "period")
        .annotate(n=Count("person_id", distinct=True))
        .aggregate(total=Sum("n"))["total"]
    )
    assert sum(sum(v) for name, v in shown.items() if name.endswith("人数")) == persons
    # A year's bar opens the benefits totals of that year, which sum to the same amount.
    client = Client()
    client.force_login(user)
    for year, link in zip(data.categories, data.links, strict=True):
        assert link == f"/benefits/reports/?year={year}"
        page = client.get(link)
        assert page.status_code == 200
        assert year in page.content.decode()


def _migrant_moves(user: User, since: str) -> Counter[tuple[str, str, int]]:
    """(month, kind, community) of every record in the user's area, counted from the records."""
    return Counter(
        (f"{moved:%Y-%m}", kind, community)
        for moved, kind, community in MigrantRecord.objects.filter(
            community_id__in=area(user)
        ).values_list("moved_on", "kind", "community_id")
        if f"{moved:%Y-%m}" >= since
    )


def test_migrants_by_month_equals_a_direct_count_and_opens_the_months_records(
    demo_street,
) -> None:
    # One more move, in a community of the street that is not the worker's.
    staff = users()["demo_street"]
    other = Person.objects.filter(
        community__path__startswith=demo_street.path, status=ResidentStatus.LIVING
    ).exclude(community=users()["demo_c1"].org_unit)[0]
    records.outflow_open(
        actor=Actor(user=staff),
        person=other,
        moved_on=timezone.localdate() - dt.timedelta(days=3),
        region_code="510722",
    )
    rollups_refresh()
    totals = {}
    for name, user in users().items():
        data = charts.migrants_by_month(user)
        assert data is not None, name
        counted = _migrant_moves(user, data.categories[0])
        shown = values(data)
        for kind, label in (("inflow", "流入"), ("outflow", "流出")):
            assert shown[label] == [
                sum(n for (m, k, _c), n in counted.items() if (m, k) == (month, kind))
                for month in data.categories
            ], (name, kind)
        totals[name] = sum(sum(v) for v in shown.values())
    # The demo's records lie in several communities: a worker counts only its own.
    assert 0 < totals["demo_c1"] < totals["demo_street"]
    # Each bar opens that month's records of its kind, as many as the bar counts, in scope.
    worker = users()["demo_c1"]
    data = charts.migrants_by_month(worker)
    assert data is not None
    client = Client()
    client.force_login(worker)
    opened = 0
    for series, kind in zip(data.series, ("inflow", "outflow"), strict=True):
        for month, link, n in zip(data.categories, series.links, series.values, strict=True):
            assert link == f"/migrants/{kind}/?month={month}"
            if not n:
                continue
            page = client.get(link)
            assert page.status_code == 200
            assert page.context["page"].paginator.count == n
            assert {r["record"].community_id for r in page.context["rows"]} == {worker.org_unit_id}
            opened += 1
    assert opened > 0


def test_migrants_by_unit_puts_communities_side_by_side(demo_street) -> None:
    assert charts.migrants_by_unit(users()["demo_c1"]) is None
    user = users()["demo_street"]
    data = charts.migrants_by_unit(user)
    assert data is not None
    since = charts.last_months(timezone.localdate())[0]
    counted = _migrant_moves(user, since)
    units = {u.name: u for u in OrgUnit.objects.filter(pk__in=area(user))}
    shown = values(data)
    for kind, label in (("inflow", "流入"), ("outflow", "流出")):
        assert shown[label] == [
            sum(n for (_m, k, c), n in counted.items() if k == kind and c == units[name].pk)
            for name in data.categories
        ]
    assert sum(shown["流入"]) > 0
    client = Client()
    client.force_login(user)
    first = data.categories.index(
        next(n for n, v in zip(data.categories, shown["流入"], strict=True) if v)
    )
    link = data.series[0].links[first]
    assert link == f"/migrants/inflow/?community={units[data.categories[first]].pk}&since={since}"
    page = client.get(link)
    assert page.context["page"].paginator.count == shown["流入"][first]


def test_each_role_gets_only_the_charts_of_its_duties(demo_street) -> None:
    from jisheng.reports.dashboards.selectors import dashboard_for

    keys = {name: [c.chart.key for c in dashboard_for(u)] for name, u in users().items()}
    assert keys["demo_c1"] == [
        "pyramid",
        "births",
        "coverage",
        "stock",
        "issues",
        "payouts",
        "migrants_by_month",  # its own community's inflow and outflow, no side by side
        "target_scores",  # the targets module's chart, its own community only
        "sex_ratio",  # governance: its own community's births
    ]
    assert "residents_by_unit" in keys["demo_street"]
    assert "residents_by_unit" in keys["demo_district"]
    # Leaders and supervisors may count couples and stock but not open their records.
    leader_links = {c.chart.key: c.data.links for c in dashboard_for(users()["demo_leader"])}
    assert set(leader_links["coverage"]) == {""}
    assert set(leader_links["stock"]) == {""}
    assert "migrants_by_unit" in keys["demo_street"]


def test_as_of_is_the_last_refresh(demo_street) -> None:
    data = charts.pyramid(users()["demo_c1"])
    assert data is not None
    assert data.as_of is not None
    assert timezone.now() - data.as_of < dt.timedelta(minutes=5)


def test_refresh_follows_couples_stock_moves_and_settled_payments(demo_street) -> None:
    """The other modules' changes reach the rollups through the worker's refresh."""
    from jisheng.reports.rollups import services
    from jisheng.reports.rollups.models import RollupCell

    couple = TargetCouple.objects.order_by("pk").first()
    move = StockMove.objects.filter(kind__in=ISSUE_KINDS).order_by("pk").first()
    payment = Payment.objects.filter(status="paid").order_by("pk").first()
    assert couple is not None
    assert move is not None
    assert payment is not None
    # Figures gone wrong in the touched units: only a recount puts them right.
    RollupCell.objects.filter(measure="couples", unit_id=couple.community_id).delete()
    RollupCell.objects.filter(measure="issues", unit_id=move.point.org_unit_id).delete()
    RollupCell.objects.filter(measure="payouts", unit_id=payment.community_id).delete()
    couple.save()  # a change of the couple's file (its updated_at)
    StockMove.objects.create(
        point=move.point,
        lot=move.lot,
        kind=move.kind,
        quantity=-1,
        reason=move.reason,
        occurred_on=move.occurred_on,
    )
    Payment.objects.filter(pk=payment.pk).update(settled_at=timezone.now())
    touched = services.rollups_refresh()
    assert couple.community_id in touched["couples"]
    assert move.point.org_unit_id in touched["issues"]
    assert payment.community_id in touched["payouts"]
    assert services.rollups_check(["couples", "issues", "stock", "payouts"]) == []
