"""The demo records: believable, consistent with the rules, created once."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from jisheng.core.models import OrgUnit
from jisheng.prepregnancy.demo import demo_seed
from jisheng.prepregnancy.models import (
    Checkup,
    Contact,
    CoupleSource,
    CoupleState,
    FollowUp,
    Pregnancy,
    Referral,
    TargetCouple,
)
from jisheng.prepregnancy.services.common import couple_refresh_state


@pytest.mark.django_db
def test_demo_street_gets_files_at_every_stage_with_consistent_states(
    demo_instance: None,
) -> None:
    street = OrgUnit.objects.get(kind="street", is_demo=True)
    demo_seed(street=street, today=timezone.localdate(), rng=random.Random(7))

    couples = TargetCouple.objects.all()
    assert couples.filter(source=CoupleSource.NEW_MARRIAGE).count() >= 10
    assert couples.filter(source=CoupleSource.PLANNING).exists()
    states = set(couples.values_list("state", flat=True))
    assert {CoupleState.TO_NOTIFY, CoupleState.BOTH_CHECKED} <= states
    assert Contact.objects.exists()
    assert Checkup.objects.exists()
    assert Referral.objects.count() == Checkup.objects.filter(risk_level="high").count()
    assert Pregnancy.objects.exists()
    assert FollowUp.objects.exists()
    # Every stored state is the one the services would compute from the records.
    assert not any(couple_refresh_state(couple) for couple in couples)
    # Health fields read back (they were encrypted on the way in).
    assert Checkup.objects.first().results.startswith("{")  # type: ignore[union-attr]

    before = couples.count()
    demo_seed(street=street, today=timezone.localdate(), rng=random.Random(8))
    assert TargetCouple.objects.count() == before
