"""Two-factor sign-in in a real browser: a street staff member sets it up, then signs in with it."""

from __future__ import annotations

import time
from base64 import b32decode
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page

from jisheng.accounts.services import role_grant, user_create
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Role
from jisheng.demo.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def code_for(secret_text: str, at: float) -> str:
    """The code an authenticator app shows at ``at`` for the secret as the page prints it."""
    totp = TOTP(b32decode(secret_text.replace(" ", "")))
    totp.time = at
    return f"{totp.token():06d}"


def password_step(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click(".login-box button[type=submit]")


def test_street_staff_enrols_then_signs_in_with_a_code(
    page: Page, demo: Any, logout: Callable[[Page], None]
) -> None:
    street = OrgUnit.objects.get(kind="street")
    user = user_create(actor=None, username="new_street", password=DEMO_PASSWORD, org_unit=street)
    role_grant(actor=None, user=user, role=Role.STREET_STAFF)

    password_step(page, "new_street")
    assert urlsplit(page.url).path == "/accounts/two-factor/enrol/"
    assert page.locator("[data-testid=qr] svg").is_visible()
    # Nothing else is reachable before the device is confirmed.
    page.goto("/registry/persons/")
    assert urlsplit(page.url).path == "/accounts/two-factor/enrol/"
    assert page.locator("nav.sidebar").count() == 0

    secret = page.inner_text("[data-testid=totp-secret]")
    page.fill("input[name=code]", code_for(secret, time.time()))
    page.click("[data-testid=enrol]")
    codes = page.locator("[data-testid=recovery-codes] li")
    codes.first.wait_for()
    assert codes.count() == 10
    with page.expect_navigation():
        page.click("[data-testid=continue]")
    assert urlsplit(page.url).path == "/"
    logout(page)

    password_step(page, "new_street")
    assert urlsplit(page.url).path == "/accounts/two-factor/verify/"
    # The code just used at enrolment cannot be replayed; the next one (within the clock
    # tolerance of one step) is what the app shows a moment later.
    page.fill("input[name=code]", code_for(secret, time.time() + 30))
    with page.expect_navigation():
        page.click("[data-testid=verify]")
    assert urlsplit(page.url).path == "/"
    assert page.locator("nav.sidebar").is_visible()
