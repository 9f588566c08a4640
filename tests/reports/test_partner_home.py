"""The partner reporter's home page says what the role will do, not a dead end; the module
that brings its work replaces the placeholder by declaring that it serves the duty."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.apps import apps
from django.test import Client

from jisheng.accounts.models import User
from jisheng.core.roles import Capability, Role


def test_a_partner_reporter_is_told_what_it_will_do(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    partner = make_user(Role.PARTNER_REPORTER)

    body = client_for(partner).get("/").content.decode()

    assert 'data-testid="partner-panel"' in body
    assert "报送新入住的租户或新入职的员工" in body
    assert "报送已搬离或已离职的人员" in body
    assert "请直接告知社区" in body
    # Not the dead end it was: no "your role holds no personal data, use the menu".
    assert "请通过菜单办理" not in body


@pytest.mark.parametrize("role", [Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.SECURITY_AUDITOR])
def test_other_roles_do_not_get_the_partner_placeholder(
    make_user: Callable[..., User], client_for: Callable[[User], Client], role: Role
) -> None:
    body = client_for(make_user(role)).get("/").content.decode()

    assert 'data-testid="partner-panel"' not in body


def test_a_module_serving_partner_reports_replaces_the_placeholder(
    make_user: Callable[..., User], client_for: Callable[[User], Client], monkeypatch
) -> None:
    # Stands for the floating-population module: any installed module declaring the duty.
    monkeypatch.setattr(
        apps.get_app_config("registry"), "serves", (Capability.REPORT_AS_PARTNER.value,)
    )

    body = client_for(make_user(Role.PARTNER_REPORTER)).get("/").content.decode()

    assert 'data-testid="partner-panel"' not in body
