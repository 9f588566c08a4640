"""A point's page: the units handed out this year and the products that have a card there,
read from the months kept with the ledger and the balances."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from jisheng.contraceptives.selectors import stock
from jisheng.contraceptives.services import moves


def test_handed_out_this_year_counts_the_points_issues_net_of_those_reversed(
    point,
    store,
    receive,
    worker,
    worker_actor,
    street_actor,
    make_person,
    make_facts,
    today,
    client_for,
) -> None:
    lot = receive(point, 100).lot
    last_year = today.replace(month=1, day=1) - dt.timedelta(days=1)
    person = make_person(sex="F")

    def issue(quantity: int, *, on: dt.date = today, named: bool = False):
        if named:
            return moves.stock_issue(
                actor=worker_actor,
                point=point,
                lot=lot,
                quantity=quantity,
                person=person,
                facts=make_facts(occurred_on=on),
            )[0]
        return moves.stock_issue_anonymous(
            actor=worker_actor,
            point=point,
            lot=lot,
            quantity=quantity,
            facts=make_facts(occurred_on=on),
        )[0]

    issue(3, named=True)
    issue(5)
    cancelled = issue(7)
    # Reversed before the day it cancels: the issue still does not count.
    moves.move_reverse(actor=worker_actor, move=cancelled, facts=make_facts(occurred_on=last_year))
    old = issue(11, on=last_year)
    moves.move_reverse(actor=worker_actor, move=old, facts=make_facts())  # not this year's
    issue(13, on=last_year)
    moves.stock_loss(actor=worker_actor, point=point, lot=lot, quantity=1, facts=make_facts())
    elsewhere = receive(store, 50).lot
    moves.stock_issue_anonymous(
        actor=street_actor, point=store, lot=elsewhere, quantity=17, facts=make_facts()
    )

    assert stock.issue_total(worker, point) == 3 + 5
    assert stock.issue_total(worker, point, year=last_year.year) == 13
    page = client_for(worker).get(reverse("contraceptives:point_detail", args=[point.pk]))
    assert 'data-testid="issued-this-year">8<' in page.content.decode()


def test_a_product_has_a_card_at_the_point_once_moved_there_even_if_now_at_zero(
    point, store, receive, worker, worker_actor, condom, pill, make_facts
) -> None:
    lot = receive(point, 4).lot
    moves.stock_issue_anonymous(
        actor=worker_actor, point=point, lot=lot, quantity=4, facts=make_facts()
    )
    receive(store, 9, product=condom)  # at another point only

    assert list(stock.card_products(worker, point)) == [pill]
    assert list(stock.card_products(worker, point).filter(pk=condom.pk)) == []
