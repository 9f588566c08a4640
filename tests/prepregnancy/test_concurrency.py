"""Two workers at once: refreshes take turns, a spouse's checkup is recorded once.

On PostgreSQL the two calls really run in parallel transactions (threads with their own
connections). SQLite serialises writers anyway, so there they run one after the other and
the same outcome is asserted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict
from jisheng.core.roles import Role
from jisheng.prepregnancy.models import Checkup, TargetCouple
from jisheng.prepregnancy.services import checkups, couples


def run_together(calls: list[Callable[[], object]]) -> list[object]:
    """Each call's result or exception; in parallel on PostgreSQL, in turn on SQLite."""
    results: list[object] = [None] * len(calls)

    def run(index: int, barrier: threading.Barrier | None) -> None:
        try:
            if barrier is not None:
                barrier.wait(timeout=10)
            results[index] = calls[index]()
        except Exception as exc:  # the test inspects what each call did
            results[index] = exc
        finally:
            if barrier is not None:
                connections.close_all()

    if connection.vendor != "postgresql":
        for index in range(len(calls)):
            run(index, None)
        return results
    barrier = threading.Barrier(len(calls))
    threads = [threading.Thread(target=run, args=(i, barrier)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_create_each_file_once(marry, make_user) -> None:
    for _ in range(5):
        marry()
    first = Actor(user=make_user(Role.COMMUNITY_WORKER))
    street = Actor(user=make_user(Role.STREET_STAFF))
    results = run_together(
        [
            lambda: couples.target_couples_refresh(actor=first),
            lambda: couples.target_couples_refresh(actor=street),
        ]
    )
    assert all(isinstance(r, couples.RefreshResult) for r in results), results
    assert sorted(r.created for r in results) == [0, 5]  # type: ignore[attr-defined]
    assert TargetCouple.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_the_same_spouse_recorded_twice_at_once_is_kept_once(
    marry, make_user, checkup_data
) -> None:
    spouses = marry()
    worker = Actor(user=make_user(Role.COMMUNITY_WORKER))
    colleague = Actor(user=make_user(Role.COMMUNITY_WORKER))
    couples.target_couples_refresh(actor=worker)
    couple = TargetCouple.objects.get(wife=spouses.wife)

    def record(who: Actor) -> Callable[[], object]:
        return lambda: checkups.checkup_record(
            actor=who, couple=couple, spouse="wife", data=checkup_data()
        )

    results = run_together([record(worker), record(colleague)])
    assert sum(isinstance(r, Checkup) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert Checkup.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_derive_a_street_once(marry) -> None:
    for _ in range(3):
        marry()
    results = run_together([couples.due_streets_refresh, couples.due_streets_refresh])
    done = [r for rs in results if isinstance(rs, list) for r in rs]
    assert [r.created for r in done] == [3], results
    assert sorted(len(rs) for rs in results) == [0, 1], results
    assert AuditEvent.objects.filter(object_type="prepregnancy.targetcouple").count() == 1
    assert TargetCouple.objects.count() == 3
