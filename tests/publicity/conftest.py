from __future__ import annotations

from collections.abc import Sequence

import pytest

from jisheng.accounts.models import User
from jisheng.core import spending
from jisheng.core.roles import Role


@pytest.fixture
def worker(make_user) -> User:
    return make_user(Role.COMMUNITY_WORKER)


@pytest.fixture
def street(make_user) -> User:
    return make_user(Role.STREET_STAFF)


@pytest.fixture
def leader(make_user) -> User:
    return make_user(Role.LEADER)


@pytest.fixture
def ledger(monkeypatch: pytest.MonkeyPatch) -> list[spending.Spending]:
    """What a ledger app would receive: the funds app is not installed on this branch, so the
    hook's receivers are replaced by one that keeps the entries (inside the same transaction,
    as the real receiver would be called)."""
    received: list[spending.Spending] = []

    def receive(entries: Sequence[spending.Spending], *, actor: User) -> None:
        received.extend(entries)

    monkeypatch.setattr(spending, "_receivers", lambda: (receive,))
    return received
