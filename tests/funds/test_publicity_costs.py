"""Publicity costs reach the real ledger: once per cost entry, a correction as reversal plus
the new amount, the entry linked back to its activity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.funds.models import Entry
from jisheng.publicity.services import activity_cost_correct, activity_record


def test_an_activity_cost_lands_once_and_a_correction_nets(org, make_user) -> None:
    worker = Actor(user=make_user(Role.COMMUNITY_WORKER))
    activity = activity_record(
        actor=worker,
        org_unit=org.c1,
        date=dt.date(2026, 3, 8),
        kind="lecture",
        title="关爱女孩讲座",
        organiser="社区",
        audience=40,
        cost="800",
    )
    entries = Entry.objects.filter(source="publicity.activity")
    assert [(e.amount, e.category.code, e.level, e.year) for e in entries] == [
        (Decimal("800.00"), "publicity", "community", 2026)
    ]
    assert (entries[0].record_view, entries[0].record_id) == (
        "publicity:activity_detail",
        activity.pk,
    )

    activity_cost_correct(actor=worker, activity=activity, cost="650")
    activity_cost_correct(actor=worker, activity=activity, cost="650")  # unchanged: nothing

    amounts = sorted(e.amount for e in Entry.objects.filter(source="publicity.activity"))
    assert amounts == [Decimal("-800.00"), Decimal("650.00"), Decimal("800.00")]
    assert sum(amounts) == Decimal("650.00")
