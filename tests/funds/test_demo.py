"""The demo street's funds reproduce the seed: 2013年以来共投入计生经费374万元 = 奖励扶助金
195万 + 服务站建设、城区管理、打击两非 49万 + 宣传、免费孕检 90万 + 清理清查 40万."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jisheng.accounts.models import User
from jisheng.funds.demo import SEED_GROUPS, SEED_TOTAL
from jisheng.funds.models import Voucher
from jisheng.funds.selectors import execution_report


@pytest.mark.django_db
def test_the_2013_2014_report_reproduces_the_seeds_374_wan(client, demo_instance) -> None:
    for username in ("demo_street", "demo_leader"):
        report = execution_report(
            User.objects.get(username=username), first_year=2013, last_year=2014
        )
        spent = {row.category.code: row.total.spent for row in report.by_category}
        for codes, amount in SEED_GROUPS.values():
            assert sum(spent.get(code, Decimal(0)) for code in codes) == Decimal(amount)
        assert report.total.spent == Decimal(SEED_TOTAL)
        assert [y.steady for y in report.years][1] is True  # 2014 grew on 2013
    assert Voucher.objects.filter(summary=True).exists()
    assert not Voucher.objects.filter(summary=False).exists()
    street = User.objects.get(username="demo_street")
    client.force_login(street)
    page = client.get("/funds/?first=2013&last=2014").content.decode()
    assert "3740000.00" in page
