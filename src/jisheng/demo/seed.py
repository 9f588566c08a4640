"""Fill a new instance with the demo street: org tree, demo accounts, a generated population.

Refuses to run on production settings: demo accounts share a published password.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from base64 import b32encode
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP

from jisheng.accounts import two_factor
from jisheng.accounts.models import User
from jisheng.accounts.org_units import org_unit_create
from jisheng.accounts.services import role_grant, user_create
from jisheng.core.db import refresh_planner_statistics
from jisheng.core.errors import JishengError
from jisheng.core.idnumber import mask_id_number, mask_phone
from jisheng.core.models import OrgUnit
from jisheng.core.modules import demo_seeders
from jisheng.core.roles import Role
from jisheng.demo import population as pop
from jisheng.registry.models import Household, HouseholdMember, Marriage, ParentLink, Person

DEMO_PASSWORD = "Demo-pass-2026"  # noqa: S105 - published on purpose, demo only
# The second factor of every demo account whose role needs one: published on purpose, demo
# only (`jisheng demo` prints it; `jisheng demo --code` prints the current code).
DEMO_TOTP_KEY = b"jisheng-demo-totp-20".hex()
BUNDLES_PER_BATCH = 400

DEMO_ACCOUNTS: tuple[tuple[str, str, Role, str | None], ...] = (
    # username, full name, role, unit (None: the district; "c0"/"c2": communities by index)
    ("demo_c1", "演示社居专干一", Role.COMMUNITY_WORKER, "c0"),
    ("demo_c2", "演示社居专干二", Role.COMMUNITY_WORKER, "c2"),
    ("demo_street", "演示街道计生办", Role.STREET_STAFF, "street"),
    ("demo_leader", "演示分管领导", Role.LEADER, "street"),
    ("demo_district", "演示区卫健局", Role.DISTRICT_SUPERVISOR, None),
    ("demo_reporter", "演示房东", Role.PARTNER_REPORTER, "c0"),
    ("demo_cases", "演示案件承办人", Role.CASE_OFFICER, "street"),
    ("demo_admin", "演示系统管理员", Role.SYSTEM_ADMIN, None),
    ("demo_security", "演示安全管理员", Role.SECURITY_ADMIN, None),
    ("demo_auditor", "演示安全审计员", Role.SECURITY_AUDITOR, None),
)


def _unit(*, name: str, kind: str, code: str, parent: OrgUnit | None) -> OrgUnit:
    existing = OrgUnit.objects.filter(code=code).first()
    return existing or org_unit_create(
        actor=None, name=name, kind=kind, code=code, parent=parent, is_demo=True
    )


def seed_org_tree() -> tuple[OrgUnit, OrgUnit, list[OrgUnit]]:
    """峄城区 → 坛山街道 → its communities and villages (invented names, marked demo)."""
    district = _unit(name=pop.DISTRICT_NAME, kind="district", code=pop.DISTRICT_CODE, parent=None)
    street = _unit(name=pop.STREET_NAME, kind="street", code=pop.STREET_CODE, parent=district)
    communities = [
        _unit(name=c.name, kind=c.kind, code=pop.STREET_CODE + c.code_suffix, parent=street)
        for c in pop.COMMUNITIES
    ]
    return district, street, communities


def seed_accounts(district: OrgUnit, street: OrgUnit, communities: list[OrgUnit]) -> None:
    units = {None: district, "street": street, "c0": communities[0], "c2": communities[2]}
    for username, full_name, role, unit_key in DEMO_ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        user = user_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORD,
            org_unit=units[unit_key],
            full_name=full_name,
        )
        role_grant(actor=None, user=user, role=role)
        if role in two_factor.SECOND_FACTOR_ROLES:
            two_factor.demo_enrol(user, hex_key=DEMO_TOTP_KEY)


def demo_totp_secret() -> str:
    """The demo key as an authenticator app takes it (base32, in groups of four)."""
    raw = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def demo_totp_code(at: float | None = None) -> str:
    """The demo accounts' current six-digit code (or the one at Unix time ``at``)."""
    totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY))
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def _person(p: pop.DemoPerson, community: OrgUnit) -> Person:
    return Person(
        community=community,
        name=p.name,
        sex=p.sex,
        birth_date=p.birth_date,
        id_number=p.id_number,
        id_number_masked=mask_id_number(p.id_number),
        phone=p.phone or None,
        phone_masked=mask_phone(p.phone) if p.phone else "",
        ethnicity=p.ethnicity,
        hukou_division=p.id_number[:6],
        hukou_type=p.hukou_type,
        is_floating=p.is_floating,
        address=p.address,
        marital_status=p.marital_status,
        status=p.status,
    )


def _batches[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _save_batch(
    bundles: list[pop.DemoHouseholdBundle], communities: list[OrgUnit], today: dt.date
) -> int:
    persons = [
        (p, _person(p, communities[b.household.community_index]))
        for b in bundles
        for p in b.persons
    ]
    Person.objects.bulk_create([row for _p, row in persons], batch_size=1000)
    pk_of = {p.key: row.pk for p, row in persons}
    households = [
        Household(
            community=communities[b.household.community_index],
            number=f"H{b.household.key:07d}",
            address=b.household.address,
            head_id=pk_of[b.household.head_key],
        )
        for b in bundles
    ]
    Household.objects.bulk_create(households, batch_size=1000)
    members = []
    for bundle, household in zip(bundles, households, strict=True):
        for p in bundle.persons:
            start = max(p.birth_date, today - dt.timedelta(days=365 * 10))
            members.append(
                HouseholdMember(
                    household=household,
                    person_id=pk_of[p.key],
                    relation=p.relation_to_head,
                    start_date=start,
                )
            )
    HouseholdMember.objects.bulk_create(members, batch_size=1000)
    Marriage.objects.bulk_create(
        [
            Marriage(
                community=communities[b.household.community_index],
                husband_id=pk_of[m.husband_key],
                wife_id=pk_of[m.wife_key],
                date=m.date,
            )
            for b in bundles
            for m in b.marriages
        ],
        batch_size=1000,
    )
    ParentLink.objects.bulk_create(
        [
            ParentLink(parent_id=pk_of[link.parent_key], child_id=pk_of[link.child_key])
            for b in bundles
            for link in b.parent_links
        ],
        batch_size=1000,
    )
    return len(persons)


def seed_demo(*, persons: int, on_progress: Callable[[int, int], None] | None = None) -> None:
    """Create the whole demo instance. Safe to call only on an instance without demo data."""
    if settings.JISHENG_ENV == "production":
        raise JishengError(
            "Demo data and demo accounts are refused on a production setting.",
            code="demo_in_production",
        )
    today = timezone.localdate()
    with transaction.atomic():
        district, street, communities = seed_org_tree()
        seed_accounts(district, street, communities)
    done = 0
    bundles = pop.generate_population(persons, n_communities=len(communities), today=today)
    for batch in _batches(bundles, BUNDLES_PER_BATCH):
        with transaction.atomic():
            done += _save_batch(batch, communities, today)
        if on_progress is not None:
            on_progress(done, persons)
    refresh_planner_statistics(Person._meta.db_table, Household._meta.db_table)
    # Each app adds its own demo records (``ModuleConfig.demo_seeder``).
    for demo_seed in demo_seeders():
        demo_seed(street=street, today=today, rng=random.Random(2014))


def demo_exists() -> bool:
    return OrgUnit.objects.filter(is_demo=True).exists()
