"""Browser fixtures: one real Chromium per session, a fresh zh-CN context per test.

The pages run against pytest-django's ``live_server`` (which implies a transactional
database); the data comes from the demo seeding functions plus a few named residents.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

from jisheng.accounts.models import AuthenticatorDevice
from jisheng.core.models import OrgUnit
from jisheng.demo.seed import DEMO_PASSWORD, demo_totp_code, seed_accounts, seed_org_tree
from jisheng.registry.models import Household, Person, ResidentStatus
from jisheng.reports.rollups.services import rollups_rebuild

CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@dataclass
class PageWatch:
    """Everything a page asked the network for, and what went wrong in its console."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def foreign(self, origin: str) -> list[str]:
        """Request URLs that do not belong to ``origin`` (scheme://host:port)."""
        prefix = origin.rstrip("/") + "/"
        return [url for url in self.requests if not (url + "/").startswith(prefix)]


def watch_page(page: Page) -> PageWatch:
    """Record every request the page makes (including ones that fail) from now on."""
    log = PageWatch()

    def on_request(request: Request) -> None:
        log.requests.append(request.url)

    def on_failed(request: Request) -> None:
        # ERR_ABORTED is the browser dropping a load because the page moved on (a late
        # favicon when the test navigates); a refused or unreachable resource fails otherwise.
        if request.failure != "net::ERR_ABORTED":
            log.failed.append(f"{request.url} ({request.failure})")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            log.console_errors.append(message.text)

    page.on("request", on_request)
    page.on("requestfailed", on_failed)
    page.on("console", on_console)
    return log


@pytest.fixture
def watch() -> Callable[[Page], PageWatch]:
    """``watch(page)`` starts recording the page's requests and console errors."""
    return watch_page


@pytest.fixture
def page_watch(page: Page) -> PageWatch:
    """The test's page, watched from its first request."""
    return watch_page(page)


VERIFY_PATH = "/accounts/two-factor/verify/"


def _login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form; a demo account asked for its second factor types the code."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click(".login-box button[type=submit]")
    if page.url.endswith(VERIFY_PATH):
        # A code's time step is used up once accepted (replay protection); tests sign one
        # account in several times within 30 s, so the helper forgets the last step used.
        AuthenticatorDevice.objects.filter(user__username=username).update(last_t=-1)
        page.fill("input[name=code]", demo_totp_code())
        with page.expect_navigation():
            page.click("[data-testid=verify]")


def _logout(page: Page) -> None:
    with page.expect_navigation():
        page.click("[data-testid=logout]")


@pytest.fixture
def login() -> Callable[..., None]:
    """``login(page, username, password=DEMO_PASSWORD)`` signs in through the form."""
    return _login


@pytest.fixture
def logout() -> Callable[[Page], None]:
    """``logout(page)`` signs out with the top bar's button."""
    return _logout


@dataclass
class DemoData:
    c1: OrgUnit
    c2: OrgUnit
    c1_persons: list[Person]
    c2_persons: list[Person]
    households: list[Household]


@pytest.fixture
def demo(
    live_server: Any,
    settings: Any,
    make_person: Callable[..., Person],
    make_household: Callable[..., Household],
) -> DemoData:
    """Demo org tree and accounts; named residents in community 1 (index 0) and 2 (index 2)."""
    # Argon2 costs ~0.4 s a hash; nine demo accounts per test would dominate the run.
    # Hashing policy is not what these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    district, street, communities = seed_org_tree()
    seed_accounts(district, street, communities)
    c1, c2 = communities[0], communities[2]
    c1_persons = [
        make_person(c1, name="王春燕", sex="F", phone="13900000001"),
        make_person(c1, name="王建国"),
        make_person(c1, name="王立新"),
        make_person(c1, name="王海鹰", sex="F"),
    ]
    c2_persons = [
        make_person(c2, name="赵秋菊", sex="F"),
        make_person(c2, name="赵德胜"),
        make_person(c2, name="赵明远"),
    ]
    # Vary the headline figures so a count from the wrong scope cannot match by chance.
    Person.objects.filter(pk=c1_persons[1].pk).update(is_floating=True)
    Person.objects.filter(pk=c1_persons[3].pk).update(status=ResidentStatus.MOVED_OUT)
    Person.objects.filter(pk__in=[c2_persons[0].pk, c2_persons[1].pk]).update(is_floating=True)
    households = [
        make_household(c1_persons[0]),
        make_household(c2_persons[0]),
        make_household(c2_persons[1]),
    ]
    # The figures as the worker counts them (the home page and dashboards read the rollups).
    rollups_rebuild()
    return DemoData(
        c1=c1, c2=c2, c1_persons=c1_persons, c2_persons=c2_persons, households=households
    )


DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where a test's screenshots go: its tmp folder, or docs/screenshots/ when
    JISHENG_SCREENSHOTS=1 (so two runs side by side never write the same files, and a test
    run leaves the repository as it was)."""
    folder = DOCS_SCREENSHOTS if os.environ.get("JISHENG_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder
