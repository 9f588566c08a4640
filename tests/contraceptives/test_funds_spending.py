"""A bought receipt's cost reaches the funds ledger once; its reversal nets it out; stock
supplied free (no unit price) spends nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from jisheng.contraceptives.services import moves
from jisheng.contraceptives.services.balances import MoveFacts
from jisheng.core.errors import JishengError
from jisheng.funds.models import Entry


def _receive(street_actor, store, pill, *, price: str | None, quantity: int = 100):
    today = timezone.localdate()
    return moves.stock_receive(
        actor=street_actor,
        point=store,
        product=pill,
        lot_number="F2026-01",
        expiry_date=today + dt.timedelta(days=720),
        quantity=quantity,
        facts=MoveFacts(occurred_on=today, document_number="购-2026-01"),
        unit_price=price,
    )[0]


def test_a_bought_receipt_spends_price_times_quantity_once(street_actor, store, pill) -> None:
    receipt = _receive(street_actor, store, pill, price="1.25")
    assert receipt.unit_price == Decimal("1.25")
    entry = Entry.objects.get(source="contraceptives.receipt", source_id=receipt.pk)
    assert entry.amount == Decimal("125.00")
    assert entry.category.code == "contraceptives"
    assert entry.level == "street"
    assert entry.org_unit_id == store.org_unit_id
    assert entry.record_view == "contraceptives:stock_card"


def test_a_free_receipt_spends_nothing(street_actor, store, pill) -> None:
    _receive(street_actor, store, pill, price=None)
    assert not Entry.objects.filter(source="contraceptives.receipt").exists()


def test_a_reversed_receipt_nets_to_zero(street_actor, store, pill) -> None:
    receipt = _receive(street_actor, store, pill, price="2.00", quantity=10)
    moves.move_reverse(
        actor=street_actor,
        move=receipt,
        facts=MoveFacts(occurred_on=timezone.localdate(), reason="entry_error"),
    )
    entries = Entry.objects.filter(source="contraceptives.receipt", source_id=receipt.pk)
    assert entries.count() == 2
    assert entries.aggregate(total=Sum("amount"))["total"] == Decimal("0.00")


@pytest.mark.parametrize("price", ["-1", "1.005", "abc", "100000000"])
def test_a_bad_unit_price_is_refused(street_actor, store, pill, price) -> None:
    with pytest.raises(JishengError):
        _receive(street_actor, store, pill, price=price)
    assert not Entry.objects.exists()
