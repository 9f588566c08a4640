"""The ledger: each spending recorded once, on its budget line, flagged when beyond it or
without one; entries never change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum

from jisheng.core.errors import JishengError
from jisheng.core.spending import by_shares
from jisheng.funds import services
from jisheng.funds.models import Entry


def test_the_same_spending_handed_over_twice_is_recorded_once(spend) -> None:
    spend("100.00", source_id=7)
    spend("100.00", source_id=7)
    assert Entry.objects.filter(source="test.source", source_id=7).count() == 1


def test_a_reversal_is_a_negative_entry_and_nets_to_zero(spend) -> None:
    spend("250.50", source_id=3)
    spend("-250.50", source_id=3, reverses=True)
    spend("-250.50", source_id=3, reverses=True)  # a retried reversal
    entries = Entry.objects.filter(source_id=3)
    assert entries.count() == 2
    assert entries.aggregate(total=Sum("amount"))["total"] == Decimal("0.00")


def test_spending_finds_its_line_or_the_enclosing_units_line(
    spend, staff_actor, org, category
) -> None:
    line = services.budget_set(
        actor=staff_actor,
        year=2014,
        level="street",
        category=category("publicity"),
        org_unit=org.street,
        amount="1000",
    )
    spend("100.00", source_id=1, unit=org.c1)  # a community's spending on the street's line
    entry = Entry.objects.get(source_id=1)
    assert entry.budget_line == line
    assert not entry.over_budget
    assert not entry.no_budget_line


def test_spending_beyond_the_line_is_flagged_not_refused(spend, staff_actor, org, category) -> None:
    services.budget_set(
        actor=staff_actor,
        year=2014,
        level="street",
        category=category("publicity"),
        org_unit=org.street,
        amount="150.00",
    )
    spend("100.00", source_id=1)
    spend("100.00", source_id=2)
    first, second = Entry.objects.order_by("pk")
    assert not first.over_budget
    assert second.over_budget


def test_spending_without_a_line_is_recorded_and_flagged(spend) -> None:
    spend("80.00", source_id=9, level="community", code="training")
    entry = Entry.objects.get(source_id=9)
    assert entry.no_budget_line
    assert entry.amount == Decimal("80.00")


def test_an_unknown_category_is_recorded_as_other(spend) -> None:
    spend("5.00", source_id=4, code="no-such-category")
    assert Entry.objects.get(source_id=4).category.code == "other"


def test_entries_are_never_rewritten_or_deleted(spend) -> None:
    spend("10.00")
    entry = Entry.objects.get()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        Entry.objects.all().update(amount=1)
    # The database itself refuses, whatever the code does.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE funds_entry SET amount = 1")


def test_by_shares_sums_exactly_to_the_amount() -> None:
    parts = by_shares(Decimal("100.00"), {"district": 33, "street": 33, "community": 34})
    assert parts == [
        ("district", Decimal("33.00")),
        ("street", Decimal("33.00")),
        ("community", Decimal("34.00")),
    ]
    odd = by_shares(Decimal("0.10"), {"central": 1, "district": 1, "street": 1})
    assert sum(amount for _level, amount in odd) == Decimal("0.10")
    assert by_shares(Decimal("7.00"), {}) == [("street", Decimal("7.00"))]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-1", "不能为负"),
        ("10000000000", "10,000,000,000"),
        ("1.005", "两位小数"),
        ("abc", "金额"),
        ("NaN", "金额"),
    ],
)
def test_budget_amounts_are_checked(staff_actor, org, category, amount, message) -> None:
    with pytest.raises(JishengError) as refused:
        services.budget_set(
            actor=staff_actor,
            year=2014,
            level="street",
            category=category("census"),
            org_unit=org.street,
            amount=amount,
        )
    assert message in str(refused.value.message)


def test_a_community_line_belongs_to_a_community(staff_actor, org, category) -> None:
    with pytest.raises(JishengError):
        services.budget_set(
            actor=staff_actor,
            year=2014,
            level="community",
            category=category("census"),
            org_unit=org.street,
            amount="10",
        )
    line = services.budget_set(
        actor=staff_actor,
        year=2014,
        level="community",
        category=category("census"),
        org_unit=org.c1,
        amount="10",
    )
    again = services.budget_set(
        actor=staff_actor,
        year=2014,
        level="community",
        category=category("census"),
        org_unit=org.c1,
        amount="12.50",
    )
    assert again.pk == line.pk
    assert again.amount == Decimal("12.50")


def test_a_budget_for_a_far_year_is_refused(staff_actor, org, category) -> None:
    with pytest.raises(JishengError):
        services.budget_set(
            actor=staff_actor,
            year=1999,
            level="street",
            category=category("census"),
            org_unit=org.street,
            amount="10",
            today=dt.date(2026, 1, 1),
        )
