"""Contraceptive fixtures: actors at the street and in community 1, a product, the street's
store and community 1's point, and a helper to receive stock."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.contraceptives.models import (
    DistributionPoint,
    Lot,
    PointKind,
    Product,
    ProductCategory,
    StockMove,
)
from jisheng.contraceptives.services import moves
from jisheng.contraceptives.services.balances import MoveFacts
from jisheng.contraceptives.services.catalogue import point_create
from jisheng.core.actors import Actor
from jisheng.core.roles import Role

_lots = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Argon2 costs ~0.4 s a hash and these tests make two or three users each;
    # hashing policy is not what they are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def street_user(make_user) -> User:
    return make_user(Role.STREET_STAFF)


@pytest.fixture
def worker(make_user) -> User:
    return make_user(Role.COMMUNITY_WORKER)


@pytest.fixture
def street_actor(street_user) -> Actor:
    return Actor(user=street_user, ip="127.0.0.1")


@pytest.fixture
def worker_actor(worker) -> Actor:
    return Actor(user=worker, ip="127.0.0.1")


@pytest.fixture
def pill(db: None) -> Product:
    return Product.objects.create(
        name="复方左炔诺孕酮片", category=ProductCategory.ORAL, unit="板", pack_size=22
    )


@pytest.fixture
def condom(db: None) -> Product:
    return Product.objects.create(
        name="天然胶乳橡胶避孕套", category=ProductCategory.CONDOM, unit="盒", pack_size=10
    )


@pytest.fixture
def store(org, street_actor) -> DistributionPoint:
    return point_create(
        actor=street_actor,
        name="坛山街道药具库",
        kind=PointKind.STORE,
        org_unit=org.street,
        keeper=street_actor.user,
    )


@pytest.fixture
def point(org, street_actor, worker) -> DistributionPoint:
    return point_create(
        actor=street_actor,
        name="榴园社区药具发放点",
        kind=PointKind.COMMUNITY,
        org_unit=org.c1,
        keeper=worker,
    )


@dataclass
class Stocker:
    """Receives stock with sensible defaults: ``receive(point, 10)`` → the receipt move."""

    actor: Actor
    product: Product

    def __call__(
        self,
        point: DistributionPoint,
        quantity: int,
        *,
        product: Product | None = None,
        lot_number: str | None = None,
        expiry: dt.date | None = None,
        on: dt.date | None = None,
    ) -> StockMove:
        today = timezone.localdate()
        return moves.stock_receive(
            actor=self.actor,
            point=point,
            product=product or self.product,
            lot_number=lot_number or f"L{next(_lots):04d}",
            expiry_date=expiry or today + dt.timedelta(days=720),
            quantity=quantity,
            facts=MoveFacts(occurred_on=on or today, document_number="区配-2026-01"),
        )[0]


@pytest.fixture
def receive(street_actor, pill) -> Stocker:
    return Stocker(actor=street_actor, product=pill)


def facts(**overrides: object) -> MoveFacts:
    values: dict[str, object] = {"occurred_on": timezone.localdate()}
    values.update(overrides)
    return MoveFacts(**values)  # type: ignore[arg-type]


@pytest.fixture
def make_facts() -> Callable[..., MoveFacts]:
    return facts


def lot_of(move: StockMove) -> Lot:
    return move.lot
