"""Governance supervision in a real browser: the street corrects a pharmacy (a clash shown on
the form), downloads the dispensing template, uploads a list with bad rows (each named,
nothing stored), then the fixed list (imported; Back and the same file again stores nothing
twice), and corrects a B-ultrasound device. A community worker cannot reach the import.

Elements are found by ``data-testid`` and form field names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page

from jisheng.accounts.models import User
from jisheng.core.actors import Actor
from jisheng.core.idnumber import id_number_check_digit
from jisheng.governance.models import Dispensing, DispensingImport, OutletKind
from jisheng.governance.services import supervision as services

pytestmark = pytest.mark.browser


def click_and_wait(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_the_street_imports_a_pharmacys_list_from_the_template(
    page: Page,
    page_watch: Any,
    demo: Any,
    login: Callable[..., None],
    logout: Callable[[Page], None],
    screenshots: Path,
    tmp_path: Path,
) -> None:
    street = Actor(user=User.objects.get(username="demo_street"))
    outlet = services.outlet_register(
        actor=street, unit=demo.c1, kind=OutletKind.PHARMACY, name="仁和大药房"
    )
    services.outlet_register(actor=street, unit=demo.c1, kind=OutletKind.PHARMACY, name="同仁堂")
    device = services.device_register(
        actor=street,
        unit=demo.c1,
        institution="坛山卫生院",
        model_name="GE Voluson",
        serial_number="SN-1",
        location="二楼B超室",
    )
    login(page, "demo_street")

    # A pharmacy's name corrected: another pharmacy's name is refused on the form, kept.
    page.goto(reverse("governance:outlet_detail", args=[outlet.pk]))
    click_and_wait(page, "[data-testid=outlet-edit]")
    page.fill("input[name=name]", "同仁堂")
    page.fill("input[name=address]", "新华路 1 号")
    click_and_wait(page, "[data-testid=form] [data-testid=submit]")
    assert page.locator(".errorlist").count() >= 1
    assert page.input_value("input[name=address]") == "新华路 1 号"
    page.screenshot(path=str(screenshots / "governance-outlet-clash.png"), full_page=True)
    page.fill("input[name=name]", "仁和大药房（新华路店）")
    click_and_wait(page, "[data-testid=form] [data-testid=submit]")
    assert urlsplit(page.url).path == reverse("governance:outlet_detail", args=[outlet.pk])

    # The template: the Chinese header and an example line.
    click_and_wait(page, "[data-testid=dispensing-import]")
    with page.expect_download() as template:
        page.click("[data-testid=template-download]")
    saved = tmp_path / "template.xlsx"
    template.value.save_as(saved)
    book = load_workbook(saved)
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    assert header == ["日期", "药品", "数量", "购药人", "身份证号码", "处方医师", "处方编号"]

    # Filled with two bad rows of three: nothing is stored, both are named.
    day = timezone.localdate() - dt.timedelta(days=2)
    buyer = "37040419930404002" + id_number_check_digit("37040419930404002")
    sheet.delete_rows(2, sheet.max_row)
    sheet.append([day, "米非司酮片", 1, "王芳", buyer, "李医生", "RX-1"])
    sheet.append([day, "米非司酮片", "两盒", "赵敏", buyer, "", "RX-2"])
    sheet.append(["昨天", "米索前列醇片", 1, "孙丽", "110101199001011234", "", ""])
    bad = tmp_path / "十一月（有错）.xlsx"
    book.save(bad)
    page.set_input_files("input[name=file]", str(bad))
    click_and_wait(page, "[data-testid=form] [data-testid=submit]")
    problems = page.locator(".errorlist").inner_text()
    assert "第 3 行" in problems
    assert "第 4 行" in problems
    assert "第 2 行" not in problems
    assert not Dispensing.objects.exists()
    page.screenshot(path=str(screenshots / "governance-dispensing-bad-rows.png"), full_page=True)

    # Fixed: imported, on the outlet's register.
    sheet.delete_rows(3, 2)
    sheet.append([day, "米非司酮片", 2, "赵敏", buyer, "", "RX-2"])
    good = tmp_path / "十一月.xlsx"
    book.save(good)
    page.set_input_files("input[name=file]", str(good))
    click_and_wait(page, "[data-testid=form] [data-testid=submit]")
    assert urlsplit(page.url).path == reverse("governance:outlet_detail", args=[outlet.pk])
    assert page.locator("[data-testid=dispensings] tbody tr").count() == 2
    page.screenshot(path=str(screenshots / "governance-dispensing-imported.png"), full_page=True)

    # Back and the same file again: the page says it was sent; nothing is stored twice.
    page.go_back()
    page.set_input_files("input[name=file]", str(good))
    click_and_wait(page, "[data-testid=form] [data-testid=submit]")
    assert page.locator("[data-testid=sent-again]").is_visible()
    assert Dispensing.objects.count() == 2
    assert DispensingImport.objects.count() == 1

    # A device's location corrected; an emptied field is refused with the form kept.
    page.goto(reverse("governance:device_detail", args=[device.pk]))
    click_and_wait(page, "[data-testid=device-edit]")
    page.fill("input[name=location]", " ")
    page.fill("input[name=licence]", "鲁卫B-001")
    click_and_wait(page, "[data-testid=form] [data-testid=submit]")
    assert page.input_value("input[name=licence]") == "鲁卫B-001"
    page.fill("input[name=location]", "三楼B超室")
    click_and_wait(page, "[data-testid=form] [data-testid=submit]")
    assert urlsplit(page.url).path == reverse("governance:device_detail", args=[device.pk])
    device.refresh_from_db()
    assert (device.location, device.licence) == ("三楼B超室", "鲁卫B-001")
    page.screenshot(path=str(screenshots / "governance-device-edited.png"), full_page=True)
    logout(page)

    # A community worker reads no register and imports nothing.
    login(page, "demo_c1")
    response = page.goto(reverse("governance:dispensing_upload", args=[outlet.pk]))
    assert response is not None
    assert response.status == 403
    page.screenshot(path=str(screenshots / "governance-dispensing-worker.png"), full_page=True)
    assert page_watch.failed == []
