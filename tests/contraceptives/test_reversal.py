"""A wrong move is cancelled by a reversing move that names it, once."""

from __future__ import annotations

import pytest

from jisheng.contraceptives.models import MoveKind, StockBalance, StockMove
from jisheng.contraceptives.services import moves
from jisheng.core.errors import Conflict, Forbidden


def on_hand(point, lot) -> int:
    return StockBalance.objects.get(point=point, lot=lot).quantity


def test_reversing_an_issue_puts_the_stock_back_and_names_the_issue(
    point, receive, worker_actor, make_person, make_facts
) -> None:
    lot = receive(point, 10).lot
    issue = moves.stock_issue(
        actor=worker_actor,
        point=point,
        lot=lot,
        quantity=4,
        person=make_person(sex="F"),
        facts=make_facts(),
    )[0]
    (reversal,) = moves.move_reverse(
        actor=worker_actor, move=issue, facts=make_facts(note="发错了人")
    )
    assert (reversal.kind, reversal.quantity, reversal.reverses) == (MoveKind.REVERSAL, 4, issue)
    assert reversal.reason == "entry_error"
    assert on_hand(point, lot) == 10
    assert StockMove.objects.filter(pk=issue.pk).exists()  # the original stays on the card


def test_a_move_is_reversed_only_once(point, receive, worker_actor, make_facts) -> None:
    move = moves.stock_loss(
        actor=worker_actor, point=point, lot=receive(point, 5).lot, quantity=1, facts=make_facts()
    )[0]
    moves.move_reverse(actor=worker_actor, move=move, facts=make_facts())
    with pytest.raises(Conflict) as refused:
        moves.move_reverse(actor=worker_actor, move=move, facts=make_facts())
    assert refused.value.code == "already_reversed"


def test_a_reversal_cannot_itself_be_reversed(point, receive, worker_actor, make_facts) -> None:
    move = moves.stock_loss(
        actor=worker_actor, point=point, lot=receive(point, 5).lot, quantity=1, facts=make_facts()
    )[0]
    (reversal,) = moves.move_reverse(actor=worker_actor, move=move, facts=make_facts())
    with pytest.raises(Conflict) as refused:
        moves.move_reverse(actor=worker_actor, move=reversal, facts=make_facts())
    assert refused.value.code == "reversal_of_reversal"


def test_reversing_a_receipt_whose_stock_was_handed_out_is_refused(
    point, receive, worker_actor, make_facts
) -> None:
    receipt = receive(point, 5)
    moves.stock_issue_anonymous(
        actor=worker_actor, point=point, lot=receipt.lot, quantity=3, facts=make_facts()
    )
    with pytest.raises(Conflict) as refused:
        moves.move_reverse(actor=worker_actor, move=receipt, facts=make_facts())
    assert refused.value.code == "insufficient_stock"
    assert on_hand(point, receipt.lot) == 2


def test_reversing_either_leg_reverses_the_whole_transfer(
    store, point, receive, street_actor, make_facts
) -> None:
    lot = receive(store, 20).lot
    _out, in_leg = moves.stock_transfer(
        actor=street_actor, source=store, destination=point, lot=lot, quantity=8, facts=make_facts()
    )
    reversals = moves.move_reverse(actor=street_actor, move=in_leg, facts=make_facts())
    assert sorted(r.quantity for r in reversals) == [-8, 8]
    assert {r.reverses.kind for r in reversals} == {MoveKind.TRANSFER_OUT, MoveKind.TRANSFER_IN}
    assert (on_hand(store, lot), on_hand(point, lot)) == (20, 0)


def test_only_the_sending_side_reverses_a_transfer(
    store, point, receive, street_actor, worker_actor, make_facts
) -> None:
    lot = receive(store, 20).lot
    _out, in_leg = moves.stock_transfer(
        actor=street_actor, source=store, destination=point, lot=lot, quantity=8, facts=make_facts()
    )
    with pytest.raises(Forbidden):
        moves.move_reverse(actor=worker_actor, move=in_leg, facts=make_facts())
    assert on_hand(point, lot) == 8
