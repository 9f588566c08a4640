"""The standard forms in a real browser: street staff open a quarterly form, download its
workbook and open the print view (A4 landscape, header rows repeated on every page)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

A4_LANDSCAPE = (842, 595)  # points, rounded


def pdf_pages(pdf: bytes) -> list[tuple[int, int]]:
    """Width and height in points of each page of a PDF Chromium printed."""
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    return [(round(float(width)), round(float(height))) for width, height in boxes]


def test_street_staff_open_a_quarterly_form_download_it_and_print_it(
    page: Page,
    demo: Any,
    login: Callable[..., None],
    page_watch: Any,
    live_server,
) -> None:
    login(page, "demo_street")
    page.goto("/reports/forms/")
    with page.expect_navigation():
        page.click("[data-testid=standard-forms] a[href='/reports/forms/population/']")
    page.select_option("select[name=kind]", "quarter")
    page.fill("input[name=year]", "2025")
    page.select_option("select[name=quarter]", "4")
    with page.expect_navigation():
        page.click("[data-testid=period-form] button[type=submit]")
    assert "kind=quarter" in page.url
    table = page.locator("[data-testid=form-table]")
    assert table.locator("tbody tr").count() == 12  # the demo street's communities
    shown_total = page.locator("[data-testid=total-row] [data-key=residents]").inner_text()

    with page.expect_download() as download:
        page.click("[data-testid=form-xlsx]")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert "2025" in download.value.suggested_filename
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(row for row in rows if row[0] == "社区")
    residents = next(
        i for i, title in enumerate(header) if str(title).startswith("期末人口 · 合计")
    )
    assert rows[-1][0] == "合计"
    assert rows[-1][residents] == int(shown_total.replace(",", ""))
    assert sheet.page_setup.orientation == "landscape"

    with page.expect_navigation():
        page.click("[data-testid=form-print]")
    assert "/print/" in page.url
    page.emulate_media(media="print")
    layout = page.evaluate(
        """() => ({
            thead: getComputedStyle(document.querySelector('.standard-form thead')).display,
            page: getComputedStyle(document.querySelector('.print-landscape')).page,
            nav: getComputedStyle(document.querySelector('.sidebar')).display,
        })"""
    )
    assert layout == {"thead": "table-header-group", "page": "landscape", "nav": "none"}
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    # One landscape sheet: the running header prints on it, not alone on a portrait page.
    assert pdf_pages(pdf) == [A4_LANDSCAPE]
    assert page_watch.console_errors == []
    assert page_watch.foreign(live_server.url) == []


def test_a_leader_cuts_residents_in_the_pivot_table_charts_saves_and_prints_it(
    page: Page,
    demo: Any,
    login: Callable[..., None],
    page_watch: Any,
    live_server: Any,
    screenshots: Any,
) -> None:
    login(page, "demo_leader")
    with page.expect_navigation():
        page.click("nav a[href='/reports/pivot/']")
    page.select_option("select[name=measure]", "persons")
    page.select_option("select[name=rows]", "unit")
    page.select_option("select[name=columns]", "floating")
    with page.expect_navigation():
        page.click("[data-testid=pivot-form] button[type=submit]")
    table = page.locator("[data-testid=form-table]")
    # Community 1: three residents registered here and one floating (demo fixture, any status).
    c1_row = table.locator("tbody tr", has_text=demo.c1.name)
    assert c1_row.locator("td").all_inner_texts()[1:] == ["3", "1", "4"]
    assert table.locator("thead th").all_inner_texts() == ["单位", "户籍人口", "流动人口", "合计"]

    # Keep only those living here, then draw it.
    page.select_option("[data-testid=filter-status]", "living")
    page.select_option("select[name=show]", "chart")
    with page.expect_navigation():
        page.click("[data-testid=pivot-form] button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=pivot-chart] canvas') !== null"
    )
    assert c1_row.locator("td").all_inner_texts()[1:] == ["2", "1", "3"]
    page.screenshot(path=str(screenshots / "pivot.png"), full_page=True)

    page.fill("[data-testid=favourite-form] input[name=name]", "各社区户籍与流动")
    with page.expect_navigation():
        page.click("[data-testid=favourite-form] button[type=submit]")
    page.goto("/reports/pivot/")
    with page.expect_navigation():
        page.locator("[data-testid=pivot-favourites] a", has_text="各社区户籍与流动").click()
    assert c1_row.locator("td").all_inner_texts()[1:] == ["2", "1", "3"]

    with page.expect_navigation():
        page.click("[data-testid=pivot-print]")
    assert page.locator("[data-testid=pivot-print-sheet] [data-testid=form-table]").is_visible()
    page.emulate_media(media="print")
    assert pdf_pages(page.pdf(prefer_css_page_size=True)) == [A4_LANDSCAPE]
    assert page_watch.console_errors == []
    assert page_watch.failed == []
    assert page_watch.foreign(live_server.url) == []
