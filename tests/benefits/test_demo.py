"""The demo street's benefits: its 2013 history, imported from workbooks, reproduces the seed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from jisheng.accounts.models import User
from jisheng.benefits.models import Entitlement, PaymentBatch, Program
from jisheng.benefits.selectors import program_year_totals


@pytest.mark.django_db
def test_the_2013_report_reproduces_the_seed_figures(demo_instance: None) -> None:
    street = User.objects.get(username="demo_street")
    totals: dict[str, tuple[int, Decimal]] = {}
    for row in program_year_totals(street, year=2013):
        persons, amount = totals.get(row["program__code"], (0, Decimal(0)))
        totals[row["program__code"]] = (persons + row["persons"], amount + row["amount"])
    assert totals == {
        "only-child-parents": (1196, Decimal("143520.00")),  # 14.3 万余元
        "two-daughters-reward": (72, Decimal("86400.00")),  # 8.6 万余元
        "late-marriage-reward": (258, Decimal("77400.00")),  # 7.7 万余元
        "one-girl-family-reward": (107, Decimal("64200.00")),  # 6.4 万余元
        "second-child-waiver-award": (8, Decimal("24000.00")),  # 8 户 × 3000 元
        "school-bonus-check": (130, Decimal("0.00")),  # 升学加分核实 130 人, no money
    }
    history = PaymentBatch.objects.filter(period_start__year=2013)
    assert history.count() == 6
    assert all(batch.imported_history for batch in history)
    # The ended programs took their history and stayed ended.
    assert set(
        Program.objects.filter(code__in=totals, status=Program.Status.ENDED).values_list(
            "code", flat=True
        )
    ) == {
        "two-daughters-reward",
        "late-marriage-reward",
        "one-girl-family-reward",
        "second-child-waiver-award",
    }
    client = Client()
    client.force_login(street)
    page = client.get("/benefits/reports/?year=2013")
    assert page.status_code == 200
    assert 'data-amount="143520.00"' in page.content.decode()
    # Today's work is there too: people enrolled and last year's batches approved and paid.
    assert Entitlement.objects.filter(status="active").count() > 10
    assert PaymentBatch.objects.filter(state="approved", period__regex=r"^20[2-9]\d$").exists()
