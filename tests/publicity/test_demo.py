"""Demo seeding: three years of publicity with the seed's named events, seeded once."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.core.models import OrgUnit
from jisheng.publicity.demo import demo_seed
from jisheng.publicity.models import Activity, ActivityKind, Asset, CostEntry, Training
from jisheng.publicity.selectors import coverage_for

pytestmark = pytest.mark.django_db


def test_demo_holds_the_named_events_and_is_seeded_once(demo_instance: None) -> None:
    today = timezone.localdate()
    years = {day.year for day in Activity.objects.values_list("date", flat=True)}
    assert len(years) == 3
    for kind in (
        ActivityKind.SQUARE_PERFORMANCE,
        ActivityKind.CARE_FOR_GIRLS,
        ActivityKind.ARTS_TO_VILLAGES,
    ):
        assert Activity.objects.filter(kind=kind).exists(), kind
    last_year = today.year - 1
    assert Training.objects.filter(start_date__year=last_year).count() == 2  # 专题培训班2期
    assert Training.objects.filter(topic__contains="专题培训班").exists()
    # Every cost is on an entry, so the ledger can receive each once.
    assert sum(CostEntry.objects.values_list("amount", flat=True)) == sum(
        Activity.objects.values_list("cost", flat=True)
    ) + sum(Training.objects.values_list("cost", flat=True))
    assets = Asset.objects.count()
    street = OrgUnit.objects.get(kind="street", is_demo=True)
    demo_seed(street=street, today=today, rng=random.Random(1))
    assert Asset.objects.count() == assets


def test_demo_coverage_has_communities_with_all_five(demo_instance: None) -> None:
    leader = User.objects.get(username="demo_leader")
    found = coverage_for(leader, timezone.localdate().year - 1)
    assert found.complete_five_ones > 0
    assert found.communities_covered == len(found.rows)
