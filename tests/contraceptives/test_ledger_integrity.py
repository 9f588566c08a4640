"""The ledger is append-only and balances never go negative — refused by the code and, should
the code ever be bypassed, by the database itself (triggers and check constraints)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError

from jisheng.contraceptives.models import MoveKind, StockBalance, StockMove


def test_a_move_cannot_be_saved_again_or_deleted(point, receive) -> None:
    move = receive(point, 5)
    move.quantity = 50
    with pytest.raises(PermissionError):
        move.save()
    with pytest.raises(PermissionError):
        move.delete()
    with pytest.raises(PermissionError):
        StockMove.objects.filter(pk=move.pk).update(quantity=50)
    with pytest.raises(PermissionError):
        StockMove.objects.filter(pk=move.pk).delete()


def test_the_database_refuses_to_rewrite_a_move(point, receive) -> None:
    move = receive(point, 5)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE contraceptives_stockmove SET quantity = 50 WHERE id = %s", [move.pk])
    assert StockMove.objects.get(pk=move.pk).quantity == 5


def test_the_database_refuses_a_negative_balance(point, receive) -> None:
    move = receive(point, 5)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(point=point, lot=move.lot).update(quantity=-1)
    assert StockBalance.objects.get(point=point, lot=move.lot).quantity == 5


def test_the_database_refuses_a_move_with_the_wrong_sign(point, receive) -> None:
    lot = receive(point, 5).lot
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMove.objects.create(
            point=point,
            lot=lot,
            kind=MoveKind.RECEIPT,
            quantity=-5,
            reason="other",
            occurred_on=lot.created_at.date(),
        )


def test_the_database_refuses_an_issue_without_a_person(point, receive) -> None:
    lot = receive(point, 5).lot
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMove.objects.create(
            point=point,
            lot=lot,
            kind=MoveKind.ISSUE,
            quantity=-1,
            reason="user_supply",
            occurred_on=lot.created_at.date(),
        )


def test_balances_equal_the_sum_of_their_moves(
    store, point, receive, street_actor, make_facts
) -> None:
    from django.db.models import Sum

    from jisheng.contraceptives.services import moves

    lot = receive(store, 40).lot
    moves.stock_transfer(
        actor=street_actor,
        source=store,
        destination=point,
        lot=lot,
        quantity=15,
        facts=make_facts(),
    )
    loss = moves.stock_loss(
        actor=street_actor, point=point, lot=lot, quantity=2, facts=make_facts()
    )
    moves.move_reverse(actor=street_actor, move=loss[0], facts=make_facts())
    for balance in StockBalance.objects.all():
        total = StockMove.objects.filter(point=balance.point, lot=balance.lot).aggregate(
            total=Sum("quantity")
        )["total"]
        assert balance.quantity == total
