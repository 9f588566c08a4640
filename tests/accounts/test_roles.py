"""Roles: three-way separation of duties (三权分立), unit levels, who may grant, who sees what."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from jisheng.accounts.models import User, UserRole
from jisheng.accounts.services import role_grant, role_revoke, user_create
from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.models import OrgUnit
from jisheng.core.roles import SEPARATED_ROLES, Role
from jisheng.registry.models import Person

PASSWORD = "Test-pass-2026!"  # same as tests/conftest.py
SEPARATED = sorted(SEPARATED_ROLES)
SEPARATED_PAIRS = [
    pytest.param(a, b, id=f"{a.value}+{b.value}") for a, b in itertools.permutations(SEPARATED, 2)
]
BUSINESS_ROLES = [r for r in Role if r not in SEPARATED_ROLES]
# Every business role meets one separated role, and every separated role is met.
MIXED_PAIRS = [
    pytest.param(separated, business, id=f"{separated.value}+{business.value}")
    for separated, business in zip(itertools.cycle(SEPARATED), BUSINESS_ROLES, strict=False)
]


def _bare_user(username: str, unit: OrgUnit) -> User:
    """An account with no role yet."""
    return user_create(actor=None, username=username, password=PASSWORD, org_unit=unit)


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _unit_for(role: Role, org) -> OrgUnit:
    return {
        Role.COMMUNITY_WORKER: org.c1,
        Role.PARTNER_REPORTER: org.c1,
        Role.STREET_STAFF: org.street,
        Role.LEADER: org.street,
        Role.CASE_OFFICER: org.street,
    }.get(role, org.district)


@pytest.fixture
def security_admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.SECURITY_ADMIN, username="sec_admin")


# --- separation of duties: service ----------------------------------------------------


@pytest.mark.parametrize(("held", "granted"), SEPARATED_PAIRS)
def test_service_refuses_a_second_separated_role(
    org, security_admin: User, held: Role, granted: Role
) -> None:
    target = _bare_user("target", org.district)
    role_grant(actor=Actor(user=security_admin), user=target, role=held)

    with pytest.raises(Conflict) as excinfo:
        role_grant(actor=Actor(user=security_admin), user=_fresh(target), role=granted)

    assert excinfo.value.code == "separation_of_duties"
    assert _fresh(target).role_set == {held}
    assert not AuditEvent.objects.filter(
        object_id=str(target.pk), detail__granted=str(granted)
    ).exists()


@pytest.mark.parametrize(("separated", "business"), MIXED_PAIRS)
def test_separated_role_cannot_be_added_to_a_business_role_holder(
    org, security_admin: User, separated: Role, business: Role
) -> None:
    target = _bare_user("target", _unit_for(business, org))
    role_grant(actor=Actor(user=security_admin), user=target, role=business)

    with pytest.raises(Conflict) as excinfo:
        role_grant(actor=Actor(user=security_admin), user=_fresh(target), role=separated)

    assert excinfo.value.code == "separation_of_duties"
    assert _fresh(target).role_set == {business}


@pytest.mark.parametrize(("separated", "business"), MIXED_PAIRS)
def test_business_role_cannot_be_added_to_a_separated_role_holder(
    org, security_admin: User, separated: Role, business: Role
) -> None:
    target = _bare_user("target", _unit_for(business, org))
    role_grant(actor=Actor(user=security_admin), user=target, role=separated)

    with pytest.raises(Conflict) as excinfo:
        role_grant(actor=Actor(user=security_admin), user=_fresh(target), role=business)

    assert excinfo.value.code == "separation_of_duties"
    assert _fresh(target).role_set == {separated}


BUSINESS_PAIRS_ON_ONE_UNIT = [
    pytest.param(Role.STREET_STAFF, Role.LEADER, "street", id="street_staff+leader"),
    pytest.param(Role.LEADER, Role.STREET_STAFF, "street", id="leader+street_staff"),
    pytest.param(Role.LEADER, Role.DISTRICT_SUPERVISOR, "district", id="leader+supervisor"),
    pytest.param(Role.COMMUNITY_WORKER, Role.PARTNER_REPORTER, "c1", id="worker+partner"),
    pytest.param(Role.STREET_STAFF, Role.PARTNER_REPORTER, "street", id="staff+partner"),
]


@pytest.mark.parametrize(("held", "added", "unit_name"), BUSINESS_PAIRS_ON_ONE_UNIT)
def test_an_account_holds_one_business_role(
    org, security_admin: User, held: Role, added: Role, unit_name: str
) -> None:
    target = _bare_user("target", getattr(org, unit_name))
    role_grant(actor=Actor(user=security_admin), user=target, role=held)

    with pytest.raises(Conflict) as excinfo:
        role_grant(actor=Actor(user=security_admin), user=_fresh(target), role=added)

    assert excinfo.value.code == "role_combination"
    assert str(held.label) in str(excinfo.value.message)
    assert _fresh(target).role_set == {held}


def test_a_second_role_is_refused_on_the_page_with_the_reason(
    org, security_admin: User, client_for: Callable[[User], Client]
) -> None:
    target = _bare_user("target", org.street)
    role_grant(actor=Actor(user=security_admin), user=target, role=Role.STREET_STAFF)

    response = client_for(security_admin).post(
        f"/accounts/roles/{target.pk}/grant/", {"role": "leader"}, follow=True
    )

    assert response.status_code == 200
    assert "一个账号只担任一种角色" in response.content.decode()
    assert _fresh(target).role_set == {Role.STREET_STAFF}


def test_after_revoking_a_role_another_can_be_granted(org, security_admin: User) -> None:
    target = _bare_user("target", org.street)
    role_grant(actor=Actor(user=security_admin), user=target, role=Role.STREET_STAFF)
    role_revoke(actor=Actor(user=security_admin), user=_fresh(target), role=Role.STREET_STAFF)

    role_grant(actor=Actor(user=security_admin), user=_fresh(target), role=Role.LEADER)

    assert _fresh(target).role_set == {Role.LEADER}


def test_same_role_twice_is_refused(org, security_admin: User) -> None:
    target = _bare_user("target", org.street)
    role_grant(actor=Actor(user=security_admin), user=target, role=Role.LEADER)

    with pytest.raises(Conflict) as excinfo:
        role_grant(actor=Actor(user=security_admin), user=_fresh(target), role=Role.LEADER)

    assert excinfo.value.code == "role_held"


# --- separation of duties: database -------------------------------------------------------


@pytest.mark.parametrize(("held", "added"), SEPARATED_PAIRS)
def test_database_refuses_a_second_separated_role_row(org, held: Role, added: Role) -> None:
    target = _bare_user("target", org.district)
    UserRole.objects.create(user=target, role=held)

    with pytest.raises(IntegrityError), transaction.atomic():
        UserRole.objects.create(user=target, role=added)

    assert set(UserRole.objects.filter(user=target).values_list("role", flat=True)) == {held}


def test_database_allows_two_business_role_rows(org) -> None:
    target = _bare_user("target", org.street)
    UserRole.objects.create(user=target, role=Role.STREET_STAFF)

    with transaction.atomic():
        UserRole.objects.create(user=target, role=Role.LEADER)

    assert UserRole.objects.filter(user=target).count() == 2


def test_database_refuses_the_same_role_row_twice(org) -> None:
    target = _bare_user("target", org.street)
    UserRole.objects.create(user=target, role=Role.LEADER)

    with pytest.raises(IntegrityError), transaction.atomic():
        UserRole.objects.create(user=target, role=Role.LEADER)


# --- unit levels --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "unit_name"),
    [
        pytest.param(Role.COMMUNITY_WORKER, "street", id="community-worker-on-street"),
        pytest.param(Role.COMMUNITY_WORKER, "district", id="community-worker-on-district"),
        pytest.param(Role.STREET_STAFF, "c1", id="street-staff-on-community"),
        pytest.param(Role.STREET_STAFF, "district", id="street-staff-on-district"),
        pytest.param(Role.LEADER, "c1", id="leader-on-community"),
        pytest.param(Role.DISTRICT_SUPERVISOR, "street", id="district-supervisor-on-street"),
        pytest.param(Role.PARTNER_REPORTER, "district", id="partner-reporter-on-district"),
    ],
)
def test_role_on_a_unit_of_the_wrong_level_is_refused(
    org, security_admin: User, role: Role, unit_name: str
) -> None:
    target = _bare_user("target", getattr(org, unit_name))

    with pytest.raises(JishengError) as excinfo:
        role_grant(actor=Actor(user=security_admin), user=target, role=role)

    assert excinfo.value.code == "wrong_unit_level"
    assert not UserRole.objects.filter(user=target).exists()


def test_business_role_on_an_account_without_unit_is_refused(db, security_admin: User) -> None:
    target = user_create(actor=None, username="target", password=PASSWORD, org_unit=None)

    with pytest.raises(JishengError) as excinfo:
        role_grant(actor=Actor(user=security_admin), user=target, role=Role.COMMUNITY_WORKER)

    assert excinfo.value.code == "wrong_unit_level"


@pytest.mark.parametrize("role", BUSINESS_ROLES)
def test_role_on_a_unit_of_the_right_level_is_granted(
    org, security_admin: User, role: Role
) -> None:
    target = _bare_user("target", _unit_for(role, org))

    role_grant(actor=Actor(user=security_admin), user=target, role=role)

    assert _fresh(target).role_set == {role}


# --- who may grant and revoke -------------------------------------------------------------


@pytest.mark.parametrize(
    "actor_role",
    [Role.SYSTEM_ADMIN, Role.SECURITY_AUDITOR, Role.STREET_STAFF, Role.DISTRICT_SUPERVISOR],
)
def test_only_the_security_administrator_may_grant_roles(
    org, make_user: Callable[..., User], actor_role: Role
) -> None:
    actor = make_user(actor_role)
    target = _bare_user("target", org.street)

    with pytest.raises(Forbidden):
        role_grant(actor=Actor(user=actor), user=target, role=Role.LEADER)

    assert not UserRole.objects.filter(user=target).exists()
    assert not AuditEvent.objects.filter(action="permission_change", user_id=actor.pk).exists()


@pytest.mark.parametrize("actor_role", [Role.SYSTEM_ADMIN, Role.SECURITY_AUDITOR])
def test_only_the_security_administrator_may_revoke_roles(
    make_user: Callable[..., User], actor_role: Role
) -> None:
    actor = make_user(actor_role)
    target = make_user(Role.LEADER)

    with pytest.raises(Forbidden):
        role_revoke(actor=Actor(user=actor), user=target, role=Role.LEADER)

    assert _fresh(target).role_set == {Role.LEADER}


def test_system_administrator_cannot_grant_roles_through_the_page(
    make_user: Callable[..., User], client_for: Callable[[User], Client], org
) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    target = _bare_user("target", org.street)

    response = client_for(admin).post(f"/accounts/roles/{target.pk}/grant/", {"role": "leader"})

    assert response.status_code == 403
    assert not UserRole.objects.filter(user=target).exists()


def test_security_administrator_cannot_grant_a_role_to_themself(security_admin: User) -> None:
    with pytest.raises(Forbidden):
        role_grant(
            actor=Actor(user=security_admin), user=security_admin, role=Role.SECURITY_AUDITOR
        )

    assert _fresh(security_admin).role_set == {Role.SECURITY_ADMIN}


def test_security_administrator_cannot_revoke_their_own_role(security_admin: User) -> None:
    with pytest.raises(Forbidden):
        role_revoke(actor=Actor(user=security_admin), user=security_admin, role=Role.SECURITY_ADMIN)

    assert _fresh(security_admin).role_set == {Role.SECURITY_ADMIN}


def test_revoking_a_role_not_held_is_refused(
    make_user: Callable[..., User], security_admin: User
) -> None:
    target = make_user(Role.LEADER)

    with pytest.raises(Conflict) as excinfo:
        role_revoke(actor=Actor(user=security_admin), user=target, role=Role.STREET_STAFF)

    assert excinfo.value.code == "role_not_held"


# --- audit of grants and revokes ------------------------------------------------------------


def test_grant_is_audited_as_permission_change(org, security_admin: User) -> None:
    target = _bare_user("target", org.street)

    role_grant(actor=Actor(user=security_admin, ip="10.0.0.7"), user=target, role=Role.LEADER)

    event = AuditEvent.objects.get(action="permission_change", user_id=security_admin.pk)
    assert event.username == "sec_admin"
    assert event.roles == "security_admin"
    assert event.ip == "10.0.0.7"
    assert event.object_type == "accounts.user"
    assert event.object_id == str(target.pk)
    assert event.detail == {"granted": "leader"}
    assert event.result == "success"


def test_revoke_is_audited_as_permission_change(make_user, security_admin: User) -> None:
    target = make_user(Role.LEADER)

    role_revoke(actor=Actor(user=security_admin), user=target, role=Role.LEADER)

    assert _fresh(target).role_set == frozenset()
    event = AuditEvent.objects.get(action="permission_change", user_id=security_admin.pk)
    assert event.object_id == str(target.pk)
    assert event.detail == {"revoked": "leader"}


def test_grant_and_revoke_through_the_roles_page_are_audited(
    org, security_admin: User, client_for: Callable[[User], Client]
) -> None:
    target = _bare_user("target", org.street)
    client = client_for(security_admin)

    granted = client.post(f"/accounts/roles/{target.pk}/grant/", {"role": "street_staff"})
    revoked = client.post(f"/accounts/roles/{target.pk}/revoke/street_staff/")

    assert granted.status_code == revoked.status_code == 302
    assert _fresh(target).role_set == frozenset()
    details = list(
        AuditEvent.objects.filter(action="permission_change", user_id=security_admin.pk)
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert details == [{"granted": "street_staff"}, {"revoked": "street_staff"}]


# --- what each separated role can reach ------------------------------------------------------


@pytest.fixture
def resident(make_person) -> Person:
    return make_person(name="李秀兰")


def test_system_administrator_sees_no_personal_data(
    make_user: Callable[..., User], resident: Person
) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    supervisor = make_user(Role.DISTRICT_SUPERVISOR)

    assert not Person.objects.visible_to(admin).exists()
    assert list(Person.objects.visible_to(supervisor)) == [resident]


@pytest.mark.parametrize(
    "path",
    ["/registry/persons/", "/registry/persons/{id}/", "/registry/households/", "/audit/"],
)
def test_system_administrator_pages_outside_their_duty_answer_403(
    make_user, client_for, resident: Person, path: str
) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)

    response = client_for(admin).get(path.format(id=resident.pk))

    assert response.status_code == 403
    assert resident.name not in response.content.decode()
    assert not AuditEvent.objects.filter(action="view", object_id=str(resident.pk)).exists()


def test_system_administrator_gets_403_from_the_audit_api(make_user, client_for) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)

    response = client_for(admin).get("/api/audit/events")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_system_administrator_gets_no_residents_from_the_registry_api(
    make_user, client_for, resident: Person
) -> None:
    client = client_for(make_user(Role.SYSTEM_ADMIN))

    listing = client.get("/api/persons")
    detail = client.get(f"/api/persons/{resident.pk}")

    assert listing.status_code == 200
    assert listing.json()["items"] == []
    assert detail.status_code == 404
    assert resident.name not in detail.content.decode()


def test_system_administrator_manages_accounts_but_not_roles(make_user, client_for) -> None:
    client = client_for(make_user(Role.SYSTEM_ADMIN))

    assert client.get("/accounts/users/").status_code == 200
    assert client.get("/accounts/roles/").status_code == 403


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/audit/", 200),
        ("/registry/persons/", 403),
        ("/registry/persons/{id}/", 403),
        ("/accounts/users/", 403),
        ("/accounts/roles/", 403),
    ],
)
def test_security_auditor_reaches_only_the_audit_trail(
    make_user, client_for, resident: Person, path: str, status: int
) -> None:
    auditor = make_user(Role.SECURITY_AUDITOR)

    response = client_for(auditor).get(path.format(id=resident.pk))

    assert response.status_code == status
    assert resident.name not in response.content.decode()


def test_security_auditor_sees_no_personal_data(make_user, resident: Person) -> None:
    assert not Person.objects.visible_to(make_user(Role.SECURITY_AUDITOR)).exists()
    assert not Person.objects.visible_to(make_user(Role.SECURITY_ADMIN)).exists()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/accounts/roles/", 200),
        ("/accounts/users/", 403),
        ("/audit/", 403),
        ("/registry/persons/", 403),
    ],
)
def test_security_administrator_reaches_only_the_roles_page(
    security_admin: User, client_for, path: str, status: int
) -> None:
    assert client_for(security_admin).get(path).status_code == status


def test_security_administrator_gets_403_from_the_audit_api(security_admin, client_for) -> None:
    response = client_for(security_admin).get("/api/audit/events")

    assert response.status_code == 403
