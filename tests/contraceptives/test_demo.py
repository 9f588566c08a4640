"""Demo seeding: a believable, consistent ledger for the demo street."""

from __future__ import annotations

import random

import pytest
from django.db.models import Sum
from django.utils import timezone

from jisheng.contraceptives.demo import demo_seed
from jisheng.contraceptives.models import (
    Consultation,
    DistributionPoint,
    MaterialHandout,
    MoveKind,
    RosterEntry,
    StockBalance,
    StockMove,
)
from jisheng.contraceptives.selectors.alerts import stock_alerts
from jisheng.core.models import OrgUnit


@pytest.mark.django_db
def test_demo_seed_builds_eleven_points_a_consistent_year_and_seeds_once(
    demo_instance: None,
) -> None:
    # Eleven, not twenty-two: seed_demo ran this module's seeder once.
    assert DistributionPoint.objects.count() == 11
    kinds = sorted(DistributionPoint.objects.values_list("kind", flat=True))
    assert kinds.count("store") == 1
    assert kinds.count("machine") == 2
    for balance in StockBalance.objects.all():
        total = StockMove.objects.filter(point=balance.point, lot=balance.lot).aggregate(
            total=Sum("quantity")
        )["total"]
        assert balance.quantity == total >= 0
    kinds_used = set(StockMove.objects.values_list("kind", flat=True))
    assert {
        MoveKind.RECEIPT,
        MoveKind.TRANSFER_OUT,
        MoveKind.TRANSFER_IN,
        MoveKind.ISSUE,
        MoveKind.ANONYMOUS_ISSUE,
        MoveKind.LOSS,
    } <= kinds_used
    issued_people = set(
        StockMove.objects.filter(kind=MoveKind.ISSUE).values_list("person_id", flat=True)
    )
    assert issued_people <= set(RosterEntry.objects.values_list("person_id", flat=True))
    assert RosterEntry.objects.count() > 50
    assert Consultation.objects.aggregate(n=Sum("people"))["n"] > 100
    assert MaterialHandout.objects.aggregate(n=Sum("quantity"))["n"] > 500
    alerts = stock_alerts(DistributionPoint.objects.all(), today=timezone.localdate())
    assert alerts.expiring or alerts.expired

    # Called again (the demo command already did), it leaves the street as it is.
    tables = (DistributionPoint, StockMove, StockBalance, RosterEntry, Consultation)
    before = [model.objects.count() for model in tables]
    demo_seed(
        street=OrgUnit.objects.get(code="370404002"),
        today=timezone.localdate(),
        rng=random.Random(6),
    )
    assert [model.objects.count() for model in tables] == before
