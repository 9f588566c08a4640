from __future__ import annotations

from collections.abc import Callable

import pytest

from jisheng.accounts.models import User
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.migrants.models import Partner, PartnerKind, ResidentialComplex
from jisheng.migrants.services import partners


@pytest.fixture
def worker(make_user) -> User:
    return make_user(Role.COMMUNITY_WORKER)


@pytest.fixture
def estate(org, worker) -> ResidentialComplex:
    return partners.complex_create(
        actor=Actor(user=worker), community=org.c1, name="枣园小区", address="枣园路 8 号"
    )


@pytest.fixture
def make_partner(org, worker, make_user) -> Callable[..., Partner]:
    def make(name: str = "王房东", *, complex_: ResidentialComplex | None = None) -> Partner:
        account = make_user(Role.PARTNER_REPORTER, org.c1)
        return partners.partner_create(
            actor=Actor(user=worker),
            kind=PartnerKind.LANDLORD,
            name=name,
            community=org.c1,
            complex_=complex_,
            account=account,
        )

    return make


@pytest.fixture
def landlord(make_partner, estate) -> Partner:
    return make_partner(complex_=estate)
