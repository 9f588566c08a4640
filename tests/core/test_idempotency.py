"""core.idempotency: a retried write gets the first answer; a key reused for another request
is refused; two requests with one key write once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from jisheng.core.errors import Conflict, JishengError
from jisheng.core.idempotency import fingerprint, run_once
from jisheng.core.models import IdempotencyKey
from jisheng.core.roles import Role


def _once(user, key, request, runs: list[int]):  # type: ignore[no-untyped-def]
    def run() -> dict[str, int]:
        runs.append(1)
        return {"n": len(runs)}

    return run_once(
        user=user,
        scope="test.write",
        key=key,
        request=request,
        run=run,
        store=lambda value: value,
        load=lambda stored: stored,
    )


def test_a_replay_returns_the_first_answer_without_running_again(make_user) -> None:
    user = make_user(Role.STREET_STAFF)
    runs: list[int] = []
    first = _once(user, "abc", {"a": 1}, runs)
    again = _once(user, " abc ", {"a": 1}, runs)
    assert (first.value, first.replayed) == ({"n": 1}, False)
    assert (again.value, again.replayed) == ({"n": 1}, True)
    assert len(runs) == 1
    stored = IdempotencyKey.objects.get()
    assert stored.fingerprint == fingerprint({"a": 1})
    assert stored.answer == {"n": 1}


def test_a_key_reused_with_another_request_is_refused(make_user) -> None:
    user = make_user(Role.STREET_STAFF)
    runs: list[int] = []
    _once(user, "abc", {"a": 1}, runs)
    with pytest.raises(Conflict) as refused:
        _once(user, "abc", {"a": 2}, runs)
    assert refused.value.code == "idempotency_key_reused"
    assert len(runs) == 1


def test_keys_belong_to_one_user_and_no_key_always_runs(make_user) -> None:
    first, second = make_user(Role.STREET_STAFF), make_user(Role.STREET_STAFF)
    runs: list[int] = []
    _once(first, "k", {}, runs)
    assert _once(second, "k", {}, runs).replayed is False
    _once(first, None, {}, runs)
    _once(first, "", {}, runs)
    assert len(runs) == 4


@pytest.mark.parametrize("key", ["x" * 101, "a\nb", "   "])
def test_a_bad_key_is_a_400(make_user, key: str) -> None:
    with pytest.raises(JishengError) as refused:
        _once(make_user(Role.STREET_STAFF), key, {}, [])
    assert refused.value.status == 400


def test_a_failed_write_leaves_no_key_behind(make_user) -> None:
    user = make_user(Role.STREET_STAFF)

    def fail() -> dict[str, int]:
        raise Conflict("no")

    with pytest.raises(Conflict):
        run_once(user=user, scope="s", key="k", request={}, run=fail, store=dict, load=dict)
    assert not IdempotencyKey.objects.exists()


def test_a_key_inserted_meanwhile_answers_with_the_stored_result(make_user) -> None:
    """The integrity case: the key row appears between the lookup and the insert (a parallel
    request committed first): the unique index refuses the insert and the stored answer wins."""
    user = make_user(Role.STREET_STAFF)
    runs: list[int] = []

    def run() -> dict[str, int]:
        runs.append(1)
        return {"mine": 1}

    real_filter = IdempotencyKey.objects.filter
    calls = 0

    def racing_filter(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 1:  # the parallel request commits right after our first lookup
            IdempotencyKey.objects.create(
                user=user, scope="s", key="k", fingerprint=fingerprint({}), answer={"theirs": 1}
            )
            return real_filter(pk=-1)
        return real_filter(*args, **kwargs)

    IdempotencyKey.objects.filter = racing_filter  # type: ignore[method-assign]
    try:
        once = run_once(user=user, scope="s", key="k", request={}, run=run, store=dict, load=dict)
    finally:
        del IdempotencyKey.objects.filter
    assert (once.value, once.replayed) == ({"theirs": 1}, True)
    assert runs == []
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_parallel_requests_with_one_key_write_once(make_user) -> None:
    """On PostgreSQL in two threads (the second waits on the unique index); SQLite serialises
    writers, so there the two run one after the other."""
    user = make_user(Role.STREET_STAFF)
    runs: list[int] = []
    results: list[object] = [None, None]

    def request(index: int) -> None:
        try:
            results[index] = _once(user, "par", {"a": 1}, runs)
        finally:
            if connection.vendor == "postgresql":
                connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=request, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        request(0)
        request(1)
    assert len(runs) == 1
    assert sorted(r.replayed for r in results) == [False, True]  # type: ignore[attr-defined]
    assert IdempotencyKey.objects.count() == 1
