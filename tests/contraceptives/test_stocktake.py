"""Stocktake: a draft compared line by line with the card, posted as adjustments with reasons;
afterwards the card equals the count."""

from __future__ import annotations

import pytest

from jisheng.contraceptives.models import MoveKind, StockBalance, StockCount
from jisheng.contraceptives.selectors.stock import count_rows, stock_card
from jisheng.contraceptives.services import moves, stocktake
from jisheng.contraceptives.services.stocktake import LineEntry
from jisheng.core.errors import Conflict, JishengError


def entries(count: StockCount, counted: dict[str, int], reasons: dict[str, str] | None = None):
    reasons = reasons or {}
    return [
        LineEntry(
            line_id=line.pk,
            counted=counted.get(line.lot.number),
            reason=reasons.get(line.lot.number, ""),
        )
        for line in count.lines.select_related("lot")
    ]


def test_a_count_lists_every_lot_held_and_not_those_at_zero(
    point, receive, worker_actor, today, condom, make_facts
) -> None:
    a = receive(point, 10, lot_number="A").lot
    b = receive(point, 5, lot_number="B", product=condom).lot
    empty = receive(point, 3, lot_number="C").lot
    moves.stock_loss(actor=worker_actor, point=point, lot=empty, quantity=3, facts=make_facts())
    count = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    assert {line.lot for line in count.lines.all()} == {a, b}
    assert {row.line.lot.number: row.on_card for row in count_rows(count)} == {"A": 10, "B": 5}


def test_posting_a_count_with_a_discrepancy_makes_card_and_count_agree(
    point, receive, worker_actor, today
) -> None:
    a = receive(point, 10, lot_number="A").lot
    b = receive(point, 6, lot_number="B").lot
    count = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    posted = stocktake.stock_count_post(
        actor=worker_actor,
        count=count,
        entries=entries(count, {"A": 9, "B": 6}, {"A": "lost"}),
    )
    assert [(m.kind, m.lot, m.quantity, m.reason) for m in posted] == [
        (MoveKind.ADJUSTMENT, a, -1, "lost")
    ]
    assert posted[0].stock_count == count
    count.refresh_from_db()
    assert count.state == StockCount.State.POSTED
    for lot, counted in ((a, 9), (b, 6)):
        assert StockBalance.objects.get(point=point, lot=lot).quantity == counted
        assert (
            stock_card(user=worker_actor.user, point=point, product=lot.product, lot=lot).balance
            == counted
        )
    assert {row.line.lot.number: (row.on_card, row.difference) for row in count_rows(count)} == {
        "A": (10, -1),
        "B": (6, 0),
    }


def test_a_surplus_found_at_the_count_is_booked_in(point, receive, worker_actor, today) -> None:
    a = receive(point, 4, lot_number="A").lot
    count = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    stocktake.stock_count_post(
        actor=worker_actor, count=count, entries=entries(count, {"A": 6}, {"A": "found"})
    )
    assert StockBalance.objects.get(point=point, lot=a).quantity == 6


def test_a_lot_missing_from_the_card_can_be_added_and_counted(
    store, point, receive, worker_actor, today
) -> None:
    elsewhere = receive(store, 5, lot_number="Z").lot
    count = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    assert count.lines.count() == 0
    stocktake.stock_count_add_lot(actor=worker_actor, count=count, lot=elsewhere)
    with pytest.raises(Conflict):
        stocktake.stock_count_add_lot(actor=worker_actor, count=count, lot=elsewhere)
    stocktake.stock_count_post(
        actor=worker_actor, count=count, entries=entries(count, {"Z": 2}, {"Z": "found"})
    )
    assert StockBalance.objects.get(point=point, lot=elsewhere).quantity == 2


def test_an_unexplained_difference_is_refused_and_nothing_is_posted(
    point, receive, worker_actor, today
) -> None:
    a = receive(point, 10, lot_number="A").lot
    count = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    with pytest.raises(JishengError) as refused:
        stocktake.stock_count_post(
            actor=worker_actor, count=count, entries=entries(count, {"A": 7})
        )
    assert refused.value.code == "unexplained"
    assert "A" in str(refused.value.message)
    assert StockBalance.objects.get(point=point, lot=a).quantity == 10
    count.refresh_from_db()
    assert count.state == StockCount.State.DRAFT


def test_every_line_must_be_counted_before_posting(point, receive, worker_actor, today) -> None:
    receive(point, 10, lot_number="A")
    receive(point, 10, lot_number="B")
    count = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    with pytest.raises(JishengError) as refused:
        stocktake.stock_count_post(
            actor=worker_actor, count=count, entries=entries(count, {"A": 10})
        )
    assert refused.value.code == "uncounted"


def test_saved_counts_are_kept_for_later(point, receive, worker_actor, today) -> None:
    receive(point, 10, lot_number="A")
    count = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    stocktake.stock_count_save(
        actor=worker_actor, count=count, entries=entries(count, {"A": 8}, {"A": "damaged"})
    )
    line = count.lines.get()
    assert (line.counted, line.reason) == (8, "damaged")
    assert count_rows(count)[0].difference == -2


def test_a_line_counted_at_posting_is_compared_with_the_card_at_that_moment(
    point, receive, worker_actor, today, make_facts
) -> None:
    a = receive(point, 10, lot_number="A").lot
    count = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    moves.stock_issue_anonymous(
        actor=worker_actor, point=point, lot=a, quantity=3, facts=make_facts()
    )
    posted = stocktake.stock_count_post(
        actor=worker_actor, count=count, entries=entries(count, {"A": 7})
    )
    assert posted == []
    assert StockBalance.objects.get(point=point, lot=a).quantity == 7


def test_an_issue_between_counting_and_posting_makes_no_phantom_surplus(
    point, receive, worker_actor, today, make_facts
) -> None:
    a = receive(point, 10, lot_number="A").lot
    count = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    stocktake.stock_count_save(actor=worker_actor, count=count, entries=entries(count, {"A": 10}))
    moves.stock_issue_anonymous(
        actor=worker_actor, point=point, lot=a, quantity=3, facts=make_facts()
    )
    (row,) = count_rows(count)
    assert (row.on_card, row.now, row.difference) == (10, 7, 0)
    # The same form saved again (the count unchanged) keeps what the line was counted against.
    stocktake.stock_count_save(actor=worker_actor, count=count, entries=entries(count, {"A": 10}))
    posted = stocktake.stock_count_post(
        actor=worker_actor, count=count, entries=entries(count, {"A": 10})
    )
    assert posted == []
    assert StockBalance.objects.get(point=point, lot=a).quantity == 7
    count.refresh_from_db()
    assert count.state == StockCount.State.POSTED
    assert [(r.on_card, r.difference) for r in count_rows(count)] == [(10, 0)]


def test_a_shortage_counted_before_later_moves_is_booked_against_the_snapshot(
    point, receive, worker_actor, today, make_facts
) -> None:
    a = receive(point, 10, lot_number="A").lot
    count = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    stocktake.stock_count_save(
        actor=worker_actor, count=count, entries=entries(count, {"A": 9}, {"A": "lost"})
    )
    moves.stock_issue_anonymous(
        actor=worker_actor, point=point, lot=a, quantity=3, facts=make_facts()
    )
    receive(point, 5, lot_number="A")  # a delivery of the same lot after counting
    (adjustment,) = stocktake.stock_count_post(actor=worker_actor, count=count)
    assert (adjustment.quantity, adjustment.reason) == (-1, "lost")
    # Card = balance at posting (10 - 3 + 5) + (counted - snapshot) (9 - 10).
    assert StockBalance.objects.get(point=point, lot=a).quantity == 11


def test_changing_a_count_takes_a_new_snapshot(
    point, receive, worker_actor, today, make_facts
) -> None:
    a = receive(point, 10, lot_number="A").lot
    count = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    stocktake.stock_count_save(actor=worker_actor, count=count, entries=entries(count, {"A": 10}))
    moves.stock_loss(actor=worker_actor, point=point, lot=a, quantity=2, facts=make_facts())
    stocktake.stock_count_save(
        actor=worker_actor, count=count, entries=entries(count, {"A": 7}, {"A": "lost"})
    )
    assert count.lines.get().on_card == 8
    stocktake.stock_count_save(actor=worker_actor, count=count, entries=entries(count, {}))
    assert count.lines.get().on_card is None
    (row,) = count_rows(count)
    assert (row.on_card, row.difference) == (8, None)


def test_one_count_at_a_time_per_point(point, receive, worker_actor, today) -> None:
    stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    with pytest.raises(Conflict) as refused:
        stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    assert refused.value.code == "count_in_progress"


def test_a_posted_or_cancelled_count_is_closed(point, receive, worker_actor, today) -> None:
    receive(point, 1, lot_number="A")
    count = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    stocktake.stock_count_post(actor=worker_actor, count=count, entries=entries(count, {"A": 1}))
    with pytest.raises(Conflict):
        stocktake.stock_count_post(actor=worker_actor, count=count)
    second = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    stocktake.stock_count_cancel(actor=worker_actor, count=second)
    with pytest.raises(Conflict):
        stocktake.stock_count_save(actor=worker_actor, count=second, entries=[])
    stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
