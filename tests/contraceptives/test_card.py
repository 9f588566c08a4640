"""The stock card (实物帐卡): every move in entry order with its running balance; for one
year, the balance carried forward and that year's moves."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from jisheng.contraceptives.selectors.stock import stock_card
from jisheng.contraceptives.services import moves


def test_the_card_runs_through_every_lot_and_ends_at_the_balance(
    point, receive, worker_actor, make_facts
) -> None:
    first = receive(point, 10).lot
    second = receive(point, 5).lot
    moves.stock_loss(actor=worker_actor, point=point, lot=first, quantity=3, facts=make_facts())
    card = stock_card(user=worker_actor.user, point=point, product=first.product)
    assert [row.balance for row in card.rows] == [10, 15, 12]
    assert (card.total_in, card.total_out, card.balance) == (15, 3, 12)
    assert (
        stock_card(user=worker_actor.user, point=point, product=first.product, lot=second).balance
        == 5
    )


def test_a_year_card_carries_the_earlier_balance_forward(
    point, receive, worker_actor, make_facts, today
) -> None:
    last_year = dt.date(today.year - 1, 6, 1)
    lot = receive(point, 20, on=last_year).lot
    moves.stock_loss(
        actor=worker_actor,
        point=point,
        lot=lot,
        quantity=2,
        facts=make_facts(occurred_on=last_year),
    )
    moves.stock_loss(actor=worker_actor, point=point, lot=lot, quantity=5, facts=make_facts())
    card = stock_card(user=worker_actor.user, point=point, product=lot.product, year=today.year)
    assert card.opening == 18
    assert [row.balance for row in card.rows] == [13]
    empty = stock_card(
        user=worker_actor.user, point=point, product=lot.product, year=today.year - 5
    )
    assert (empty.opening, empty.rows, empty.balance) == (0, [], 0)


def test_the_year_card_page_and_api(worker, client_for, point, receive, today) -> None:
    lot = receive(point, 20, on=dt.date(today.year - 1, 3, 1)).lot
    client = client_for(worker)
    url = reverse("contraceptives:stock_card", args=[point.pk])
    html = client.get(f"{url}?product={lot.product_id}&year={today.year}").content.decode()
    assert 'data-testid="opening-balance">20<' in html
    assert 'data-testid="card-balance">20<' in html
    assert client.get(f"{url}?product={lot.product_id}&year=99999").status_code == 200
    api = f"/api/contraceptives/points/{point.pk}/card?product_id={lot.product_id}"
    body = client.get(f"{api}&year={today.year}").json()
    assert (body["opening"], body["balance"], body["rows"]) == (20, 20, [])
    assert client.get(f"{api}&year=1900").status_code == 422
