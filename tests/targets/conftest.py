"""Targets fixtures: street staff, a leader and a community worker; books built through the
services; records of the other modules made directly, dated as each test needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.core.actors import Actor
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Role
from jisheng.targets import services
from jisheng.targets.models import BonusBand, PartyKind, Scoring, TargetBook, VetoItem

# Two indicators with weights 60 + 40 and no data behind them unless a test adds some.
LINES = (
    ("targets.joint_meetings_monthly", Decimal(100), Decimal(0), Scoring.LINEAR, Decimal(60)),
    ("contraceptives.roster_followed_up", Decimal(80), Decimal(40), Scoring.LINEAR, Decimal(40)),
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Argon2 costs ~0.4 s a user and these tests make several; hashing is not tested here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def last_year() -> int:
    return timezone.localdate().year - 1


@pytest.fixture
def staff(make_user) -> Actor:
    return Actor(user=make_user(Role.STREET_STAFF))


@pytest.fixture
def leader(make_user) -> Actor:
    return Actor(user=make_user(Role.LEADER))


@pytest.fixture
def worker(make_user) -> User:
    return make_user(Role.COMMUNITY_WORKER)


@pytest.fixture
def veto_item(db: None) -> VetoItem:
    return VetoItem.objects.create(name="统计数据弄虚作假")


@pytest.fixture
def bands(org) -> None:
    for low, coefficient in ((90, "1.2"), (60, "1.0"), (0, "0.5")):
        BonusBand.objects.create(
            street=org.street, min_score=Decimal(low), coefficient=Decimal(coefficient)
        )


@pytest.fixture
def make_book(staff, veto_item, last_year) -> Callable[..., TargetBook]:
    def make(
        community: OrgUnit,
        *,
        year: int | None = None,
        lines: tuple[tuple[str, Decimal, Decimal, str, Decimal], ...] = LINES,
        sign: bool = True,
    ) -> TargetBook:
        book = services.book_create(
            actor=staff, year=year or last_year, kind=PartyKind.COMMUNITY, community=community
        )
        for key, target, floor, scoring, weight in lines:
            services.book_line_set(
                actor=staff,
                book=book,
                indicator=key,
                target=target,
                floor=floor,
                scoring=scoring,
                weight=weight,
            )
        services.book_veto_items_set(actor=staff, book=book, items=[veto_item])
        if sign:
            book = services.book_sign(
                actor=staff,
                book=book,
                party_signatory="社居书记",
                signed_on=dt.date(book.year, 1, 15),
            )
        return book

    return make


PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def pdf() -> Callable[[], SimpleUploadedFile]:
    """A small real PDF upload, as evidence of an adjustment."""
    return lambda: SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
