"""Demo seeding: inflow and outflow records, a complex with a landlord whose account is
``demo_reporter``, a confirmed and a waiting report, a stale record; seeded once."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.core.models import OrgUnit
from jisheng.migrants.demo import demo_seed
from jisheng.migrants.models import (
    MigrantRecord,
    MoveKind,
    Partner,
    PartnerReport,
    ReportState,
    ResidentialComplex,
)
from jisheng.migrants.selectors import records

pytestmark = pytest.mark.django_db


def test_demo_holds_records_partners_and_reports_and_is_seeded_once(
    demo_instance: None,
) -> None:
    assert MigrantRecord.objects.filter(kind=MoveKind.INFLOW).exists()
    assert MigrantRecord.objects.filter(kind=MoveKind.OUTFLOW).exists()
    landlord = Partner.objects.get(account__username="demo_reporter")
    assert landlord.complex == ResidentialComplex.objects.get(name="枣园小区")
    states = set(PartnerReport.objects.values_list("state", flat=True))
    assert states == {ReportState.CONFIRMED, ReportState.PENDING}
    worker = User.objects.get(username="demo_c1")
    assert records.stale(worker).exists()
    counts = (MigrantRecord.objects.count(), PartnerReport.objects.count())
    street = OrgUnit.objects.get(kind="street", is_demo=True)
    demo_seed(street=street, today=timezone.localdate(), rng=random.Random(1))
    assert (MigrantRecord.objects.count(), PartnerReport.objects.count()) == counts
