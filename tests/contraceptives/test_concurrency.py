"""Two keepers hand out the last unit at the same moment: one succeeds, the other is refused
with a clear conflict, and the balance ends at zero.

On PostgreSQL the two posts run in parallel threads, each with its own connection and
transaction. SQLite serialises writers for the whole database (and the test database is
in memory), so there the same posts run one after the other and the test checks the same
outcome: exactly one issue, one refusal, balance zero.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection

from jisheng.contraceptives.models import RosterEntry, StockBalance, StockMove
from jisheng.contraceptives.services import balances, moves
from jisheng.contraceptives.services import roster as roster_services
from jisheng.contraceptives.services.idempotency import post_once
from jisheng.core.errors import Conflict
from jisheng.core.models import IdempotencyKey


def run_twice(operation: Callable[[int], str]) -> list[str]:
    """``operation(i)`` twice: in parallel threads on PostgreSQL, one after the other elsewhere."""
    if connection.vendor != "postgresql":
        return [operation(0), operation(1)]
    results: list[str] = ["", ""]
    start = threading.Barrier(2)

    def worker(index: int) -> None:
        try:
            start.wait(timeout=10)
            results[index] = operation(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def slow_locks(monkeypatch) -> None:
    """Hold the balance locks a moment, so the other post surely arrives while they are held."""
    original = balances.lock_balances

    def held(keys):  # type: ignore[no-untyped-def]
        locked = original(keys)
        time.sleep(0.2)
        return locked

    monkeypatch.setattr(balances, "lock_balances", held)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_issues_of_the_last_unit_leave_one_refused(
    point, receive, worker_actor, make_facts, slow_locks
) -> None:
    lot = receive(point, 1).lot

    def issue(_index: int) -> str:
        try:
            moves.stock_issue_anonymous(
                actor=worker_actor, point=point, lot=lot, quantity=1, facts=make_facts()
            )
        except Conflict as refused:
            return refused.code
        return "issued"

    assert sorted(run_twice(issue)) == ["insufficient_stock", "issued"]
    assert StockBalance.objects.get(point=point, lot=lot).quantity == 0
    assert StockMove.objects.filter(point=point, lot=lot, kind="anonymous_issue").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_with_one_idempotency_key_append_once(
    point, receive, worker_actor, make_facts
) -> None:
    lot = receive(point, 10).lot

    def post(_index: int) -> str:
        posted = post_once(
            actor=worker_actor,
            key="retry-7f3a",
            request={"kind": "loss", "lot": lot.pk, "quantity": 2},
            post=lambda: moves.stock_loss(
                actor=worker_actor, point=point, lot=lot, quantity=2, facts=make_facts()
            ),
        )
        return f"{posted.moves[0].pk}"

    first, second = run_twice(post)
    assert first == second
    assert StockMove.objects.filter(kind="loss").count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert StockBalance.objects.get(point=point, lot=lot).quantity == 8


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_issues_to_one_person_both_succeed_with_one_roster_entry(
    monkeypatch, point, receive, worker_actor, make_person, make_facts
) -> None:
    """Two keepers supply a new user at the same moment from two lots (so the balance locks
    do not queue them): both read "not on the roster", both insert, one insert waits for
    the other and fails on the one-open-entry constraint, and re-reads instead of a 409."""
    woman = make_person(sex="F")
    lots = [receive(point, 5, lot_number=f"R-{i}").lot for i in range(2)]
    original = roster_services._open_entry

    def slow_read(person, method):  # type: ignore[no-untyped-def]
        found = original(person, method)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(roster_services, "_open_entry", slow_read)

    def issue(index: int) -> str:
        try:
            moves.stock_issue(
                actor=worker_actor,
                point=point,
                lot=lots[index],
                quantity=1,
                person=woman,
                facts=make_facts(),
            )
        except Conflict as refused:
            return refused.code
        return "issued"

    assert run_twice(issue) == ["issued", "issued"]
    assert StockMove.objects.filter(kind="issue", person=woman).count() == 2
    (entry,) = RosterEntry.objects.filter(person=woman)
    assert entry.first_supply_id in set(
        StockMove.objects.filter(kind="issue").values_list("pk", flat=True)
    )
