"""Funds in a real browser: the street enters the year's budget for 宣传, records a voucher
with its scanned receipt, finds it on the execution report under 宣传, drills down to the
entry, and prints the report.

Elements are found by ``data-testid``, form field names and URLs, not by their text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from jisheng.funds.categories import categories_ensure
from jisheng.funds.models import BudgetLine, Category, Entry, Voucher

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n% receipt\n" + b"0" * 200


def submit(page: Page) -> None:
    with page.expect_navigation():
        page.click("[data-testid=funds-form] [data-testid=submit]")


def test_budget_voucher_report_and_print(
    page: Page, demo: Any, login: Callable[..., None], page_watch: Any
) -> None:
    categories_ensure()
    year = timezone.localdate().year
    publicity = Category.objects.get(code="publicity")
    street = demo.c1.parent
    login(page, "demo_street")

    page.goto(f"/funds/budget/?year={year}")
    page.click("[data-testid=budget-new]")
    page.fill("input[name=year]", str(year))
    page.select_option("select[name=level]", "street")
    page.select_option("select[name=category]", str(publicity.pk))
    page.select_option("select[name=org_unit]", str(street.pk))
    page.fill("input[name=amount]", "1000.5")
    submit(page)
    assert urlsplit(page.url).path == "/funds/budget/"
    assert page.locator("[data-testid=budget-lines]").inner_text().count("1000.50") == 1
    assert BudgetLine.objects.get().amount == 1000.5

    page.goto("/funds/vouchers/new/")
    page.fill("input[name=day]", timezone.localdate().isoformat())
    page.select_option("select[name=category]", str(publicity.pk))
    page.select_option("select[name=level]", "street")
    page.select_option("select[name=org_unit]", str(street.pk))
    page.fill("input[name=amount]", "1200")
    page.fill("input[name=description]", "广场文艺演出宣传材料印制")
    page.set_input_files(
        "input[name=attachment]",
        files=[{"name": "发票.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    submit(page)
    voucher = Voucher.objects.get()
    assert urlsplit(page.url).path == f"/funds/vouchers/{voucher.pk}/"
    assert page.locator("[data-testid=voucher-attachment]").is_visible()
    entry = Entry.objects.get(source="funds.voucher", source_id=voucher.pk)
    assert entry.over_budget  # 1200 spent on a 1000.50 line

    page.goto(f"/funds/?first={year - 1}&last={year}")
    cell = page.locator("[data-testid=category-spent-publicity]")
    assert cell.inner_text() == "1200.00"
    assert page.locator(f"[data-testid=steady-{year}]").inner_text() in {"是", "否", "—"}
    assert "超出预算" in page.locator("[data-testid=report-rows]").inner_text()
    with page.expect_navigation():
        cell.locator("a").click()
    assert page.locator(f"[data-entry='{entry.pk}']").is_visible()
    assert page.locator(f"[data-entry='{entry.pk}'] [data-testid=record-link]").is_visible()

    page.goto(f"/funds/?first={year - 1}&last={year}")
    with page.expect_navigation():
        page.click("[data-testid=report-print]")
    assert urlsplit(page.url).path == "/funds/report/print/"
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click("[data-testid=print]")
    assert page.evaluate("window.__printed") is True
    page.emulate_media(media="print")
    assert not page.locator("[data-testid=print]").is_visible()
    assert page.locator("[data-testid=category-spent-publicity]").inner_text() == "1200.00"
    assert not page_watch.console_errors
    assert page_watch.failed == []
