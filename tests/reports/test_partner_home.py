"""The partner reporter's home page holds its reporting pages (the floating-population module
serves the duty); without a module that serves it, a placeholder says what the role will do."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.apps import apps
from django.test import Client

from jisheng.accounts.models import User
from jisheng.core.roles import Capability, Role


def test_a_partner_reporter_gets_its_reporting_pages_not_the_placeholder(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    body = client_for(make_user(Role.PARTNER_REPORTER)).get("/").content.decode()

    assert 'data-testid="reporting-panel"' in body
    assert 'href="/migrants/my-reports/new/"' in body
    assert 'data-testid="partner-panel"' not in body


def test_without_a_serving_module_a_partner_reporter_is_told_what_it_will_do(
    make_user: Callable[..., User], client_for: Callable[[User], Client], monkeypatch
) -> None:
    monkeypatch.setattr(apps.get_app_config("migrants"), "serves", ())
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
    # Any installed module declaring the duty, not only the floating-population one.
    monkeypatch.setattr(apps.get_app_config("migrants"), "serves", ())
    monkeypatch.setattr(
        apps.get_app_config("registry"), "serves", (Capability.REPORT_AS_PARTNER.value,)
    )

    body = client_for(make_user(Role.PARTNER_REPORTER)).get("/").content.decode()

    assert 'data-testid="partner-panel"' not in body
