"""Shared fixtures: the demo org tree, one user per role, residents in two communities.

Sessions: ``Client.force_login`` gives a *fully* signed-in session here (second factor
included) through ``_force_login_is_full_sign_in`` below, so page tests need not walk the
code step. Production has no such switch: the middleware trusts only the step the sign-in
views store in the server-side session. Tests of the second factor itself use the login page.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.client import ClientMixin
from django.utils import translation

from jisheng.accounts.models import User
from jisheng.accounts.services import role_grant, user_create
from jisheng.accounts.two_factor import SESSION_KEY, Step
from jisheng.core.idnumber import id_number_check_digit, mask_id_number, mask_phone
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Role
from jisheng.demo.seed import seed_demo, seed_org_tree
from jisheng.registry.models import Household, HouseholdMember, Person
from jisheng.testing.shared_data import seeded_once

PASSWORD = "Test-pass-2026!"


@pytest.fixture(autouse=True)
def _figures_cache_cleared() -> Iterator[None]:
    """Each test starts with an empty cache: pages keep figures there (core.figures_cache), and
    ids come back after a test's rollback."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """Each test ends with no language active, as it began: a request in English leaves
    English active in the thread, and the next test's Chinese labels would read English."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _audit_trail_released_before_flush(
    request: pytest.FixtureRequest, _django_db_helper: None, django_db_blocker: Any
) -> Iterator[None]:
    """Tests that commit end with a flush, which the audit trail's delete trigger refuses:
    release the whole trail first, as a purge would, and start the next test's chain at 0."""
    yield
    marker = request.node.get_closest_marker("django_db")
    committed = {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if not committed:
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_chain SET anchor_seq = seq")
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_chain")


# The demo instance's size for the tests that read it (``demo`` below): enough residents for
# the 2013 history's 1,196 only-child parents and for pre-pregnancy files at every stage
# (``demo_instance`` below).
DEMO_PERSONS = 4000


_shared_demo: list[Generator[None]] = []


@pytest.fixture(scope="session")
def _demo_seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The whole demo, seeded once per run (it took one to two minutes in each of a dozen
    tests) in a transaction held open while the tests of it run (``seeded_once``)."""
    held = seeded_once(django_db_blocker, lambda: seed_demo(persons=DEMO_PERSONS))
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        next(held)
    _shared_demo.append(held)
    yield
    _end_shared_demo()


def _end_shared_demo() -> None:
    while _shared_demo:
        _shared_demo.pop().close()  # rolls the demo back


@pytest.fixture
def demo_instance(_demo_seeded: None, db: None) -> None:
    """The demo instance (``seed_demo``), shared: each test's writes are rolled back as usual.

    A held transaction cannot live through a test that commits (``transactional_db``,
    ``live_server``): the tests asking for this run first, while the database holds only
    what the migrations put there (a flush removes that too), and the demo is rolled back
    right after the last of them (``pytest_runtest_teardown``)."""
    assert _shared_demo, "the shared demo was already rolled back: this test ran too late"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests of the shared demo run before every other test: see ``demo_instance``."""
    items.sort(key=lambda item: "_demo_seeded" not in getattr(item, "fixturenames", ()))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After the last test of the shared demo, roll it back (before any test that commits)."""
    try:
        return (yield)
    finally:
        if nextitem is None or "_demo_seeded" not in getattr(nextitem, "fixturenames", ()):
            _end_shared_demo()


# Where hashing is the subject: the password, sign-in and account tests keep production's
# Argon2 hasher (settings.PASSWORD_HASHERS).
_REAL_PASSWORD_HASHING = Path(__file__).resolve().parent / "accounts"


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 costs ~0.2 s of CPU and 100 MB a hash, and most tests create two or three
    users: elsewhere, new hashes are MD5 (Argon2 ones made by a module-scoped seed still
    check, so every login works)."""
    if request.node.path.is_relative_to(_REAL_PASSWORD_HASHING):
        return
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


def mark_fully_signed_in(client: ClientMixin) -> None:
    """Mark a test client's session as past the second factor (as the code step would)."""
    session = client.session
    session[SESSION_KEY] = Step.DONE.value
    session.save()


@pytest.fixture(autouse=True)
def _force_login_is_full_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    original = ClientMixin.force_login

    def force_login(self: ClientMixin, user: object, backend: str | None = None) -> None:
        original(self, user, backend)  # type: ignore[arg-type]
        mark_fully_signed_in(self)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@dataclass
class Org:
    district: OrgUnit
    street: OrgUnit
    c1: OrgUnit
    c2: OrgUnit


@pytest.fixture
def org(db: None) -> Org:
    district, street, communities = seed_org_tree()
    return Org(district=district, street=street, c1=communities[0], c2=communities[2])


_usernames = itertools.count(1)


@pytest.fixture
def make_user(org: Org) -> Callable[..., User]:
    def make(role: Role, unit: OrgUnit | None = None, username: str | None = None) -> User:
        default_unit = {
            Role.COMMUNITY_WORKER: org.c1,
            Role.PARTNER_REPORTER: org.c1,
            Role.STREET_STAFF: org.street,
            Role.LEADER: org.street,
            Role.CASE_OFFICER: org.street,
        }.get(role, org.district)
        user = user_create(
            actor=None,
            username=username or f"{role.value}_{next(_usernames)}",
            password=PASSWORD,
            org_unit=unit or default_unit,
        )
        role_grant(actor=None, user=user, role=role)
        return User.objects.get(pk=user.pk)

    return make


_sequence = itertools.count(100)


def valid_id_number(birth: dt.date, sex: str, region: str = "370404") -> str:
    """A valid, unique ID number for tests."""
    seq = next(_sequence) % 500 * 2 + (1 if sex == "M" else 0)
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + id_number_check_digit(body)


@pytest.fixture
def make_person(org: Org) -> Callable[..., Person]:
    def make(
        community: OrgUnit | None = None,
        *,
        name: str = "张三明",
        sex: str = "M",
        birth_date: dt.date = dt.date(1990, 5, 17),
        phone: str = "13800138000",
        reported_by: User | None = None,
    ) -> Person:
        id_number = valid_id_number(birth_date, sex)
        return Person.objects.create(
            community=community or org.c1,
            name=name,
            sex=sex,
            birth_date=birth_date,
            id_number=id_number,
            id_number_masked=mask_id_number(id_number),
            phone=phone,
            phone_masked=mask_phone(phone),
            hukou_type="urban",
            hukou_division="370404",
            address="测试地址1号",
            reported_by=reported_by,
        )

    return make


@pytest.fixture
def make_household() -> Callable[..., Household]:
    def make(head: Person) -> Household:
        household = Household.objects.create(
            community=head.community, address=head.address, head=head
        )
        HouseholdMember.objects.create(
            household=household, person=head, relation="02", start_date=dt.date(2020, 1, 1)
        )
        return household

    return make


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
