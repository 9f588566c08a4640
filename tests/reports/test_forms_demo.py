"""The standard forms over the demo street, against direct counts of the same records; the
yearly benefits form for 2013 reproduces the seed report line by line."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db.models import Q, Sum
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from jisheng.accounts.models import User
from jisheng.contraceptives.models import DistributionPoint, RosterEntry, StockMove
from jisheng.contraceptives.models.ledger import ISSUE_KINDS
from jisheng.prepregnancy import rules
from jisheng.prepregnancy.models import Checkup, TargetCouple
from jisheng.registry.models import LifeEvent, Person
from jisheng.reports.forms.periods import PeriodKind, report_period
from jisheng.reports.forms.standard import benefits, population, prepregnancy, supply
from jisheng.reports.forms.tables import FormTable

# program code → (units, amount) of the seed's 2013 report; 升学加分 is persons, no money.
SEED_2013 = {
    "独生子女父母奖励": (1196, Decimal("143520.00")),  # 独生子女家庭奖励金 14.3 万余元
    "双女绝育家庭奖励（历史）": (72, Decimal("86400.00")),  # 8.6 万余元
    "晚婚晚育奖励（历史）": (258, Decimal("77400.00")),  # 7.7 万余元
    "终生只要一女孩家庭奖励（历史）": (107, Decimal("64200.00")),  # 6.4 万余元
    "放弃二孩生育家庭重奖（历史）": (8, Decimal("24000.00")),  # 重奖 8 户 × 3,000 元
    "升学加分核实": (130, None),  # 升学加分核实 130 人
}


def totals(table: FormTable) -> dict[str, object]:
    return {
        column.key: cell.value for column, cell in zip(table.columns, table.grid()[-1], strict=True)
    }


def by_program(table: FormTable) -> dict[str, tuple[object, object]]:
    values = totals(table)
    found: dict[str, tuple[object, object]] = {}
    for column in table.columns:
        if column.key.endswith("_units"):
            amount_key = column.key.replace("_units", "_amount")
            found[column.group] = (values[column.key], values.get(amount_key))
    return found


@pytest.mark.django_db
def test_the_demo_forms_match_direct_counts_and_the_2013_benefits_the_seed(
    demo_instance: None,
) -> None:
    staff = User.objects.get(username="demo_street")
    today = timezone.localdate()

    # Benefits 2013, line by line as the seed reports them, for staff and the leader alike.
    year_2013 = report_period(PeriodKind.YEAR, 2013)
    for username in ("demo_street", "demo_leader", "demo_district"):
        table = benefits(User.objects.get(username=username), year_2013)
        assert by_program(table) == SEED_2013, username
    client = Client()
    client.force_login(staff)
    response = client.get("/reports/forms/benefits/xlsx/", {"kind": "year", "year": "2013"})
    rows = [
        list(row)
        for row in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    ]
    header = next(row for row in rows if row[0] == "社区")
    total = rows[-1]
    assert total[0] == "合计"
    cells = dict(zip(header, total, strict=True))
    assert cells["独生子女父母奖励 · 金额（元）"] == 143520
    assert cells["放弃二孩生育家庭重奖（历史） · 户数"] == 8
    assert cells["升学加分核实 · 人数"] == 130
    # No grand total: each program is its own line.
    assert not any("总计" in str(title) for title in header)
    assert len(total) == 1 + 2 * 5 + 1  # five programs paid money, one counted persons

    # This year so far: every form's total row against direct counts.
    year = report_period(PeriodKind.YEAR, today.year)
    people = population(staff, year, today=today)
    assert totals(people)["residents"] == Person.objects.filter(status="living").count()
    assert (
        totals(people)["births"]
        == LifeEvent.objects.filter(
            kind="birth", date__year=today.year, reversed_by__isnull=True
        ).count()
    )

    issued = StockMove.objects.filter(
        kind__in=sorted(ISSUE_KINDS), occurred_on__year=today.year, reversed_by__isnull=True
    )
    stock = totals(supply(staff, year))
    for category in ("oral", "condom", "emergency"):
        direct = issued.filter(lot__product__category=category).aggregate(n=Sum("quantity"))["n"]
        assert stock[f"issued_{category}"] == -(direct or 0), category
    assert stock["users"] == (
        RosterEntry.objects.filter(start_date__lte=year.end)
        .filter(Q(stop_date__isnull=True) | Q(stop_date__gt=year.end))
        .values("person")
        .distinct()
        .count()
    )
    assert stock["points"] == DistributionPoint.objects.filter(is_active=True).count()
    assert stock["issued_condom"] > 0  # the demo hands some out: the check is not vacuous

    checks = totals(prepregnancy(staff, year))
    targets = checked = examined = 0
    for couple in TargetCouple.objects.filter(entered_on__year=today.year):
        seen = Checkup.objects.filter(couple=couple, date__lte=year.end)
        served = (couple.closed_on and couple.closed_on > year.end) or (
            couple.closed_on is None and couple.state not in rules.CLOSED_STATES
        )
        if not (served or seen.exists()):
            continue
        targets += 1
        checked += seen.values("spouse").distinct().count() > 0
        examined += seen.count()
    assert (checks["targets"], checks["checked"], checks["examined"]) == (
        targets,
        checked,
        examined,
    )
    assert checks["checked"] == checks["checked_both"] + checks["checked_one"]
    assert targets > 0
    # The leader counts the same couples without reading a single checkup.
    leader_checks = totals(prepregnancy(User.objects.get(username="demo_leader"), year))
    assert leader_checks["targets"] == targets
