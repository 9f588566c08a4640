"""Funds fixtures: the street's staff, its categories, and spending handed over by a source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jisheng.accounts.models import User
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.core.spending import Spending, record_spending
from jisheng.funds.categories import categories_ensure
from jisheng.funds.models import Category


@pytest.fixture
def staff(make_user) -> User:
    return make_user(Role.STREET_STAFF)


@pytest.fixture
def staff_actor(staff) -> Actor:
    return Actor(user=staff)


@pytest.fixture
def category(db: None) -> Callable[[str], Category]:
    categories_ensure()  # a flushed test database lost what the migration seeded

    def get(code: str) -> Category:
        return Category.objects.get(code=code)

    return get


@pytest.fixture
def spend(org, staff, category) -> Callable[..., None]:
    """Hand one spending to the ledger as a source module would."""

    def run(
        amount: str,
        *,
        source_id: int = 1,
        level: str = "street",
        unit=None,
        day: dt.date = dt.date(2014, 5, 1),
        code: str = "publicity",
        reverses: bool = False,
        source: str = "test.source",
    ) -> None:
        record_spending(
            [
                Spending(
                    source=source,
                    source_id=source_id,
                    amount=Decimal(amount),
                    day=day,
                    category=code,
                    level=level,
                    org_unit_id=(unit or org.street).pk,
                    reverses=reverses,
                )
            ],
            actor=staff,
        )

    return run


PDF = b"%PDF-1.4\n% receipt\n" + b"0" * 64


@pytest.fixture
def scan() -> Callable[..., SimpleUploadedFile]:
    """``scan()`` a fresh PDF receipt to attach to a voucher (a file is read once)."""

    def make(name: str = "发票.pdf", content: bytes = PDF) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content, content_type="application/pdf")

    return make
