"""The dashboards in a real browser: each role opens its dashboard on the demo's data, every
chart draws (a canvas), nothing goes wrong in the console and no request leaves the server;
the table behind a chart opens with one click and its rows lead to the scoped list.

Screenshots land in the test's tmp folder; with JISHENG_SCREENSHOTS=1 they replace the ones
in docs/screenshots/ (the README shows the street's). Only then does a run write into the
repository, so two runs side by side (tools/test.sh) never write the same files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from jisheng.benefits.models import Program
from jisheng.benefits.preload import preload_programs
from jisheng.demo.seed import seed_demo

pytestmark = pytest.mark.browser

ROLES = ("demo_c1", "demo_street", "demo_leader", "demo_district")


@pytest.fixture
def demo_data(live_server: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    preload_programs(Program)  # transactional tests flush migration data
    seed_demo(persons=500)  # its last seeder counts the rollups


def test_each_role_sees_its_charts_drawn(
    demo_data: None,
    page: Page,
    login: Callable[..., None],
    logout: Callable[[Page], None],
    watch: Callable[[Page], Any],
    live_server: Any,
    screenshots: Path,
) -> None:
    screenshots.mkdir(parents=True, exist_ok=True)
    for username in ROLES:
        login(page, username)
        log = watch(page)
        page.goto(reverse("reports:dashboard"))
        charts = page.locator("section.dashboard-chart")
        assert charts.count() >= 5, username
        for i in range(charts.count()):
            section = charts.nth(i)
            if section.locator(".chart").count():
                section.locator(".chart canvas").first.wait_for()
        page.wait_for_load_state("networkidle")
        assert log.console_errors == [], username
        assert log.failed == [], username
        assert log.foreign(live_server.url) == [], username
        page.screenshot(path=str(screenshots / f"dashboard-{username}.png"), full_page=True)
        logout(page)


def test_the_table_is_one_click_away_and_leads_to_the_list(
    demo_data: None, page: Page, login: Callable[..., None]
) -> None:
    login(page, "demo_c1")
    page.goto(reverse("reports:dashboard"))
    pyramid = page.locator("[data-testid=chart-pyramid]")
    table = pyramid.locator("[data-testid=table-pyramid]")
    assert not table.is_visible()
    pyramid.locator("summary").click()
    assert table.is_visible()
    with page.expect_navigation():
        table.locator("a", has_text="30-34").click()
    assert urlsplit(page.url).path == reverse("registry:person_list")
    assert "age_min=30" in page.url


def test_a_months_inflow_or_outflow_opens_that_months_records(
    demo_data: None, page: Page, login: Callable[..., None]
) -> None:
    login(page, "demo_c1")
    page.goto(reverse("reports:dashboard"))
    chart = page.locator("[data-testid=chart-migrants_by_month]")
    chart.locator(".chart canvas").first.wait_for()
    chart.locator("summary").click()
    cells = chart.locator("[data-testid=table-migrants_by_month] td a")
    counted = [(cells.nth(i).inner_text(), i) for i in range(cells.count())]
    n, index = next((int(text), i) for text, i in counted if text != "0")
    with page.expect_navigation():
        cells.nth(index).click()
    assert urlsplit(page.url).path in (
        reverse("migrants:inflow_list"),
        reverse("migrants:outflow_list"),
    )
    assert "month=" in page.url
    assert page.locator("[data-testid=records] tr[data-record]").count() == n
