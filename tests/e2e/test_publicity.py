"""Publicity in a real browser: the street enters the year's 宣传 budget; a community worker
records an activity with a photo (its EXIF position stripped) and a cost, sees the photo on
the activity, finds the activity on the coverage page under the right quarter, and prints
the page; then the street opens the funds execution report, finds the budget and the
activity's cost under 宣传, and opens its print view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from jisheng.funds.categories import categories_ensure
from jisheng.funds.models import Category
from jisheng.publicity.models import Activity, CostEntry, Photo
from support.images import has_gps, jpeg_bytes

pytestmark = pytest.mark.browser


def test_worker_records_an_activity_with_cost_that_the_street_finds_in_the_funds_report(
    page: Page,
    demo: Any,
    login: Callable[..., None],
    logout: Callable[[Page], None],
    page_watch: Any,
    live_server: Any,
    tmp_path: Path,
) -> None:
    today = timezone.localdate()
    day = today - dt.timedelta(days=1) if today.day > 1 else today
    picture = tmp_path / "关爱女孩行动现场.jpg"
    picture.write_bytes(jpeg_bytes(size=(1200, 900), gps=True))

    # The street enters the year's budget for 宣传 first.
    categories_ensure()
    publicity = Category.objects.get(code="publicity")
    login(page, "demo_street")
    page.goto(f"/funds/budget/?year={day.year}")
    page.click("[data-testid=budget-new]")
    page.fill("input[name=year]", str(day.year))
    page.select_option("select[name=level]", "street")
    page.select_option("select[name=category]", str(publicity.pk))
    page.select_option("select[name=org_unit]", str(demo.c1.parent_id))
    page.fill("input[name=amount]", "2000")
    with page.expect_navigation():
        page.click("[data-testid=funds-form] [data-testid=submit]")
    assert urlsplit(page.url).path == "/funds/budget/"
    logout(page)

    login(page, "demo_c1")
    page.goto("/publicity/activities/")
    with page.expect_navigation():
        page.click("[data-testid=activity-new]")
    form = "[data-testid=activity-form]"
    page.fill(f"{form} input[name=date]", day.isoformat())
    page.select_option(f"{form} select[name=kind]", "care_for_girls")
    page.fill(f"{form} input[name=title]", "关爱女孩行动宣传")
    page.fill(f"{form} input[name=organiser]", "社区计生办")
    page.fill(f"{form} textarea[name=partners]", "社区妇联\n派出所")
    page.fill(f"{form} input[name=audience]", "150")
    page.fill(f"{form} input[name=materials]", "300")
    page.fill(f"{form} input[name=cost]", "880.50")
    page.set_input_files(f"{form} input[name=photo]", str(picture))
    page.fill(f"{form} input[name=caption]", "活动现场")
    with page.expect_navigation():
        page.click(f"{form} [data-testid=submit]")

    activity = Activity.objects.get()
    assert page.url.endswith(f"/publicity/activities/{activity.pk}/")
    assert page.inner_text("[data-testid=activity-cost]").strip() == "880.50"
    thumbnail = page.locator("[data-testid=photos] img[data-testid=photo]")
    assert thumbnail.count() == 1
    # The page is shown before its picture has arrived: wait for the load to end, then ask
    # whether it drew (a broken picture also ends its load, with no width).
    page.wait_for_function("img => img.complete", arg=thumbnail.element_handle())
    assert thumbnail.evaluate("img => img.naturalWidth > 0") is True
    assert CostEntry.objects.get().amount == Decimal("880.50")
    with Photo.objects.get().file.open("rb") as stored:
        assert not has_gps(stored.read())

    page.goto(f"/publicity/coverage/?year={day.year}")
    quarter = (day.month - 1) // 3 + 1
    row = page.locator(f"[data-testid=coverage] tr[data-unit='{demo.c1.pk}']")
    assert row.locator(f"[data-quarter='{quarter}']").inner_text().strip() == "1"
    assert row.locator("[data-count=cost]").inner_text().strip() == "880.50"
    assert "宣传覆盖" in page.title()
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click("[data-testid=print]")
    assert page.evaluate("window.__printed") is True
    page.emulate_media(media="print")
    assert not page.locator("[data-testid=print]").is_visible()
    assert page.locator("[data-testid=five-ones]").is_visible()
    page.emulate_media(media="screen")

    # The cost reached the funds ledger once; the street reads it under 宣传.
    logout(page)
    login(page, "demo_street")
    page.goto(f"/funds/?first={day.year}&last={day.year}")
    assert page.inner_text("[data-testid=category-budget-publicity]").strip() == "2000.00"
    assert page.inner_text("[data-testid=category-spent-publicity]").strip() == "880.50"
    with page.expect_navigation():
        page.click("[data-testid=report-print]")
    assert urlsplit(page.url).path == "/funds/report/print/"
    assert page.inner_text("[data-testid=category-spent-publicity]").strip() == "880.50"

    assert page_watch.foreign(live_server.url) == []
    assert page_watch.failed == []
    assert page_watch.console_errors == []
