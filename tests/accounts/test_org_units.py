"""The org tree: codes extend their parent's, levels nest, only the system administrator adds."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jisheng.accounts.models import User
from jisheng.accounts.org_units import org_unit_create
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, JishengError
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Role


@pytest.fixture
def admin(make_user) -> Actor:
    return Actor(user=make_user(Role.SYSTEM_ADMIN))


def test_community_under_street_gets_path_and_scope(org, admin, make_user) -> None:
    unit = org_unit_create(
        actor=admin,
        name="新社区",
        kind="community",
        code=org.street.code + "007",
        parent=org.street,
    )
    assert unit.path == f"{org.street.path}{unit.code}/"
    assert unit.pk in make_user(Role.STREET_STAFF).scope_unit_ids()
    assert unit.pk not in make_user(Role.COMMUNITY_WORKER).scope_unit_ids()


@pytest.mark.parametrize(
    ("kind", "code", "error"),
    [
        ("community", "370404002", "invalid_code"),  # too short for a community
        ("community", "370405002099", "invalid_code"),  # not under the street's code
        ("district", "370405", "invalid_kind"),  # a district under a street
        ("community", "370404002001", "code_taken"),
    ],
)
def test_bad_units_are_refused(org, admin, kind, code, error) -> None:
    with pytest.raises(JishengError) as refused:
        org_unit_create(actor=admin, name="x", kind=kind, code=code, parent=org.street)
    assert refused.value.code == error


def test_only_the_system_administrator_adds_units(org, make_user) -> None:
    with pytest.raises(Forbidden):
        org_unit_create(
            actor=Actor(user=make_user(Role.STREET_STAFF)),
            name="x",
            kind="community",
            code=org.street.code + "008",
            parent=org.street,
        )


def test_org_unit_page_adds_a_unit(org, make_user, client_for) -> None:
    client = client_for(make_user(Role.SYSTEM_ADMIN))
    assert client.get("/accounts/org-units/").status_code == 200
    response = client.post(
        "/accounts/org-units/",
        {
            "parent": org.street.pk,
            "kind": "village",
            "name": "新村",
            "code": org.street.code + "207",
        },
    )
    assert response.status_code == 302
    assert OrgUnit.objects.filter(name="新村").exists()
    bad = client.post(
        "/accounts/org-units/",
        {"parent": org.street.pk, "kind": "village", "name": "坏", "code": "12"},
    )
    assert bad.status_code == 400
    assert client_for(make_user(Role.STREET_STAFF)).get("/accounts/org-units/").status_code == 403


@pytest.mark.django_db
def test_bootstrap_creates_the_three_separated_administrators(monkeypatch) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt: "Strong-pass-2026!")
    call_command(
        "bootstrap",
        district_code="370404",
        district_name="峄城区",
        sysadmin="admin",
        security="security",
        auditor="auditor",
    )
    roles = {u.username: u.role_set for u in User.objects.all()}
    assert roles == {
        "admin": {Role.SYSTEM_ADMIN},
        "security": {Role.SECURITY_ADMIN},
        "auditor": {Role.SECURITY_AUDITOR},
    }
    with pytest.raises(CommandError):
        call_command(
            "bootstrap",
            district_code="370404",
            district_name="峄城区",
            sysadmin="a2",
            security="s2",
            auditor="x2",
        )


@pytest.mark.django_db
def test_bootstrap_refuses_weak_passwords_and_leaves_nothing(monkeypatch) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt: "short")
    with pytest.raises(CommandError):
        call_command(
            "bootstrap",
            district_code="370404",
            district_name="峄城区",
            sysadmin="admin",
            security="security",
            auditor="auditor",
        )
    assert not User.objects.exists()
    assert not OrgUnit.objects.exists()
