"""Data seeded once for a whole test module or class, each test's own writes still undone.

Seeding the demo takes seconds; a module whose tests only read it (or write and expect
their writes undone) pays that once with::

    @pytest.fixture(scope="module")
    def _demo_ids(django_db_setup: None, django_db_blocker: Any) -> Iterator[int]:
        yield from seeded_once(django_db_blocker, lambda: seed_demo(persons=600).pk)

    @pytest.fixture
    def demo_street(db: None, _demo_ids: int) -> OrgUnit:
        return OrgUnit.objects.get(pk=_demo_ids)   # a fresh instance for every test

The seed runs in a transaction held open until the module (or class) ends and is then
rolled back. pytest-django wraps each ``db`` test in a savepoint inside it, so a test's
writes vanish after it as usual. Only tests on the ``db`` fixture may use such data: a
``transactional_db`` or ``live_server`` test commits and flushes, which a held transaction
cannot survive. Hand tests primary keys and fetch instances per test, so no test sees
another's in-memory changes.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from django.db import connection, transaction


def seeded_once[T](django_db_blocker: Any, seed: Callable[[], T]) -> Generator[T]:
    """Yield ``seed()``'s result with its rows visible to every test until the generator
    closes; then roll them back, leaving the test database as it was."""
    with django_db_blocker.unblock():
        if connection.in_atomic_block:
            raise RuntimeError("seeded_once needs a module or class fixture, not a test's")
        held = transaction.atomic()
        # Django's own test transactions carry this flag; with it, code that opens a
        # durable atomic block (one that must commit) runs inside this one as in any test.
        held._from_testcase = True  # type: ignore[attr-defined]
        held.__enter__()
        try:
            value = seed()
        except BaseException:
            transaction.set_rollback(True)
            held.__exit__(None, None, None)
            raise
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            held.__exit__(None, None, None)
